"""Golden cases from PyTorch 1.13 for the schedules and averaging families.

Run with the interpreter that has torch:  /usr/bin/python3 spec/crosscheck/export_schedules.py
Writes (small, committed; CI never installs PyTorch):
  spec/schedules/torch-1.13.jsonl   `lr_schedule` cases: get_last_lr() after 0..300 scheduler.step() calls
  spec/schedules/torch-1.13-sequential.json   SequentialLR(linear warm-up, cosine), 300 calls
  spec/averaging/torch-1.13.jsonl   `ema_update` cases and one AveragedModel(EMA avg_fn) run
The .json files record the PyTorch version that produced them; the .jsonl cases are plain case-format lines.
"""
import json
import math
import os

import torch
from torch.optim import lr_scheduler as S
from torch.optim.swa_utils import AveragedModel

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.dirname(HERE)
STEPS = 300


def tensor(values, dtype="float64", shape=None):
    values = [float(v) if dtype != "int64" else int(v) for v in values]
    return {"dtype": dtype, "shape": [len(values)] if shape is None else shape, "data": values}


def opt(lr):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))], lr=lr)


# (id, kind, attrs in the case format, constructor, lr)
CONFIGS = [
    ("step/30-0.5", "step", {"step_size": 30, "gamma": 0.5}, lambda o: S.StepLR(o, step_size=30, gamma=0.5), 0.1),
    ("step/7-default-gamma", "step", {"step_size": 7}, lambda o: S.StepLR(o, step_size=7), 1.0),
    ("multistep/30-80-150", "multistep", {"milestones": [30, 80, 150], "gamma": 0.3},
     lambda o: S.MultiStepLR(o, milestones=[30, 80, 150], gamma=0.3), 0.05),
    ("exponential/0.98", "exponential", {"gamma": 0.98}, lambda o: S.ExponentialLR(o, gamma=0.98), 0.2),
    ("linear/defaults", "linear", {}, lambda o: S.LinearLR(o), 0.1),
    ("linear/warmup-40", "linear", {"start_factor": 0.01, "end_factor": 1.0, "total_iters": 40},
     lambda o: S.LinearLR(o, start_factor=0.01, end_factor=1.0, total_iters=40), 0.1),
    ("linear/decay-100", "linear", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 100},
     lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=100), 0.3),
    ("cosine/T50-periodic", "cosine", {"T_max": 50, "eta_min": 0.001}, lambda o: S.CosineAnnealingLR(o, T_max=50, eta_min=0.001), 0.1),
    ("cosine/T300", "cosine", {"T_max": 300}, lambda o: S.CosineAnnealingLR(o, T_max=300), 0.1),
    ("cosine/T7-odd", "cosine", {"T_max": 7, "eta_min": 0.01}, lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.01), 1.0),
    ("cosine_warm_restarts/10x2", "cosine_warm_restarts", {"T_0": 10, "T_mult": 2, "eta_min": 1e-4},
     lambda o: S.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2, eta_min=1e-4), 0.1),
    ("cosine_warm_restarts/25", "cosine_warm_restarts", {"T_0": 25}, lambda o: S.CosineAnnealingWarmRestarts(o, T_0=25), 0.5),
    ("cyclic/triangular", "cyclic", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 20},
     lambda o: S.CyclicLR(o, base_lr=0.001, max_lr=0.1, step_size_up=20, cycle_momentum=False), 0.7),
    ("cyclic/triangular2", "cyclic", {"base_lr": 0.01, "max_lr": 0.2, "step_size_up": 15, "step_size_down": 25, "mode": "triangular2"},
     lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=15, step_size_down=25, mode="triangular2", cycle_momentum=False), 0.7),
    ("cyclic/exp_range", "cyclic", {"base_lr": 0.001, "max_lr": 0.05, "step_size_up": 10, "mode": "exp_range", "gamma": 0.99},
     lambda o: S.CyclicLR(o, base_lr=0.001, max_lr=0.05, step_size_up=10, mode="exp_range", gamma=0.99, cycle_momentum=False), 0.7),
    ("one_cycle/defaults", "one_cycle", {"max_lr": 0.1, "total_steps": 300},
     lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=300, cycle_momentum=False), 0.7),
    ("one_cycle/three-phase-linear", "one_cycle",
     {"max_lr": 0.2, "total_steps": 300, "pct_start": 0.25, "anneal_strategy": "linear", "div_factor": 10.0, "final_div_factor": 100.0, "three_phase": True},
     lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=300, pct_start=0.25, anneal_strategy="linear", div_factor=10.0,
                            final_div_factor=100.0, three_phase=True, cycle_momentum=False), 0.7),
    ("one_cycle/pct-0.45", "one_cycle", {"max_lr": 1.0, "total_steps": 300, "pct_start": 0.45},
     lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=300, pct_start=0.45, cycle_momentum=False), 0.7),
]


# Case-format attrs -> a PyTorch scheduler (for crosscheck_pytorch.py's
# `lr_schedule` and `ema_update` entries: vectors files are checked with these).
def make_scheduler(a):
    kind = a["kind"]
    kw = {k: v for k, v in a.items() if k not in ("kind", "lr")}
    table = {
        "step": S.StepLR, "multistep": S.MultiStepLR, "exponential": S.ExponentialLR, "linear": S.LinearLR,
        "cosine": S.CosineAnnealingLR, "cosine_warm_restarts": S.CosineAnnealingWarmRestarts,
    }
    if kind in table:
        return lambda o: table[kind](o, **kw)
    if kind == "cyclic":
        return lambda o: S.CyclicLR(o, cycle_momentum=False, **kw)
    if kind == "one_cycle":
        kw = {k: (float(v) if k in ("pct_start", "div_factor", "final_div_factor", "max_lr") else v) for k, v in kw.items()}
        return lambda o: S.OneCycleLR(o, cycle_momentum=False, **kw)
    raise ValueError("unknown schedule kind %r" % kind)


