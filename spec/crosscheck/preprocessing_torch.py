"""Golden cases for the Data table's `standardize` and `pca_whiten`, computed by PyTorch 1.13.

standardize is torchvision's Normalize arithmetic, (x - mean) / (std + eps),
broadcast per channel (axis 1) or per feature (x.shape[1:]); pca_whiten is
(x - mean) @ components.T, divided by sqrt(variances + eps) with whiten. Both
forward and the gradients (torch.autograd, float64) for random cotangents;
pca_whiten's gradient for x only (case format). Writes the case-format lines
to spec/preprocessing/torch-cases.jsonl:
  /usr/bin/python3 spec/crosscheck/preprocessing_torch.py
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), 'preprocessing', 'torch-cases.jsonl')


def t(x):
    return {'dtype': 'float64', 'shape': list(x.shape), 'data': x.detach().flatten().tolist()}


def standardize(cid, shape, stat_shape, eps, g):
    x = torch.randn(shape, dtype=torch.float64, generator=g, requires_grad=True)
    mean = torch.randn(stat_shape, dtype=torch.float64, generator=g, requires_grad=True)
    std = (torch.rand(stat_shape, dtype=torch.float64, generator=g) + 0.5).requires_grad_(True)
    view = [1, shape[1]] + [1] * (len(shape) - 2) if len(stat_shape) == 1 and len(shape) > 2 else [1] + list(stat_shape)
    y = (x - mean.view(view)) / (std.view(view) + eps)
    c = torch.randn(shape, dtype=torch.float64, generator=g)
    dx, dm, ds = torch.autograd.grad(y, [x, mean, std], c)
    return {'id': cid, 'op': 'standardize', 'attrs': {'eps': eps}, 'inputs': {'x': t(x), 'mean': t(mean), 'std': t(std)},
            'outputs': {'y': t(y)}, 'cotangents': {'y': t(c)}, 'gradients': {'x': t(dx), 'mean': t(dm), 'std': t(ds)}}


def pca(cid, n, d, whiten, eps, g):
    data = torch.randn(3 * d, d, dtype=torch.float64, generator=g) @ torch.randn(d, d, dtype=torch.float64, generator=g)
    mean = data.mean(0)
    cov = (data - mean).T @ (data - mean) / data.shape[0]
    variances, vecs = torch.linalg.eigh(cov)
    comps = vecs.T.flip(0).contiguous()
    variances = variances.flip(0).contiguous()
    x = torch.randn(n, d, dtype=torch.float64, generator=g, requires_grad=True)
    y = (x - mean) @ comps.T
    if whiten:
        y = y / torch.sqrt(variances + eps)
    c = torch.randn(n, d, dtype=torch.float64, generator=g)
    (dx,) = torch.autograd.grad(y, [x], c)
    return {'id': cid, 'op': 'pca_whiten', 'attrs': {'whiten': whiten, 'eps': eps},
            'inputs': {'x': t(x), 'mean': t(mean), 'components': t(comps), 'variances': t(variances)},
            'outputs': {'y': t(y)}, 'cotangents': {'y': t(c)}, 'gradients': {'x': t(dx)}}


def main():
    g = torch.Generator().manual_seed(12)
    cases = [
        standardize('standardize/per-channel-nchw', [2, 3, 2, 2], [3], 0.0, g),
        standardize('standardize/per-feature-nchw', [2, 2, 2, 3], [2, 2, 3], 0.0, g),
        standardize('standardize/per-feature-nd', [5, 4], [4], 0.0, g),
        standardize('standardize/eps', [3, 2, 2], [2], 0.1, g),
        pca('pca_whiten/rotate', 4, 3, False, 1e-5, g),
        pca('pca_whiten/whiten', 4, 3, True, 1e-5, g),
        pca('pca_whiten/whiten-eps', 2, 4, True, 0.5, g),
    ]
    with open(OUT, 'w') as f:
        for c in cases:
            f.write(json.dumps(c) + '\n')


if __name__ == '__main__':
    main()
