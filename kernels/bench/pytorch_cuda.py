#!/usr/bin/env python3
"""PyTorch CUDA timings for nn-oracle's benchmark workloads (kernels/bench/workloads.ts, --full sizes).

Run on a machine with an NVIDIA GPU and PyTorch (not in CI):  python3 kernels/bench/pytorch_cuda.py [--json OUT]

Two timings per workload, fp32 with TF32 off (as the gpu.js kernels compute in fp32):
  end-to-end   host float32 arrays in, host arrays out: upload, compute, readback,
               as a user of the oracle experiences it (what kernels/bench/run.ts measures);
  kernel-only  data already on the device, CUDA events around the compute.
Medians of `reps` timed runs after warm-ups.
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device("cuda")
rng = np.random.default_rng(2024)
REPS = 10


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def end_to_end(host_inputs, fn):
    def once():
        t0 = time.perf_counter()
        ins = [torch.from_numpy(a).to(dev) if isinstance(a, np.ndarray) else a for a in host_inputs]
        outs = fn(*ins)
        [o.cpu().numpy() for o in outs]
        torch.cuda.synchronize()
        return (time.perf_counter() - t0) * 1e3
    for _ in range(3):
        once()
    return median([once() for _ in range(REPS)])


def kernel_only(host_inputs, fn):
    ins = [torch.from_numpy(a).to(dev) if isinstance(a, np.ndarray) else a for a in host_inputs]
    for _ in range(3):
        fn(*ins)
    torch.cuda.synchronize()
    times = []
    for _ in range(REPS):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        fn(*ins)
        e.record()
        torch.cuda.synchronize()
        times.append(s.elapsed_time(e))
    return median(times)


def with_grad(fn, n_grad):
    """fn(*leaves, *consts) -> outputs; returns outputs plus the VJP for ones cotangents."""
    def run(*ins):
        leaves = [t.detach().requires_grad_(True) for t in ins[:n_grad]]
        outs = fn(*leaves, *ins[n_grad:])
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        grads = torch.autograd.grad([o.sum() for o in outs], leaves)
        return [o.detach() for o in outs] + list(grads)
    return run


def workloads():
    out = []
    for n in (512, 1024, 2048):
        a, b = randn(n, n), randn(n, n)
        out.append((f"matmul {n}", [a, b], lambda x, y: [x @ y], 2 * n ** 3))
    x, w, bias = randn(1024, 1024), randn(1024, 1024), randn(1024)
    out.append(("linear fwd+bwd 1024", [x, w, bias], with_grad(lambda x, w, b: F.linear(x, w, b), 3), 6 * 1024 ** 3))
    xc, wc = randn(8, 64, 32, 32), randn(64, 64, 3, 3)
    out.append(("conv2d fwd+bwd N8 C64 32x32 K64 3x3", [xc, wc], with_grad(lambda x, w: F.conv2d(x, w, padding=1), 2), 3 * 2 * 8 * 64 * 32 * 32 * 64 * 9))
    xb, g, be = randn(64, 256, 16, 16), randn(256), randn(256)
    out.append(("batch_norm train fwd+bwd [64,256,16,16]", [xb, g, be],
                with_grad(lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True), 3), None))
    xl, gl, bl = randn(4096, 1024), randn(1024), randn(1024)
    out.append(("layer_norm fwd [4096,1024]", [xl, gl, bl], lambda x, g, b: [F.layer_norm(x, (1024,), g, b)], None))
    out.append(("layer_norm fwd+bwd [4096,1024]", [xl, gl, bl], with_grad(lambda x, g, b: F.layer_norm(x, (1024,), g, b), 3), None))
    lg = randn(4096, 1000)
    tg = torch.from_numpy((np.arange(4096) * 7919 % 1000).astype(np.int64)).to(dev)
    out.append(("cross_entropy fwd+bwd [4096,1000]", [lg, tg], with_grad(lambda x, t: F.cross_entropy(x, t), 1), None))
    out.append(("gelu fwd 4M", [randn(4096 * 1024)], lambda x: [F.gelu(x)], None))
    return out


def main():
    results = []
    print(f"PyTorch {torch.__version__} on {torch.cuda.get_device_name(0)}, fp32, TF32 off, medians of {REPS}")
    print(f"{'workload':42s} {'end-to-end ms':>14s} {'kernel-only ms':>15s} {'GFLOP/s e2e':>12s}")
    for name, ins, fn, flops in workloads():
        e2e, k = end_to_end(ins, fn), kernel_only(ins, fn)
        gf = f"{flops / e2e / 1e6:.0f}" if flops else "-"
        print(f"{name:42s} {e2e:14.3f} {k:15.4f} {gf:>12s}")
        results.append({"workload": name, "end_to_end_ms": e2e, "kernel_only_ms": k, "flops": flops})
    if "--json" in sys.argv:
        with open(sys.argv[sys.argv.index("--json") + 1], "w") as f:
            json.dump({"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
