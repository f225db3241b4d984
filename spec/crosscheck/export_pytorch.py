#!/usr/bin/env python3
"""Export PyTorch 1.13 reference cases for every op of the nn-oracle catalogue.

Writes docs/examples/pytorch-sample.jsonl in the oracle's case format, version 1:
one JSON object per line with id, op, attrs, inputs, outputs, cotangents and
gradients. Everything is computed by PyTorch in float64; gradients are
torch.autograd.grad of sum(cotangent * output) with respect to every float
input the format lets carry a gradient.

Run with Debian's interpreter, which has torch 1.13 and numpy:

    /usr/bin/python3 spec/crosscheck/export_pytorch.py

Reruns are byte-identical: each case seeds torch's generator from the CRC-32
of its own id (so adding a case does not change the others), inputs and
cotangents are rounded to 4 decimals (short, readable, exact in the file),
torch runs on one thread, and floats are written with Python's repr, which
round-trips float64 exactly.
"""
import json
import math
import os
import sys
import zlib
from collections import Counter

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # spec/crosscheck/ -> the repository
OUT = os.path.join(ROOT, "docs", "examples", "pytorch-sample.jsonl")

CASES = []
_numbering = Counter()


# ---------------------------------------------------------------- encoding

def _float(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v  # json writes repr(v): shortest string that round-trips float64


def encode(t):
    t = t.detach()
    shape = list(t.shape)
    flat = t.reshape(-1).tolist()
    if t.dtype == torch.bool:
        return {"dtype": "bool", "shape": shape, "data": [bool(v) for v in flat]}
    if t.dtype == torch.int64:
        return {"dtype": "int64", "shape": shape, "data": [int(v) for v in flat]}
    if t.dtype == torch.float64:
        return {"dtype": "float64", "shape": shape, "data": [_float(float(v)) for v in flat]}
    raise TypeError(f"unexpected dtype {t.dtype}")


# ---------------------------------------------------------------- random inputs

def r4(t):
    """Round to 4 decimals: k / 1e4 is the float64 nearest the short decimal."""
    return torch.round(t * 1e4) / 1e4


def randn(*shape, scale=1.0):
    return r4(torch.randn(tuple(shape)) * scale)


def uniform(lo, hi, *shape):
    return r4(torch.rand(tuple(shape)) * (hi - lo) + lo)


def positive(*shape):
    return uniform(0.5, 2.0, *shape)


def probs(*shape, dim=1):
    """Non-negative floats summing to 1 along dim (up to float64 rounding; not rounded to 4 decimals)."""
    return torch.softmax(torch.randn(*shape), dim=dim)


def tensor(values, dtype=torch.float64):
    return torch.tensor(values, dtype=dtype)


# ---------------------------------------------------------------- case builders

def next_id(op, slug):
    _numbering[op] += 1
    return f"{op}/{slug}-{_numbering[op]:02d}"


def seed(case_id):
    torch.manual_seed(zlib.crc32(case_id.encode("utf-8")))


def case(op, slug, attrs, make, fn, grad=(), no_cotangent=()):
    """A differentiable case.

    make()        -> dict of input tensors (drawn after seeding)
    fn(inputs)    -> dict of output tensors
    grad          -> names of float inputs that get a gradient
    no_cotangent  -> float outputs that get no cotangent (running statistics)
    """
    cid = next_id(op, slug)
    seed(cid)
    raw = make()
    leaves = {}
    for name, value in raw.items():
        leaf = value.detach().clone()
        if name in grad:
            leaf.requires_grad_(True)
        leaves[name] = leaf
    outs = fn(leaves)
    cot = {}
    for name, out in outs.items():
        if out.is_floating_point() and name not in no_cotangent and grad:
            cot[name] = randn(*out.shape)
    entry = {"id": cid, "op": op, "attrs": attrs,
             "inputs": {k: encode(v) for k, v in raw.items()},
             "outputs": {k: encode(v) for k, v in outs.items()}}
    if grad:
        total = sum((cot[k] * outs[k]).sum() for k in cot)
        wrt = [leaves[k] for k in grad]
        grads = torch.autograd.grad(total, wrt, allow_unused=True)
        entry["cotangents"] = {k: encode(v) for k, v in cot.items()}
        entry["gradients"] = {
            k: encode(g if g is not None else torch.zeros_like(leaves[k]))
            for k, g in zip(grad, grads)}
    CASES.append(entry)


def plain(op, slug, attrs, inputs, outputs):
    """A forward-only case with inputs and outputs already computed."""
    cid = next_id(op, slug)
    CASES.append({"id": cid, "op": op, "attrs": attrs,
                  "inputs": {k: encode(v) for k, v in inputs.items()},
                  "outputs": {k: encode(v) for k, v in outputs.items()}})


def seeded(op, slug):
    """Seed for a forward-only case whose inputs come from a simulation."""
    cid = f"{op}/{slug}-{_numbering[op] + 1:02d}"
    seed(cid)


# ================================================================ layers

def layers():
    def lin(i):
        return {"y": F.linear(i["x"], i["weight"], i.get("bias"))}
    case("linear", "bias", {}, lambda: {"x": randn(3, 4), "weight": randn(5, 4), "bias": randn(5)},
         lin, grad=("x", "weight", "bias"))
    case("linear", "no-bias", {}, lambda: {"x": randn(2, 3), "weight": randn(4, 3)},
         lin, grad=("x", "weight"))
    case("linear", "leading-dims", {}, lambda: {"x": randn(2, 3, 4), "weight": randn(2, 4), "bias": randn(2)},
         lin, grad=("x", "weight", "bias"))
    case("linear", "leading-dims-no-bias", {}, lambda: {"x": randn(2, 1, 2, 3), "weight": randn(3, 3)},
         lin, grad=("x", "weight"))

    def mm(i):
        return {"y": torch.matmul(i["a"], i["b"])}
    case("matmul", "plain", {}, lambda: {"a": randn(3, 4), "b": randn(4, 2)}, mm, grad=("a", "b"))
    case("matmul", "batch-vs-matrix", {}, lambda: {"a": randn(2, 3, 4), "b": randn(4, 5)}, mm, grad=("a", "b"))
    case("matmul", "batch-broadcast", {}, lambda: {"a": randn(2, 1, 3, 4), "b": randn(3, 4, 2)}, mm, grad=("a", "b"))
    case("matmul", "broadcast-left", {}, lambda: {"a": randn(1, 3, 2), "b": randn(2, 2, 3)}, mm, grad=("a", "b"))


# ================================================================ activations

def with_zeros(t, every=4):
    t = t.clone().reshape(-1)
    t[::every] = 0.0
    return t


def activations():
    def unary(f):
        return lambda i: {"y": f(i["x"])}

    # relu: exact zeros pin relu'(0) = 0; ±Infinity flow through.
    case("relu", "mixed-zeros", {}, lambda: {"x": with_zeros(randn(12)).reshape(3, 4)},
         unary(F.relu), grad=("x",))
    case("relu", "nchw", {}, lambda: {"x": randn(2, 2, 2, 3)}, unary(F.relu), grad=("x",))
    case("relu", "infinities", {}, lambda: {"x": tensor([-math.inf, -2.5, 0.0, 1.5, math.inf])},
         unary(F.relu), grad=("x",))

    # NaN propagates through the forward pass (no gradients: PyTorch's relu'(NaN) = 1 is an accident).
    case("relu", "nan-forward", {}, lambda: {"x": tensor([math.nan, -1.0, 2.0])}, unary(F.relu))

    for slope, slug in ((0.01, "default-slope"), (0.2, "slope"), (-0.5, "negative-slope"), (0.0, "zero-slope")):
        case("leaky_relu", slug, {"negative_slope": slope},
             lambda: {"x": with_zeros(randn(2, 6)).reshape(2, 6)},
             lambda i, s=slope: {"y": F.leaky_relu(i["x"], s)}, grad=("x",))

    def prelu(i):
        return {"y": F.prelu(i["x"], i["weight"])}
    case("prelu", "per-channel", {},
         lambda: {"x": with_zeros(randn(24), 5).reshape(2, 3, 4), "weight": randn(3, scale=0.5)},
         prelu, grad=("x", "weight"))
    case("prelu", "shared", {}, lambda: {"x": with_zeros(randn(24), 5).reshape(2, 3, 2, 2), "weight": tensor([0.25])},
         prelu, grad=("x", "weight"))
    case("prelu", "nc", {}, lambda: {"x": randn(4, 3), "weight": randn(3)}, prelu, grad=("x", "weight"))

    for alpha, slug in ((1.0, "default-alpha"), (0.5, "alpha"), (2.0, "alpha")):
        case("elu", slug, {"alpha": alpha}, lambda: {"x": with_zeros(randn(12, scale=2.0)).reshape(3, 4)},
             lambda i, a=alpha: {"y": F.elu(i["x"], a)}, grad=("x",))

    case("selu", "mixed", {}, lambda: {"x": with_zeros(randn(12, scale=2.0)).reshape(3, 4)},
         unary(F.selu), grad=("x",))
    case("selu", "wide", {}, lambda: {"x": tensor([-30.0, -5.0, -0.5, 0.5, 5.0, 30.0])},
         unary(F.selu), grad=("x",))

    for approx in ("none", "tanh"):
        case("gelu", approx, {"approximate": approx}, lambda: {"x": randn(3, 4, scale=2.0)},
             lambda i, a=approx: {"y": F.gelu(i["x"], approximate=a)}, grad=("x",))
        case("gelu", approx + "-wide", {"approximate": approx},
             lambda: {"x": tensor([-12.0, -6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 12.0])},
             lambda i, a=approx: {"y": F.gelu(i["x"], approximate=a)}, grad=("x",))

    wide = lambda: {"x": tensor([-1000.0, -40.0, -12.5, -1.0, 0.0, 0.75, 12.5, 40.0, 1000.0])}
    for op, f in (("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("softsign", F.softsign),
                  ("silu", F.silu), ("mish", F.mish), ("log_sigmoid", F.logsigmoid)):
        case(op, "normal", {}, lambda: {"x": randn(3, 4, scale=2.0)}, unary(f), grad=("x",))
        case(op, "wide", {}, wide, unary(f), grad=("x",))
    case("sigmoid", "infinities", {}, lambda: {"x": tensor([-math.inf, 0.0, math.inf])},
         unary(torch.sigmoid), grad=("x",))
    case("tanh", "infinities", {}, lambda: {"x": tensor([-math.inf, 0.0, math.inf])},
         unary(torch.tanh), grad=("x",))

    def softplus(beta, threshold):
        return lambda i: {"y": F.softplus(i["x"], beta, threshold)}
    case("softplus", "default", {"beta": 1.0, "threshold": 20.0},
         lambda: {"x": tensor([-30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 19.5, 20.0, 20.5, 30.0])},
         softplus(1.0, 20.0), grad=("x",))
    # beta * x straddles the threshold; beta * x == threshold exactly keeps log1p(exp) (strict >).
    case("softplus", "beta-threshold", {"beta": 2.0, "threshold": 4.0},
         lambda: {"x": tensor([-3.0, -0.25, 0.0, 1.0, 1.99, 2.0, 2.01, 3.0])},
         softplus(2.0, 4.0), grad=("x",))
    case("softplus", "small-beta", {"beta": 0.5, "threshold": 1.0},
         lambda: {"x": tensor([-4.0, -1.0, 0.0, 1.0, 1.9999, 2.0, 2.0001, 5.0])},
         softplus(0.5, 1.0), grad=("x",))
    case("softplus", "random", {"beta": 3.0, "threshold": 10.0}, lambda: {"x": randn(3, 4, scale=3.0)},
         softplus(3.0, 10.0), grad=("x",))

    for op, f in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
        case(op, "dim1", {"dim": 1}, lambda: {"x": randn(2, 3, 4)},
             lambda i, f=f: {"y": f(i["x"], dim=1)}, grad=("x",))
        case(op, "last", {"dim": -1}, lambda: {"x": randn(3, 5)},
             lambda i, f=f: {"y": f(i["x"], dim=-1)}, grad=("x",))
        case(op, "large-logits", {"dim": -1},
             lambda: {"x": tensor([[1000.0, -1000.0, 999.0, 0.0], [-1000.0, -999.5, -1000.0, -1001.0]])},
             lambda i, f=f: {"y": f(i["x"], dim=-1)}, grad=("x",))
        case(op, "dim0", {"dim": 0}, lambda: {"x": randn(4, 2, scale=3.0)},
             lambda i, f=f: {"y": f(i["x"], dim=0)}, grad=("x",))


# ================================================================ losses

def losses():
    def ce(ignore_index=-100, label_smoothing=0.0, reduction="mean"):
        attrs = {"ignore_index": ignore_index, "label_smoothing": label_smoothing, "reduction": reduction}
        fn = lambda i: {"loss": F.cross_entropy(i["input"], i["target"], i.get("weight"),
                                                ignore_index=ignore_index, reduction=reduction,
                                                label_smoothing=label_smoothing)}
        return attrs, fn

    def classes(n, c, *rest):
        return torch.randint(0, c, (n, *rest))

    a, f = ce()
    case("cross_entropy", "classes", a, lambda: {"input": randn(4, 5), "target": classes(4, 5)}, f, grad=("input",))
    a, f = ce(reduction="sum")
    case("cross_entropy", "classes-weight-sum", a,
         lambda: {"input": randn(4, 5), "target": classes(4, 5), "weight": positive(5)}, f, grad=("input",))
    a, f = ce()
    case("cross_entropy", "classes-weight-mean", a,
         lambda: {"input": randn(5, 3), "target": classes(5, 3), "weight": positive(3)}, f, grad=("input",))
    a, f = ce(reduction="none")
    case("cross_entropy", "classes-none", a,
         lambda: {"input": randn(4, 3), "target": classes(4, 3), "weight": positive(3)}, f, grad=("input",))
    a, f = ce()
    case("cross_entropy", "ignore-default", a,
         lambda: {"input": randn(5, 4), "target": tensor([1, -100, 3, 0, -100], torch.int64), "weight": positive(4)},
         f, grad=("input",))
    a, f = ce(ignore_index=2, reduction="sum")
    case("cross_entropy", "ignore-class", a,
         lambda: {"input": randn(5, 4), "target": tensor([2, 1, 2, 3, 0], torch.int64)}, f, grad=("input",))
    a, f = ce(label_smoothing=0.1)
    case("cross_entropy", "smoothing", a,
         lambda: {"input": randn(4, 5), "target": classes(4, 5)}, f, grad=("input",))
    a, f = ce(label_smoothing=0.2)
    case("cross_entropy", "smoothing-weight", a,
         lambda: {"input": randn(4, 5), "target": classes(4, 5), "weight": positive(5)}, f, grad=("input",))
    a, f = ce(ignore_index=0, label_smoothing=0.3, reduction="none")
    case("cross_entropy", "smoothing-weight-ignore-none", a,
         lambda: {"input": randn(5, 3), "target": tensor([0, 1, 2, 0, 2], torch.int64), "weight": positive(3)},
         f, grad=("input",))
    a, f = ce(ignore_index=1, label_smoothing=0.15)
    case("cross_entropy", "smoothing-weight-ignore-mean", a,
         lambda: {"input": randn(5, 3), "target": tensor([0, 1, 2, 1, 2], torch.int64), "weight": positive(3)},
         f, grad=("input",))
    a, f = ce(label_smoothing=0.05, reduction="sum")
    case("cross_entropy", "smoothing-sum", a,
         lambda: {"input": randn(3, 4), "target": classes(3, 4), "weight": positive(4)}, f, grad=("input",))
    a, f = ce()
    case("cross_entropy", "spatial-weight", a,
         lambda: {"input": randn(2, 3, 2, 2), "target": classes(2, 3, 2, 2), "weight": positive(3)},
         f, grad=("input",))
    a, f = ce(ignore_index=-1, label_smoothing=0.1, reduction="none")
    case("cross_entropy", "spatial-smoothing-none", a,
         lambda: {"input": randn(2, 3, 3), "target": tensor([[0, -1, 2], [1, 1, -1]], torch.int64)},
         f, grad=("input",))
    a, f = ce()
    case("cross_entropy", "all-ignored", a,
         lambda: {"input": randn(3, 4), "target": tensor([-100, -100, -100], torch.int64)}, f, grad=("input",))
    a, f = ce()
    case("cross_entropy", "probabilities", a,
         lambda: {"input": randn(3, 4), "target": probs(3, 4)}, f, grad=("input", "target"))
    a, f = ce(label_smoothing=0.2)
    case("cross_entropy", "probabilities-smoothing-weight", a,
         lambda: {"input": randn(4, 3), "target": probs(4, 3), "weight": positive(3)}, f, grad=("input", "target"))
    a, f = ce(reduction="sum")
    case("cross_entropy", "probabilities-spatial-sum", a,
         lambda: {"input": randn(2, 3, 2, 2), "target": probs(2, 3, 2, 2), "weight": positive(3)},
         f, grad=("input", "target"))
    a, f = ce(label_smoothing=0.1, reduction="none")
    case("cross_entropy", "probabilities-none", a,
         lambda: {"input": randn(3, 4), "target": probs(3, 4)}, f, grad=("input", "target"))

    def nll(ignore_index=-100, reduction="mean"):
        attrs = {"ignore_index": ignore_index, "reduction": reduction}
        fn = lambda i: {"loss": F.nll_loss(i["input"], i["target"], i.get("weight"),
                                           ignore_index=ignore_index, reduction=reduction)}
        return attrs, fn

    a, f = nll()
    case("nll_loss", "mean", a, lambda: {"input": torch.log_softmax(randn(4, 5), 1), "target": classes(4, 5)},
         f, grad=("input",))
    a, f = nll(ignore_index=2, reduction="sum")
    case("nll_loss", "weight-ignore-sum", a,
         lambda: {"input": torch.log_softmax(randn(5, 3), 1), "target": tensor([2, 0, 1, 2, 1], torch.int64),
                  "weight": positive(3)}, f, grad=("input",))
    a, f = nll(reduction="none")
    case("nll_loss", "none", a, lambda: {"input": randn(4, 3), "target": classes(4, 3)}, f, grad=("input",))
    a, f = nll()
    case("nll_loss", "spatial-weight-mean", a,
         lambda: {"input": torch.log_softmax(randn(2, 3, 2, 2), 1), "target": tensor(
             [[[0, -100], [2, 1]], [[1, 1], [-100, 0]]], torch.int64), "weight": positive(3)},
         f, grad=("input",))

    def bce(reduction="mean"):
        fn = lambda i: {"loss": F.binary_cross_entropy_with_logits(
            i["input"], i["target"], i.get("weight"), reduction=reduction, pos_weight=i.get("pos_weight"))}
        return {"reduction": reduction}, fn

    a, f = bce()
    case("binary_cross_entropy_with_logits", "plain", a,
         lambda: {"input": randn(3, 4, scale=2.0), "target": uniform(0, 1, 3, 4)}, f, grad=("input", "target"))
    a, f = bce("sum")
    case("binary_cross_entropy_with_logits", "weight-sum", a,
         lambda: {"input": randn(3, 4), "target": torch.randint(0, 2, (3, 4)).double(), "weight": positive(3, 4)},
         f, grad=("input", "target"))
    a, f = bce()
    case("binary_cross_entropy_with_logits", "pos-weight-broadcast", a,
         lambda: {"input": randn(4, 3), "target": uniform(0, 1, 4, 3), "pos_weight": positive(3)},
         f, grad=("input", "target"))
    a, f = bce("none")
    case("binary_cross_entropy_with_logits", "weight-pos-weight-none", a,
         lambda: {"input": randn(2, 3), "target": uniform(0, 1, 2, 3),
                  "weight": positive(3), "pos_weight": positive(3)},
         f, grad=("input", "target"))
    a, f = bce()
    case("binary_cross_entropy_with_logits", "spatial-pos-weight", a,
         lambda: {"input": randn(2, 3, 2, 2), "target": uniform(0, 1, 2, 3, 2, 2), "weight": positive(1, 3, 1, 1),
                  "pos_weight": positive(3, 1, 1)}, f, grad=("input", "target"))
    a, f = bce()
    case("binary_cross_entropy_with_logits", "large-logits", a,
         lambda: {"input": tensor([[-1000.0, 1000.0, -50.0], [50.0, 0.0, -1000.0]]),
                  "target": tensor([[1.0, 0.0, 0.5], [0.0, 1.0, 0.0]]), "pos_weight": tensor([2.0, 0.5, 1.5])},
         f, grad=("input", "target"))

    def mm_loss(p=1, margin=1.0, reduction="mean"):
        fn = lambda i: {"loss": F.multi_margin_loss(i["input"], i["target"], p=p, margin=margin,
                                                    weight=i.get("weight"), reduction=reduction)}
        return {"p": p, "margin": margin, "reduction": reduction}, fn

    a, f = mm_loss()
    case("multi_margin_loss", "p1", a, lambda: {"input": randn(4, 5), "target": classes(4, 5)}, f, grad=("input",))
    a, f = mm_loss(p=2, margin=0.5, reduction="sum")
    case("multi_margin_loss", "p2-margin-sum", a, lambda: {"input": randn(4, 3), "target": classes(4, 3)},
         f, grad=("input",))
    a, f = mm_loss(p=1, margin=2.0, reduction="none")
    case("multi_margin_loss", "p1-weight-none", a,
         lambda: {"input": randn(3, 4), "target": classes(3, 4), "weight": positive(4)}, f, grad=("input",))
    a, f = mm_loss(p=2, margin=1.0, reduction="mean")
    case("multi_margin_loss", "p2-weight-mean", a,
         lambda: {"input": randn(5, 3), "target": classes(5, 3), "weight": positive(3)}, f, grad=("input",))

    for reduction in ("mean", "sum", "none"):
        case("mse_loss", reduction, {"reduction": reduction},
             lambda: {"input": randn(3, 4), "target": randn(3, 4)},
             lambda i, r=reduction: {"loss": F.mse_loss(i["input"], i["target"], reduction=r)},
             grad=("input", "target"))
    case("mse_loss", "nchw", {"reduction": "mean"},
         lambda: {"input": randn(2, 2, 2, 3), "target": randn(2, 2, 2, 3)},
         lambda i: {"loss": F.mse_loss(i["input"], i["target"])}, grad=("input", "target"))


# ================================================================ penalties

def penalties():
    l1 = lambda i: {"loss": i["w"].abs().sum()}
    l2 = lambda i: {"loss": (i["w"] ** 2).sum()}
    case("l1_penalty", "matrix", {}, lambda: {"w": randn(3, 4)}, l1, grad=("w",))
    case("l1_penalty", "with-zeros", {}, lambda: {"w": with_zeros(randn(2, 5), 3).reshape(2, 5)}, l1, grad=("w",))
    case("l2_penalty", "matrix", {}, lambda: {"w": randn(3, 4)}, l2, grad=("w",))
    case("l2_penalty", "conv-weight", {}, lambda: {"w": randn(2, 2, 3, 3)}, l2, grad=("w",))
    for beta, slug in ((1.0, "default-beta"), (0.5, "beta"), (0.0, "beta-zero")):
        case("elastic_net_penalty", slug, {"beta": beta}, lambda: {"w": randn(3, 4)},
             lambda i, b=beta: {"loss": (b * i["w"] ** 2 + i["w"].abs()).sum()}, grad=("w",))


# ================================================================ convolution

def convolution():
    def conv(stride, padding, dilation, groups):
        def fn(i):
            x = i["x"]
            pad = padding
            if isinstance(padding, list) and len(padding) == 4:
                top, left, bottom, right = padding
                x = F.pad(x, (left, right, top, bottom))
                pad = 0
            return {"y": F.conv2d(x, i["weight"], i.get("bias"), stride, pad, dilation, groups)}
        return {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}, fn

    def mk(n, c, h, w, k, cg, kh, kw, bias=True):
        def make():
            d = {"x": randn(n, c, h, w), "weight": randn(k, cg, kh, kw)}
            if bias:
                d["bias"] = randn(k)
            return d
        return make

    a, f = conv(1, 0, 1, 1)
    case("conv2d", "basic", a, mk(2, 3, 5, 5, 4, 3, 3, 3), f, grad=("x", "weight", "bias"))
    a, f = conv(2, 1, 1, 1)
    case("conv2d", "strided", a, mk(1, 2, 6, 5, 3, 2, 3, 3, bias=False), f, grad=("x", "weight"))
    a, f = conv([2, 1], [1, 2], [1, 1], 1)
    case("conv2d", "pair-padding", a, mk(1, 2, 5, 4, 2, 2, 3, 2), f, grad=("x", "weight", "bias"))
    a, f = conv([1, 2], [1, 0, 2, 1], [1, 1], 1)
    case("conv2d", "asymmetric-padding", a, mk(2, 2, 4, 5, 2, 2, 3, 3), f, grad=("x", "weight", "bias"))
    a, f = conv(1, 2, 2, 1)
    case("conv2d", "dilated", a, mk(1, 2, 5, 5, 2, 2, 3, 3), f, grad=("x", "weight", "bias"))
    a, f = conv(1, [0, 1], [2, 1], 2)
    case("conv2d", "groups", a, mk(1, 4, 6, 4, 6, 2, 2, 3), f, grad=("x", "weight", "bias"))
    a, f = conv([1, 1], [1, 1], [1, 1], 3)
    case("conv2d", "depthwise", a, mk(2, 3, 4, 4, 6, 1, 3, 3, bias=False), f, grad=("x", "weight"))
    a, f = conv(1, 0, 1, 1)
    case("conv2d", "pointwise", a, mk(2, 3, 3, 3, 2, 3, 1, 1), f, grad=("x", "weight", "bias"))

    def convt(stride, padding, output_padding, dilation, groups):
        def fn(i):
            if isinstance(padding, list) and len(padding) == 4:
                top, left, bottom, right = padding
                y = F.conv_transpose2d(i["x"], i["weight"], i.get("bias"), stride, 0, output_padding, groups, dilation)
                return {"y": y[:, :, top:y.shape[2] - bottom, left:y.shape[3] - right]}
            return {"y": F.conv_transpose2d(i["x"], i["weight"], i.get("bias"), stride, padding,
                                            output_padding, groups, dilation)}
        return {"stride": stride, "padding": padding, "output_padding": output_padding,
                "dilation": dilation, "groups": groups}, fn

    a, f = convt(1, 0, 0, 1, 1)
    case("conv_transpose2d", "basic", a,
         lambda: {"x": randn(1, 2, 3, 3), "weight": randn(2, 3, 3, 3), "bias": randn(3)},
         f, grad=("x", "weight", "bias"))
    a, f = convt(2, 1, 1, 1, 1)
    case("conv_transpose2d", "strided-output-padding", a,
         lambda: {"x": randn(2, 2, 3, 3), "weight": randn(2, 2, 3, 3), "bias": randn(2)},
         f, grad=("x", "weight", "bias"))
    a, f = convt([2, 2], [0, 0], [0, 0], [2, 2], 1)
    case("conv_transpose2d", "dilated", a,
         lambda: {"x": randn(1, 2, 3, 2), "weight": randn(2, 2, 2, 3)}, f, grad=("x", "weight"))
    a, f = convt(1, 1, 0, 1, 2)
    case("conv_transpose2d", "groups", a,
         lambda: {"x": randn(1, 4, 3, 3), "weight": randn(4, 3, 3, 3), "bias": randn(6)},
         f, grad=("x", "weight", "bias"))
    a, f = convt([2, 1], [0, 1], [1, 0], [1, 1], 1)
    case("conv_transpose2d", "pair", a,
         lambda: {"x": randn(1, 2, 3, 3), "weight": randn(2, 2, 2, 3), "bias": randn(2)},
         f, grad=("x", "weight", "bias"))
    a, f = convt(2, [1, 0, 0, 2], 1, 1, 1)
    case("conv_transpose2d", "four-padding", a,
         lambda: {"x": randn(1, 2, 3, 3), "weight": randn(2, 2, 3, 3), "bias": randn(2)},
         f, grad=("x", "weight", "bias"))


# ================================================================ pooling

def pooling():
    def maxpool(k, s, p, d, ceil):
        fn = lambda i: dict(zip(("y", "indices"),
                                F.max_pool2d(i["x"], k, s, p, d, ceil_mode=ceil, return_indices=True)))
        return {"kernel_size": k, "stride": s, "padding": p, "dilation": d, "ceil_mode": ceil}, fn

    a, f = maxpool(2, 2, 0, 1, False)
    case("max_pool2d", "k2", a, lambda: {"x": randn(1, 2, 4, 4)}, f, grad=("x",))
    a, f = maxpool(3, 2, 1, 1, False)
    case("max_pool2d", "k3-s2-p1", a, lambda: {"x": randn(2, 1, 5, 5)}, f, grad=("x",))
    a, f = maxpool([2, 3], [1, 2], [0, 1], [2, 1], False)
    case("max_pool2d", "dilated-pairs", a, lambda: {"x": randn(1, 2, 5, 6)}, f, grad=("x",))
    a, f = maxpool(3, 2, 0, 1, True)
    case("max_pool2d", "ceil", a, lambda: {"x": randn(1, 1, 6, 6)}, f, grad=("x",))
    # ceil with padding: the last window would start at L + pad_begin and is dropped.
    a, f = maxpool(2, 2, 1, 1, True)
    case("max_pool2d", "ceil-dropped-window", a, lambda: {"x": randn(1, 2, 5, 5)}, f, grad=("x",))
    # integer-valued input with many ties: first maximum in row-major window order wins.
    a, f = maxpool(2, 1, 0, 1, False)
    case("max_pool2d", "ties", a, lambda: {"x": torch.randint(0, 3, (1, 1, 4, 4)).double()}, f, grad=("x",))

    def avgpool(k, s, p, ceil, cip):
        fn = lambda i: {"y": F.avg_pool2d(i["x"], k, s, p, ceil_mode=ceil, count_include_pad=cip)}
        return {"kernel_size": k, "stride": s, "padding": p, "ceil_mode": ceil, "count_include_pad": cip}, fn

    a, f = avgpool(2, 2, 0, False, True)
    case("avg_pool2d", "k2", a, lambda: {"x": randn(1, 2, 4, 4)}, f, grad=("x",))
    a, f = avgpool(3, 2, 1, False, True)
    case("avg_pool2d", "pad-included", a, lambda: {"x": randn(2, 1, 5, 5)}, f, grad=("x",))
    a, f = avgpool(3, 2, 1, False, False)
    case("avg_pool2d", "pad-excluded", a, lambda: {"x": randn(2, 1, 5, 5)}, f, grad=("x",))
    a, f = avgpool(2, 2, 1, True, True)
    case("avg_pool2d", "ceil-pad-included", a, lambda: {"x": randn(1, 2, 5, 5)}, f, grad=("x",))
    a, f = avgpool(3, 2, 1, True, False)
    case("avg_pool2d", "ceil-pad-excluded", a, lambda: {"x": randn(1, 1, 6, 6)}, f, grad=("x",))
    a, f = avgpool([2, 3], [1, 2], [1, 1], False, True)
    case("avg_pool2d", "pairs", a, lambda: {"x": randn(1, 2, 4, 5)}, f, grad=("x",))

    gap = lambda i: {"y": F.adaptive_avg_pool2d(i["x"], 1)}
    case("global_avg_pool2d", "square", {}, lambda: {"x": randn(2, 3, 3, 3)}, gap, grad=("x",))
    case("global_avg_pool2d", "rect", {}, lambda: {"x": randn(1, 2, 2, 5)}, gap, grad=("x",))


# ================================================================ normalization

def normalization():
    def bn(training, momentum=0.1, eps=1e-5):
        def fn(i):
            rm = i["running_mean"].clone() if "running_mean" in i else None
            rv = i["running_var"].clone() if "running_var" in i else None
            y = F.batch_norm(i["x"], rm, rv, i.get("weight"), i.get("bias"), training, momentum, eps)
            out = {"y": y}
            if rm is not None:
                out["running_mean"] = rm
                out["running_var"] = rv
            return out
        return {"training": training, "momentum": momentum, "eps": eps}, fn

    def stats(c):
        return {"running_mean": randn(c, scale=0.5), "running_var": positive(c)}

    a, f = bn(False)
    case("batch_norm", "eval-affine", a,
         lambda: {"x": randn(4, 3), **stats(3), "weight": positive(3), "bias": randn(3)}, f,
         grad=("x", "weight", "bias"), no_cotangent=("running_mean", "running_var"))
    a, f = bn(False, eps=1e-3)
    case("batch_norm", "eval-spatial-plain", a, lambda: {"x": randn(2, 3, 2, 2), **stats(3)}, f,
         grad=("x",), no_cotangent=("running_mean", "running_var"))
    a, f = bn(True)
    case("batch_norm", "train-nd", a,
         lambda: {"x": randn(5, 3, scale=2.0), **stats(3), "weight": positive(3), "bias": randn(3)}, f,
         grad=("x", "weight", "bias"), no_cotangent=("running_mean", "running_var"))
    a, f = bn(True, momentum=0.2, eps=1e-3)
    case("batch_norm", "train-spatial", a,
         lambda: {"x": randn(2, 3, 3, 2), **stats(3), "weight": positive(3)}, f,
         grad=("x", "weight"), no_cotangent=("running_mean", "running_var"))
    a, f = bn(True)
    case("batch_norm", "train-no-stats", a, lambda: {"x": randn(4, 2, 3), "bias": randn(2)}, f,
         grad=("x", "bias"))
    a, f = bn(True, momentum=1.0)
    case("batch_norm", "train-momentum-one", a, lambda: {"x": randn(3, 2, 2, 2), **stats(2)}, f,
         grad=("x",), no_cotangent=("running_mean", "running_var"))

    def ln(shape, eps=1e-5, axis=None):
        attrs = {"normalized_shape": shape, "eps": eps} if axis is None else {"axis": axis, "eps": eps}
        def fn(i):
            ns = shape if axis is None else list(i["x"].shape[axis:])
            return {"y": F.layer_norm(i["x"], ns, i.get("weight"), i.get("bias"), eps)}
        return attrs, fn

    a, f = ln([4])
    case("layer_norm", "last", a, lambda: {"x": randn(3, 4), "weight": positive(4), "bias": randn(4)}, f,
         grad=("x", "weight", "bias"))
    a, f = ln([3, 4])
    case("layer_norm", "two-dims", a, lambda: {"x": randn(2, 3, 4), "weight": positive(3, 4), "bias": randn(3, 4)}, f,
         grad=("x", "weight", "bias"))
    a, f = ln([5], eps=1e-3)
    case("layer_norm", "plain-eps", a, lambda: {"x": randn(2, 2, 5, scale=0.1)}, f, grad=("x",))
    a, f = ln(None, axis=-2)
    case("layer_norm", "axis-negative", a, lambda: {"x": randn(2, 3, 4), "weight": positive(3, 4), "bias": randn(3, 4)},
         f, grad=("x", "weight", "bias"))
    a, f = ln(None, axis=1)
    case("layer_norm", "axis-positive", a, lambda: {"x": randn(2, 2, 3), "weight": positive(2, 3)},
         f, grad=("x", "weight"))

    def inorm(eps=1e-5):
        fn = lambda i: {"y": F.instance_norm(i["x"], weight=i.get("weight"), bias=i.get("bias"), eps=eps)}
        return {"eps": eps}, fn

    a, f = inorm()
    case("instance_norm", "ncl-affine", a, lambda: {"x": randn(2, 3, 4), "weight": positive(3), "bias": randn(3)},
         f, grad=("x", "weight", "bias"))
    a, f = inorm(eps=1e-3)
    case("instance_norm", "nchw-plain", a, lambda: {"x": randn(2, 2, 3, 3)}, f, grad=("x",))
    a, f = inorm()
    case("instance_norm", "nchw-weight", a, lambda: {"x": randn(1, 3, 2, 3, scale=3.0), "weight": positive(3)},
         f, grad=("x", "weight"))

    def gnorm(g, eps=1e-5):
        # The affine part is applied by hand: torch 1.13's native group_norm backward
        # fails ("tensor does not have a device") with a bias and no weight.
        def fn(i):
            y = F.group_norm(i["x"], g, None, None, eps)
            view = (1, -1) + (1,) * (i["x"].dim() - 2)
            if "weight" in i:
                y = y * i["weight"].view(view)
            if "bias" in i:
                y = y + i["bias"].view(view)
            return {"y": y}
        return {"num_groups": g, "eps": eps}, fn

    a, f = gnorm(2)
    case("group_norm", "two-groups", a, lambda: {"x": randn(2, 4, 3, 3), "weight": positive(4), "bias": randn(4)},
         f, grad=("x", "weight", "bias"))
    a, f = gnorm(1)
    case("group_norm", "one-group", a, lambda: {"x": randn(2, 3, 4), "bias": randn(3)}, f, grad=("x", "bias"))
    a, f = gnorm(3, eps=1e-3)
    case("group_norm", "per-channel", a, lambda: {"x": randn(2, 3, 5)}, f, grad=("x",))
    a, f = gnorm(2)
    case("group_norm", "nc", a, lambda: {"x": randn(3, 4), "weight": positive(4)}, f, grad=("x", "weight"))


# ================================================================ regularization

def regularization():
    def drop(p, training, inverted):
        def fn(i):
            x = i["x"]
            if not training:
                return {"y": x * 1.0 if inverted else x * (1 - p)}
            if p == 1:
                return {"y": x * 0.0}
            m = i["mask"].to(torch.float64)
            return {"y": x * m / (1 - p) if inverted else x * m}
        return {"p": p, "training": training, "inverted": inverted}, fn

    a, f = drop(0.5, True, True)
    case("dropout", "inverted-float-mask", a,
         lambda: {"x": randn(3, 4), "mask": torch.bernoulli(torch.full((3, 4), 0.5))}, f, grad=("x",))
    a, f = drop(0.25, True, True)
    case("dropout", "inverted-bool-mask", a,
         lambda: {"x": randn(2, 2, 3), "mask": torch.rand(2, 2, 3) >= 0.25}, f, grad=("x",))
    a, f = drop(0.3, True, False)
    case("dropout", "vanilla-int-mask", a,
         lambda: {"x": randn(2, 5), "mask": (torch.rand(2, 5) >= 0.3).long()}, f, grad=("x",))
    a, f = drop(0.5, False, True)
    case("dropout", "eval-inverted", a, lambda: {"x": randn(2, 3)}, f, grad=("x",))
    a, f = drop(0.4, False, False)
    case("dropout", "eval-vanilla-mask-ignored", a,
         lambda: {"x": randn(2, 3), "mask": torch.zeros(2, 3, dtype=torch.bool)}, f, grad=("x",))
    a, f = drop(1.0, True, True)
    case("dropout", "p-one", a, lambda: {"x": randn(2, 3), "mask": torch.zeros(2, 3)}, f, grad=("x",))


# ================================================================ optimizers

def sgd_state(opt, p):
    buf = opt.state[p].get("momentum_buffer") if p in opt.state else None
    return None if buf is None else buf.detach().clone()


def sgd(slug, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, with_buffer=False, steps=1):
    """Run torch.optim.SGD for `steps` steps; export the state before and after the last."""
    seeded("sgd_step", slug)
    param = torch.nn.Parameter(randn(2, 3))
    opt = torch.optim.SGD([param], lr=lr, momentum=momentum, dampening=dampening,
                          weight_decay=weight_decay, nesterov=nesterov)
    if with_buffer:
        opt.state[param]["momentum_buffer"] = randn(2, 3)
    for _ in range(steps):
        before_param = param.detach().clone()
        before_buf = sgd_state(opt, param)
        grad = randn(2, 3)
        param.grad = grad.clone()
        opt.step()
    inputs = {"param": before_param, "grad": grad}
    if before_buf is not None:
        inputs["momentum_buffer"] = before_buf
    outputs = {"param": param.detach().clone()}
    after_buf = sgd_state(opt, param)
    if after_buf is not None:
        outputs["momentum_buffer"] = after_buf
    attrs = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
             "nesterov": nesterov}
    plain("sgd_step", slug, attrs, inputs, outputs)


def adam(slug, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False, step=1):
    """Run Adam/AdamW for `step` steps; export the state before and after the last."""
    seeded("adam_step", slug)
    param = torch.nn.Parameter(randn(2, 3))
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    opt = cls([param], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    for k in range(1, step + 1):
        before_param = param.detach().clone()
        st = opt.state[param] if param in opt.state else {}
        before_m = st["exp_avg"].clone() if "exp_avg" in st else torch.zeros(2, 3)
        before_v = st["exp_avg_sq"].clone() if "exp_avg_sq" in st else torch.zeros(2, 3)
        grad = randn(2, 3)
        param.grad = grad.clone()
        opt.step()
        assert float(opt.state[param]["step"]) == k
    attrs = {"lr": lr, "beta1": betas[0], "beta2": betas[1], "eps": eps, "weight_decay": weight_decay,
             "decoupled": decoupled, "step": step}
    st = opt.state[param]
    plain("adam_step", slug, attrs,
          {"param": before_param, "grad": grad, "exp_avg": before_m, "exp_avg_sq": before_v},
          {"param": param.detach().clone(), "exp_avg": st["exp_avg"].clone(), "exp_avg_sq": st["exp_avg_sq"].clone()})


def optimizers():
    sgd("plain", lr=0.1)
    sgd("plain-weight-decay", lr=0.05, weight_decay=0.1)
    sgd("momentum-no-buffer", lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.01)
    sgd("momentum-buffer", lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01, with_buffer=True)
    sgd("nesterov", lr=0.05, momentum=0.8, nesterov=True, with_buffer=True)
    sgd("nesterov-no-buffer", lr=0.05, momentum=0.8, weight_decay=0.1, nesterov=True)
    sgd("multi-step", lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.05, steps=4)

    adam("adam-first", lr=1e-3, step=1)
    adam("adam-weight-decay", lr=0.01, weight_decay=0.1, step=5)
    adam("adam-large-eps", lr=1.0, eps=1.0, step=2)
    adam("adamw-first", lr=0.01, weight_decay=0.01, decoupled=True, step=1)
    adam("adamw-multi", lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, decoupled=True, step=3)


# ================================================================ main

def main():
    layers()
    activations()
    losses()
    penalties()
    convolution()
    pooling()
    normalization()
    regularization()
    optimizers()

    # Group the lines by op (first appearance order), keeping each op's numbering order.
    first = {}
    for c in CASES:
        first.setdefault(c["op"], len(first))
    CASES.sort(key=lambda c: first[c["op"]])

    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate ids"
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as fh:
        for c in CASES:
            fh.write(json.dumps(c, separators=(",", ":"), allow_nan=False) + "\n")

    counts = Counter(c["op"] for c in CASES)
    width = max(len(op) for op in counts)
    for op in counts:
        print(f"{op:<{width}}  {counts[op]}")
    print(f"{'total':<{width}}  {len(CASES)} cases, {len(counts)} ops -> {os.path.relpath(OUT, ROOT)}"
          f" ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    sys.exit(main())
