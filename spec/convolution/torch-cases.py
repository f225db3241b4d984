#!/usr/bin/python3
"""
Writes torch-cases.jsonl beside this file: conv2d and conv_transpose2d cases in
the oracle case format (docs/case-format.md), computed by PyTorch 1.13
in float64 on the CPU. Asymmetric conv2d padding goes through F.pad; the
transpose's 4-value padding crops the full output, as ONNX's pads do.
Run: /usr/bin/python3 spec/convolution/torch-cases.py   (torch is not a test dependency)
"""
import json, os
import torch
import torch.nn.functional as F

torch.manual_seed(1913)

def T(t):
    return {"dtype": "float64", "shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}

def pad4(p):
    if isinstance(p, int): return [p, p, p, p]
    if len(p) == 2: return [p[0], p[1], p[0], p[1]]
    return list(p)

def pair(v):
    return [v, v] if isinstance(v, int) else list(v)

def conv2d(x, w, b, stride=1, padding=0, dilation=1, groups=1):
    t, l, bo, r = pad4(padding)
    return F.conv2d(F.pad(x, (l, r, t, bo)), w, b, stride=stride, dilation=dilation, groups=groups)

def conv_transpose2d(x, w, b, stride=1, padding=0, output_padding=0, dilation=1, groups=1):
    t, l, bo, r = pad4(padding)
    full = F.conv_transpose2d(x, w, b, stride=stride, padding=0, output_padding=output_padding, dilation=dilation, groups=groups)
    return full[:, :, t:full.shape[2] - bo, l:full.shape[3] - r]

cases = []

def case(cid, op, xs, ws, bias, **attrs):
    x = torch.randn(*xs, dtype=torch.float64, requires_grad=True)
    w = torch.randn(*ws, dtype=torch.float64, requires_grad=True)
    b = torch.randn(ws[0] if op == 'conv2d' else ws[1] * attrs.get('groups', 1), dtype=torch.float64, requires_grad=True) if bias else None
    y = (conv2d if op == 'conv2d' else conv_transpose2d)(x, w, b, **attrs)
    g = torch.randn(*y.shape, dtype=torch.float64)
    grads = torch.autograd.grad(y, [x, w] + ([b] if bias else []), g)
    inputs = {"x": T(x), "weight": T(w)}
    gradients = {"x": T(grads[0]), "weight": T(grads[1])}
    if bias:
        inputs["bias"] = T(b); gradients["bias"] = T(grads[2])
    cases.append({"id": f"{op}/{cid}", "op": op, "attrs": attrs, "inputs": inputs, "outputs": {"y": T(y)},
                  "cotangents": {"y": T(g)}, "gradients": gradients})

case('basic', 'conv2d', (1, 2, 5, 5), (3, 2, 3, 3), True)
case('stride2-pad1', 'conv2d', (1, 2, 6, 5), (2, 2, 3, 3), True, stride=2, padding=1)
case('asymmetric-pad', 'conv2d', (1, 1, 4, 5), (2, 1, 3, 2), True, padding=[1, 0, 2, 1])
case('groups2', 'conv2d', (1, 4, 4, 4), (6, 2, 2, 2), True, groups=2)
case('dilation2-pad2', 'conv2d', (1, 2, 6, 6), (2, 2, 3, 3), False, dilation=2, padding=2)
case('depthwise-x2', 'conv2d', (2, 3, 4, 4), (6, 1, 3, 3), True, groups=3, padding=1)
case('mixed-hw', 'conv2d', (1, 2, 5, 6), (2, 2, 2, 3), True, stride=[2, 1], dilation=[1, 2], padding=[0, 1])
case('one-by-one', 'conv2d', (2, 3, 3, 2), (4, 3, 1, 1), True)
case('floor-drops-rows', 'conv2d', (1, 1, 6, 7), (1, 1, 3, 3), True, stride=2)
case('no-bias-batch2', 'conv2d', (2, 2, 4, 3), (3, 2, 2, 2), False, stride=1, padding=[1, 0])
case('rect-kernel-pad', 'conv2d', (1, 2, 3, 4), (2, 2, 2, 3), True, padding=[1, 2])
case('groups3-all', 'conv2d', (1, 3, 7, 7), (3, 1, 2, 2), True, groups=3, stride=3, padding=1, dilation=2)
case('asym-stride-groups', 'conv2d', (1, 4, 5, 5), (2, 2, 3, 3), True, groups=2, stride=2, padding=[0, 2, 1, 0])

case('basic', 'conv_transpose2d', (1, 2, 3, 3), (2, 3, 3, 3), True)
case('stride2-pad1-outpad1', 'conv_transpose2d', (1, 2, 3, 3), (2, 2, 3, 3), True, stride=2, padding=1, output_padding=1)
case('groups2', 'conv_transpose2d', (1, 4, 3, 3), (4, 2, 2, 2), True, groups=2)
case('dilation2', 'conv_transpose2d', (1, 2, 3, 3), (2, 2, 3, 3), True, dilation=2)
case('cropping-4', 'conv_transpose2d', (1, 2, 3, 3), (2, 2, 3, 3), True, stride=2, padding=[1, 0, 2, 1])
case('outpad-below-dilation', 'conv_transpose2d', (1, 1, 3, 3), (1, 2, 2, 2), True, dilation=3, output_padding=2)
case('mixed-hw', 'conv_transpose2d', (1, 2, 3, 2), (2, 2, 3, 2), True, stride=[2, 3], padding=[1, 0], output_padding=[1, 2])
case('no-bias-batch2', 'conv_transpose2d', (2, 3, 2, 3), (3, 2, 2, 2), False, stride=2)
case('groups3', 'conv_transpose2d', (1, 3, 3, 3), (3, 2, 2, 2), True, groups=3, stride=2, padding=1)
case('one-by-one-gaps', 'conv_transpose2d', (1, 2, 3, 3), (2, 3, 1, 1), True, stride=2)
case('crop-plus-outpad', 'conv_transpose2d', (1, 2, 3, 3), (2, 2, 3, 3), True, stride=2, padding=[0, 1, 1, 0], output_padding=1)
case('rect-dilated', 'conv_transpose2d', (1, 2, 3, 3), (2, 1, 3, 2), True, dilation=[2, 1], padding=1)

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'torch-cases.jsonl'), 'w') as f:
    for c in cases:
        f.write(json.dumps(c) + '\n')
print(len(cases), 'cases')
