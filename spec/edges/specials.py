#!/usr/bin/python3
"""
Writes spec/edges/specials.json: PyTorch 1.13's float64 values and gradients
(cotangent 1) of every elementwise activation at the special inputs, where the
case format defines the result by IEEE arithmetic (NaN, +-inf, +-0, the least
subnormals, +-max), and of softmax and log_softmax on rows with NaN and
infinities (cotangent [1, 2, ..]). spec/edges/specials.spec.ts holds the
oracle to it.

Run: /usr/bin/python3 spec/edges/specials.py      (torch 1.13)
"""
import json
import math
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

XS = [math.nan, math.inf, -math.inf, 0.0, -0.0, 5e-324, -5e-324, 1.7976931348623157e308, -1.7976931348623157e308]

FUNCS = {
    'relu': ({}, F.relu),
    'leaky_relu': ({}, lambda x: F.leaky_relu(x, 0.01)),
    'elu': ({}, F.elu),
    'selu': ({}, F.selu),
    'gelu': ({}, F.gelu),
    'gelu_tanh': ({'approximate': 'tanh'}, lambda x: F.gelu(x, approximate='tanh')),
    'sigmoid': ({}, torch.sigmoid),
    'tanh': ({}, torch.tanh),
    'softplus': ({}, F.softplus),
    'softsign': ({}, F.softsign),
    'silu': ({}, F.silu),
    'mish': ({}, F.mish),
    'log_sigmoid': ({}, F.logsigmoid),
}

ROWS = [
    [math.nan, 1.0, 2.0],
    [math.inf, 1.0, 2.0],
    [-math.inf, 1.0, 2.0],
    [-math.inf, -math.inf],
    [math.inf, math.inf],
    [1.7976931348623157e308, -1.7976931348623157e308],
    [-1000.0, -1000.0, -1000.0],
]

def enc(v):
    if math.isnan(v):
        return 'nan'
    if math.isinf(v):
        return 'inf' if v > 0 else '-inf'
    return v

def main():
    out = {'torch': torch.__version__, 'x': [enc(v) for v in XS], 'pointwise': {}, 'rows': []}
    for name, (attrs, f) in FUNCS.items():
        x = torch.tensor(XS, requires_grad=True)
        y = f(x)
        y.backward(torch.ones_like(y))
        op = 'gelu' if name.startswith('gelu') else name
        out['pointwise'][name] = {'op': op, 'attrs': attrs, 'y': [enc(v) for v in y.tolist()], 'dx': [enc(v) for v in x.grad.tolist()]}
    for row in ROWS:
        entry = {'x': [enc(v) for v in row]}
        for name, f in [('softmax', lambda t: F.softmax(t, dim=-1)), ('log_softmax', lambda t: F.log_softmax(t, dim=-1))]:
            x = torch.tensor(row, requires_grad=True)
            y = f(x)
            y.backward(torch.arange(1.0, len(row) + 1))
            entry[name] = {'y': [enc(v) for v in y.tolist()], 'dx': [enc(v) for v in x.grad.tolist()]}
        out['rows'].append(entry)
    with open('spec/edges/specials.json', 'w') as fh:
        json.dump(out, fh, indent=1)
        fh.write('\n')

if __name__ == '__main__':
    main()