def op_lr_schedule(a, i, info):
    steps = i["step"]
    n = int(steps.max()) if steps.numel() else 0
    lrs = torch.tensor(run(make_scheduler(a), float(a.get("lr", 1.0)), n), dtype=torch.float64)
    return {"lr": lrs[steps.long().flatten()].reshape(steps.shape)}


def op_ema_update(a, i, info):
    decay = a.get("decay", 0.999)
    return {"average": decay * i["average"] + (1 - decay) * i["param"]}


def run(make, lr, steps=STEPS):
    o = opt(lr)
    s = make(o)
    out = [s.get_last_lr()[0]]
    for _ in range(steps):
        o.step()
        s.step()
        out.append(s.get_last_lr()[0])
    return out


def schedules():
    lines = []
    for cid, kind, attrs, make, lr in CONFIGS:
        lrs = run(make, lr)
        lines.append({
            "id": f"lr_schedule/{cid}", "op": "lr_schedule",
            "attrs": {"kind": kind, "lr": lr, **attrs},
            "inputs": {"step": tensor(range(STEPS + 1), "int64")},
            "outputs": {"lr": tensor(lrs)},
        })
    with open(os.path.join(SPEC, "schedules", "torch-1.13.jsonl"), "w") as f:
        for c in lines:
            f.write(json.dumps(c) + "\n")

    def seq(o):
        warm = S.LinearLR(o, start_factor=0.01, total_iters=10)
        cos = S.CosineAnnealingLR(o, T_max=290, eta_min=1e-4)
        return S.SequentialLR(o, schedulers=[warm, cos], milestones=[10])
    with open(os.path.join(SPEC, "schedules", "torch-1.13-sequential.json"), "w") as f:
        json.dump({"torch": torch.__version__, "lr": 0.1,
                   "parts": [{"kind": "linear", "start_factor": 0.01, "end_factor": 1.0, "total_iters": 10},
                             {"kind": "cosine", "T_max": 290, "eta_min": 1e-4}],
                   "milestones": [10], "lrs": run(seq, 0.1)}, f)


def averaging():
    g = torch.Generator().manual_seed(14)
    lines = []
    for i, decay in enumerate([0.999, 0.9, 0.5, 0.0, 1.0]):
        a = torch.randn(2, 3, generator=g)
        p = torch.randn(2, 3, generator=g)
        ct = torch.randn(2, 3, generator=g)
        a_ = a.clone().requires_grad_()
        p_ = p.clone().requires_grad_()
        out = decay * a_ + (1 - decay) * p_
        (out * ct).sum().backward()
        lines.append({
            "id": f"ema_update/torch-{i:02d}", "op": "ema_update",
            "attrs": {"decay": decay},
            "inputs": {"average": tensor(a.flatten().tolist(), shape=[2, 3]), "param": tensor(p.flatten().tolist(), shape=[2, 3])},
            "outputs": {"average": tensor(out.detach().flatten().tolist(), shape=[2, 3])},
            "cotangents": {"average": tensor(ct.flatten().tolist(), shape=[2, 3])},
            "gradients": {"average": tensor(a_.grad.flatten().tolist(), shape=[2, 3]), "param": tensor(p_.grad.flatten().tolist(), shape=[2, 3])},
        })
    with open(os.path.join(SPEC, "averaging", "torch-1.13.jsonl"), "w") as f:
        for c in lines:
            f.write(json.dumps(c) + "\n")

    # AveragedModel with an EMA avg_fn around SGD(momentum) on a least-squares
    # problem, update_parameters after every optimizer.step(), 8 steps.
    decay = 0.9
    A = torch.randn(6, 3, generator=g)
    b = torch.randn(6, generator=g)
    model = torch.nn.Linear(3, 1, bias=True)
    with torch.no_grad():
        model.weight.copy_(torch.randn(1, 3, generator=g))
        model.bias.copy_(torch.randn(1, generator=g))
    start = {k: v.detach().clone() for k, v in model.named_parameters()}
    ema = AveragedModel(model, avg_fn=lambda avg, p, n: decay * avg + (1 - decay) * p)
    o = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    params, averages = [], []
    for _ in range(8):
        o.zero_grad()
        loss = torch.nn.functional.mse_loss(model(A).squeeze(1), b)
        loss.backward()
        o.step()
        ema.update_parameters(model)
        params.append({k: v.detach().flatten().tolist() for k, v in model.named_parameters()})
        averages.append({k.replace("module.", ""): v.detach().flatten().tolist() for k, v in ema.named_parameters()})
    with open(os.path.join(SPEC, "averaging", "torch-1.13-averaged-model.json"), "w") as f:
        json.dump({"torch": torch.__version__, "decay": decay, "lr": 0.05, "momentum": 0.9,
                   "A": A.flatten().tolist(), "b": b.tolist(),
                   "start": {k: v.flatten().tolist() for k, v in start.items()},
                   "params": params, "averages": averages}, f)


if __name__ == "__main__":
    # Only when run as the exporter: crosscheck_pytorch.py imports this module's op_* functions.
    torch.set_default_dtype(torch.float64)
    schedules()
    averaging()
