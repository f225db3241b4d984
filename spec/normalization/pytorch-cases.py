"""Regenerate pytorch-cases.jsonl: normalization cases computed by PyTorch in float64.

Run with the Debian torch (1.13.1): /usr/bin/python3 spec/normalization/pytorch-cases.py
The cases are in the case format (docs/case-format.md); pytorch.spec.ts
checks the oracle against them. Inputs come from a fixed torch seed; every
number is written with repr(), which round-trips float64 exactly.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240613)
torch.set_default_dtype(torch.float64)


def t(v):
    return {"dtype": "float64", "shape": list(v.shape), "data": [float(a) for a in v.detach().reshape(-1).tolist()]}


def rnd(*shape, lo=-2.0, hi=2.0):
    return torch.rand(*shape) * (hi - lo) + lo


cases = []


def case(cid, op, attrs, inputs, fn, grad_names):
    """fn(**inputs) -> dict of outputs (y first); running stats are read after the call."""
    leaves = {k: v.clone().requires_grad_(k in grad_names) for k, v in inputs.items()}
    outs = fn(**leaves)
    y = outs["y"]
    cot = rnd(*y.shape)
    y.backward(cot)
    c = {
        "id": cid, "op": op, "attrs": attrs,
        "inputs": {k: t(v) for k, v in inputs.items()},
        "outputs": {k: t(v) for k, v in outs.items()},
        "cotangents": {"y": t(cot)},
        "gradients": {k: t(leaves[k].grad) for k in grad_names},
    }
    cases.append(c)


def bn(training, momentum=0.1, eps=1e-5):
    def fn(x, running_mean=None, running_var=None, weight=None, bias=None):
        rm = None if running_mean is None else running_mean.detach().clone()
        rv = None if running_var is None else running_var.detach().clone()
        y = F.batch_norm(x, rm, rv, weight, bias, training=training, momentum=momentum, eps=eps)
        out = {"y": y}
        if rm is not None:
            out["running_mean"] = rm
        if rv is not None:
            out["running_var"] = rv
        return out
    return fn


C = 3
# running_var update uses the unbiased batch variance; momentum weighs the new value
case("bn/train-2d", "batch_norm", {"training": True, "momentum": 0.1},
     {"x": rnd(4, C), "running_mean": rnd(C), "running_var": rnd(C, lo=0.5, hi=2), "weight": rnd(C), "bias": rnd(C)},
     bn(True, 0.1), ["x", "weight", "bias"])
case("bn/train-4d-momentum", "batch_norm", {"training": True, "momentum": 0.3, "eps": 1e-3},
     {"x": rnd(2, C, 2, 2, lo=-1, hi=3), "running_mean": rnd(C), "running_var": rnd(C, lo=0.5, hi=2), "weight": rnd(C), "bias": rnd(C)},
     bn(True, 0.3, 1e-3), ["x", "weight", "bias"])
# the smallest batch: m = 2 values per channel, where n/(n-1) = 2
case("bn/train-two-values", "batch_norm", {"training": True, "momentum": 0.5},
     {"x": rnd(2, 2), "running_mean": rnd(2), "running_var": rnd(2, lo=0.5, hi=2)},
     bn(True, 0.5), ["x"])
case("bn/train-no-running", "batch_norm", {"training": True},
     {"x": rnd(3, 2, 2)}, bn(True), ["x"])
# a large eps makes its placement (inside the root) visible
case("bn/train-eps-inside-root", "batch_norm", {"training": True, "eps": 0.5},
     {"x": rnd(3, 2, 2), "weight": rnd(2), "bias": rnd(2)}, bn(True, 0.1, 0.5), ["x", "weight", "bias"])
case("bn/eval", "batch_norm", {"training": False, "eps": 0.5},
     {"x": rnd(2, C, 2), "running_mean": rnd(C), "running_var": rnd(C, lo=0.5, hi=2), "weight": rnd(C), "bias": rnd(C)},
     bn(False, 0.1, 0.5), ["x", "weight", "bias"])
case("bn/eval-single-sample", "batch_norm", {},
     {"x": rnd(1, C), "running_mean": rnd(C), "running_var": rnd(C, lo=0.5, hi=2)},
     bn(False), ["x"])


def ln(shape, eps=1e-5):
    return lambda x, weight=None, bias=None: {"y": F.layer_norm(x, shape, weight, bias, eps)}


case("ln/normalized-shape", "layer_norm", {"normalized_shape": [4]},
     {"x": rnd(2, 3, 4), "weight": rnd(4), "bias": rnd(4)}, ln([4]), ["x", "weight", "bias"])
case("ln/axis-negative", "layer_norm", {"axis": -2, "eps": 1e-3},
     {"x": rnd(2, 3, 4), "weight": rnd(3, 4), "bias": rnd(3, 4)}, ln([3, 4], 1e-3), ["x", "weight", "bias"])
case("ln/axis-1-no-affine", "layer_norm", {"axis": 1},
     {"x": rnd(2, 3, 2, lo=5, hi=6)}, ln([3, 2]), ["x"])


def inorm(eps=1e-5):
    return lambda x, weight=None, bias=None: {"y": F.instance_norm(x, weight=weight, bias=bias, eps=eps)}


case("in/affine", "instance_norm", {},
     {"x": rnd(2, C, 4), "weight": rnd(C), "bias": rnd(C)}, inorm(), ["x", "weight", "bias"])
case("in/2d-eps", "instance_norm", {"eps": 0.1},
     {"x": rnd(2, 2, 2, 3)}, inorm(0.1), ["x"])


def gn(groups, eps=1e-5):
    return lambda x, weight=None, bias=None: {"y": F.group_norm(x, groups, weight, bias, eps)}


case("gn/3-groups", "group_norm", {"num_groups": 3},
     {"x": rnd(2, 6, 3), "weight": rnd(6), "bias": rnd(6)}, gn(3), ["x", "weight", "bias"])
case("gn/2-groups-4d", "group_norm", {"num_groups": 2, "eps": 1e-3},
     {"x": rnd(2, 4, 2, 2), "weight": rnd(4), "bias": rnd(4)}, gn(2, 1e-3), ["x", "weight", "bias"])
case("gn/1-group-2d", "group_norm", {"num_groups": 1},
     {"x": rnd(3, 4), "weight": rnd(4)}, gn(1), ["x", "weight"])

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "pytorch-cases.jsonl"), "w") as f:
    for c in cases:
        f.write(json.dumps(c) + "\n")
print(len(cases), "cases, torch", torch.__version__)
