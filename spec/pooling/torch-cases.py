#!/usr/bin/python3
"""
Writes torch-cases.jsonl beside this file: max_pool2d, avg_pool2d and
global_avg_pool2d cases in the oracle case format (docs/case-format.md),
computed by PyTorch 1.13 in float64 on the CPU. Asymmetric padding (floor mode
only: under ceil_mode, F.pad would move the drop rule's L + pad_begin) goes
through F.pad, with -inf for the max (indices mapped back to the unpadded
plane) and zeros for the average; count_include_pad false with asymmetric
padding is sum / count of real cells, each pooled with zeros.
Run: /usr/bin/python3 spec/pooling/torch-cases.py   (torch is not a test dependency)
"""
import json, math, os
import torch
import torch.nn.functional as F

torch.manual_seed(1943)

def num(v):
    return "NaN" if math.isnan(v) else "Infinity" if v == math.inf else "-Infinity" if v == -math.inf else v

def T(t, dtype="float64"):
    return {"dtype": dtype, "shape": list(t.shape), "data": [num(float(v)) if dtype == "float64" else int(v) for v in t.detach().reshape(-1).tolist()]}

def pair(v):
    return [v, v] if isinstance(v, int) else list(v)

def max_pool(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    if isinstance(padding, list) and len(padding) == 4:
        t, l, b, r = padding
        xp = F.pad(x, (l, r, t, b), value=-math.inf)
        y, i = F.max_pool2d(xp, kernel_size, stride, 0, dilation, ceil_mode, return_indices=True)
        Wp, W = xp.shape[3], x.shape[3]
        i = (i // Wp - t) * W + (i % Wp - l)
        return y, i
    return F.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)

def avg_pool(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    if isinstance(padding, list) and len(padding) == 4:
        t, l, b, r = padding
        s = F.avg_pool2d(F.pad(x, (l, r, t, b)), kernel_size, stride, 0, ceil_mode, True)
        if count_include_pad:
            return s
        ones = F.pad(torch.ones_like(x), (l, r, t, b))
        return s / F.avg_pool2d(ones, kernel_size, stride, 0, ceil_mode, True)
    return F.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad)

cases = []

def case(cid, op, x, grad=True, **attrs):
    x = x.clone().requires_grad_(True)
    if op == 'max_pool2d':
        y, idx = max_pool(x, **attrs)
    elif op == 'avg_pool2d':
        y, idx = avg_pool(x, **attrs), None
    else:
        y, idx = x.mean(dim=(2, 3), keepdim=True), None
    c = {"id": f"{op}/{cid}", "op": op, "attrs": attrs, "inputs": {"x": T(x)}, "outputs": {"y": T(y)}}
    if idx is not None:
        c["outputs"]["indices"] = T(idx, "int64")
    if grad:
        g = torch.randn(*y.shape, dtype=torch.float64)
        (dx,) = torch.autograd.grad(y, [x], g)
        c["cotangents"] = {"y": T(g)}
        c["gradients"] = {"x": T(dx)}
    cases.append(c)

r = lambda *s: torch.randn(*s, dtype=torch.float64)
ar = lambda h, w: torch.arange(1., h * w + 1, dtype=torch.float64).reshape(1, 1, h, w)

case('k2', 'max_pool2d', r(1, 2, 4, 4), kernel_size=2)
case('k3-s2-p1', 'max_pool2d', r(1, 1, 5, 5), kernel_size=3, stride=2, padding=1)
case('dilation2-p1', 'max_pool2d', r(1, 1, 6, 6), kernel_size=3, stride=1, padding=1, dilation=2)
case('ceil-5x5-k2', 'max_pool2d', r(1, 1, 5, 5), kernel_size=2, ceil_mode=True)
case('ceil-drops-window', 'max_pool2d', r(1, 1, 5, 5), kernel_size=2, stride=2, padding=1, ceil_mode=True)
case('ceil-overhang-k3', 'max_pool2d', r(1, 1, 4, 4), kernel_size=3, stride=2, padding=1, ceil_mode=True)
case('ties-first-max', 'max_pool2d', torch.tensor([[[[1., 5, 5], [5, 2, 5], [0, 0, 5]]]], dtype=torch.float64), kernel_size=3)
case('ties-overlap', 'max_pool2d', torch.tensor([[[[1., 9, 1, 1], [3, 3, 3, 3]]]], dtype=torch.float64), kernel_size=2, stride=1)
case('asymmetric-pad', 'max_pool2d', -torch.rand(1, 2, 4, 5, dtype=torch.float64), kernel_size=3, stride=2, padding=[2, 0, 1, 2])
case('rect-kernel', 'max_pool2d', r(1, 1, 5, 6), kernel_size=[2, 3], stride=[1, 2])
case('negative-with-padding', 'max_pool2d', -1 - torch.rand(1, 1, 3, 3, dtype=torch.float64), kernel_size=2, stride=1, padding=1)
case('nan-propagates', 'max_pool2d', torch.tensor([[[[float('nan'), 1], [float('nan'), 2]]]], dtype=torch.float64), grad=False, kernel_size=2)
case('batch-ceil-dilation', 'max_pool2d', r(2, 2, 5, 4), kernel_size=2, stride=2, padding=1, dilation=2, ceil_mode=True)
case('ceil-window-longer-than-input', 'max_pool2d', r(1, 1, 2, 2), kernel_size=3, ceil_mode=True)

case('k2', 'avg_pool2d', r(1, 2, 4, 4), kernel_size=2)
case('arange-ceil-include', 'avg_pool2d', ar(4, 4), kernel_size=3, stride=2, padding=1, ceil_mode=True)
case('arange-ceil-exclude', 'avg_pool2d', ar(4, 4), kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
case('ceil-overhang-no-pad', 'avg_pool2d', r(1, 1, 5, 5), kernel_size=2, ceil_mode=True)
case('asymmetric-include', 'avg_pool2d', r(1, 2, 4, 5), kernel_size=3, stride=2, padding=[1, 0, 2, 1])
case('asymmetric-exclude', 'avg_pool2d', r(1, 2, 4, 5), kernel_size=3, stride=2, padding=[1, 0, 2, 1], count_include_pad=False)
case('rect-kernel', 'avg_pool2d', r(1, 1, 5, 4), kernel_size=[3, 2], stride=[1, 2], padding=[1, 0])
case('overlapping', 'avg_pool2d', r(1, 1, 4, 4), kernel_size=2, stride=1)
case('exclude-pad-floor', 'avg_pool2d', r(1, 1, 5, 5), kernel_size=3, stride=3, padding=1, count_include_pad=False)
case('batch-ceil-include', 'avg_pool2d', r(2, 3, 5, 5), kernel_size=3, stride=2, padding=1, ceil_mode=True)
case('stride-gaps', 'avg_pool2d', r(1, 1, 7, 7), kernel_size=2, stride=3)
case('ceil-exclude-p1', 'avg_pool2d', r(1, 1, 6, 5), kernel_size=2, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
case('ceil-window-longer-than-input', 'avg_pool2d', r(1, 1, 2, 2), kernel_size=3, ceil_mode=True)

case('basic', 'global_avg_pool2d', r(2, 3, 4, 5))
case('single-cell', 'global_avg_pool2d', r(1, 2, 1, 1))
case('tall', 'global_avg_pool2d', r(1, 1, 7, 2))

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'torch-cases.jsonl'), 'w') as f:
    for c in cases:
        f.write(json.dumps(c) + '\n')
print(len(cases), 'cases')
