#!/usr/bin/env python3
"""PyTorch 1.13 behind nn-oracle's fuzz protocol, in float64.

    nn-oracle fuzz --impl "/usr/bin/python3 spec/crosscheck/torch_impl.py" --op conv2d --seed 1

One case per line on stdin ({"id", "op", "attrs", "inputs", "cotangents"}),
one reply per line on stdout: {"id", "outputs", "gradients"}, the outputs
from torch.nn.functional (torch.optim for the optimizer steps) and the
gradients from autograd, or {"id", "unsupported": "why"} where PyTorch refuses
the case (an exception from torch, asymmetric padding it cannot express, a
max-pool window wholly in the padding, where it returns an index outside the
plane, a torchvision crop it gets the shape of wrong). Nothing here
re-implements an op: each one is a call into PyTorch or torchvision 0.14
(`transforms.functional`; `lr_schedule` through torch.optim.lr_scheduler, as
export_schedules.py), except what PyTorch has no function for, written with
torch operations as docs/case-format.md defines it: the penalties, dropout
with an explicit mask, ema_update, pca_lighting, mixup, cutmix, standardize,
pca_whiten and maxout.

Run by hand, not in CI (CI has no PyTorch): spec/crosscheck/torch_impl_table.py
runs it for every op and writes spec/crosscheck/fuzz-pytorch.md.
"""
import base64
import json
import math
import re
import struct
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.use_deterministic_algorithms(False)


class Decline(Exception):
    pass


DT = {'float32': torch.float64, 'float64': torch.float64, 'int64': torch.int64, 'bool': torch.bool}
FMT = {'float32': '<f', 'float64': '<d', 'int64': '<q', 'bool': '<?'}
NONFINITE = {'NaN': math.nan, 'Infinity': math.inf, '-Infinity': -math.inf}


def decode(t):
    data = t['data']
    if isinstance(data, str):
        raw = base64.b64decode(data)
        size = struct.calcsize(FMT[t['dtype']])
        data = [struct.unpack_from(FMT[t['dtype']], raw, i * size)[0] for i in range(len(raw) // size)]
    data = [NONFINITE.get(v, v) if isinstance(v, str) else v for v in data]
    return torch.tensor(data, dtype=DT[t['dtype']]).reshape(t['shape'])


def num(v):
    if isinstance(v, float):
        if math.isnan(v):
            return 'NaN'
        if math.isinf(v):
            return 'Infinity' if v > 0 else '-Infinity'
    return v


def encode(t):
    t = t.detach()
    if t.dtype == torch.int64:
        return {'dtype': 'int64', 'shape': list(t.shape), 'data': [int(v) for v in t.reshape(-1).tolist()]}
    return {'dtype': 'float64', 'shape': list(t.shape), 'data': [num(float(v)) for v in t.reshape(-1).tolist()]}


def pair(v, default=None):
    if v is None:
        return default
    return tuple(v) if isinstance(v, list) else (v, v)


def sym_pad(p):
    """PyTorch takes an int or (ph, pw): 4-element padding only when it is symmetric."""
    if p is None:
        return (0, 0)
    if isinstance(p, int):
        return (p, p)
    if len(p) == 2:
        return tuple(p)
    t, l, b, r = p
    if t != b or l != r:
        raise Decline('asymmetric 4-element padding (PyTorch takes only (ph, pw))')
    return (t, l)


# Inputs that get no gradient (case format, Settled details).
NO_GRAD = {'weight', 'pos_weight', 'running_mean', 'running_var', 'mask'}
LOSSES = {'cross_entropy', 'nll_loss', 'binary_cross_entropy_with_logits', 'multi_margin_loss'}


def grad_names(op, inputs):
    names = []
    for k, t in inputs.items():
        if not t.is_floating_point():
            continue
        if k in ('running_mean', 'running_var', 'mask'):
            continue
        if op in LOSSES and k in ('weight', 'pos_weight'):
            continue
        if k in NO_GRAD_V2.get(op, ()):
            continue
        names.append(k)
    return names


def optim_sgd(a, x):
    p = x['param'].detach().clone().requires_grad_(True)
    p.grad = x['grad'].detach().clone()
    opt = torch.optim.SGD([p], lr=a['lr'], momentum=a.get('momentum', 0), dampening=a.get('dampening', 0),
                          weight_decay=a.get('weight_decay', 0), nesterov=a.get('nesterov', False))
    if 'momentum_buffer' in x:
        opt.state[p]['momentum_buffer'] = x['momentum_buffer'].detach().clone()
    opt.step()
    out = {'param': p.detach().clone()}
    buf = opt.state[p].get('momentum_buffer')
    if buf is not None:
        out['momentum_buffer'] = buf.detach().clone()
    return out


def expr_sgd(a, x):
    """The same update as torch.optim.SGD, in differentiable torch operations (for the gradients)."""
    p, g = x['param'], x['grad']
    mom, damp, wd = a.get('momentum', 0), a.get('dampening', 0), a.get('weight_decay', 0)
    d = g + wd * p if wd != 0 else g
    out = {}
    if mom != 0:
        buf = mom * x['momentum_buffer'] + (1 - damp) * d if 'momentum_buffer' in x else d
        out['momentum_buffer'] = buf
        d = d + mom * buf if a.get('nesterov', False) else buf
    out['param'] = p - a['lr'] * d
    return out


def optim_adam(a, x):
    p = x['param'].detach().clone().requires_grad_(True)
    p.grad = x['grad'].detach().clone()
    kw = dict(lr=a.get('lr', 1e-3), betas=(a.get('beta1', 0.9), a.get('beta2', 0.999)), eps=a.get('eps', 1e-8), weight_decay=a.get('weight_decay', 0))
    opt = torch.optim.AdamW([p], **kw) if a.get('decoupled', False) else torch.optim.Adam([p], **kw)
    opt.state[p]['step'] = torch.tensor(float(a['step'] - 1))
    opt.state[p]['exp_avg'] = x['exp_avg'].detach().clone()
    opt.state[p]['exp_avg_sq'] = x['exp_avg_sq'].detach().clone()
    opt.step()
    s = opt.state[p]
    return {'param': p.detach().clone(), 'exp_avg': s['exp_avg'].detach().clone(), 'exp_avg_sq': s['exp_avg_sq'].detach().clone()}


def expr_adam(a, x):
    p, g, m, v = x['param'], x['grad'], x['exp_avg'], x['exp_avg_sq']
    lr, b1, b2, eps, wd, t = a.get('lr', 1e-3), a.get('beta1', 0.9), a.get('beta2', 0.999), a.get('eps', 1e-8), a.get('weight_decay', 0), a['step']
    if a.get('decoupled', False):
        p = p * (1 - lr * wd)
    elif wd != 0:
        g = g + wd * p
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    denom = v.sqrt() / math.sqrt(bc2) + eps
    return {'param': p - (lr / bc1) * m / denom, 'exp_avg': m, 'exp_avg_sq': v}


def optimizer_step(optim, expr):
    def run(a, x):
        ref = optim(a, x)
        out = expr(a, x)
        for k, t in ref.items():
            if k not in out or not torch.allclose(out[k].detach(), t, rtol=1e-13, atol=1e-15):
                raise Decline(f'the differentiable expression of {k} disagrees with torch.optim')
        return out
    return run


def dropout(a, x):
    p, training, inverted = a.get('p', 0.5), a.get('training', True), a.get('inverted', True)
    t = x['x']
    if not training:
        return {'y': t if inverted else t * (1 - p)}
    if p == 1:
        return {'y': t * 0}  # case format: p 1 in training gives all zeros, whatever the mask
    mask = x['mask'].to(torch.float64)
    return {'y': t * mask / (1 - p) if inverted else t * mask}


def max_pool2d(a, x):
    k = pair(a['kernel_size'])
    y, idx = F.max_pool2d(x['x'], k, stride=pair(a.get('stride'), k), padding=sym_pad(a.get('padding')),
                          dilation=pair(a.get('dilation'), (1, 1)), ceil_mode=a.get('ceil_mode', False), return_indices=True)
    plane = x['x'].shape[2] * x['x'].shape[3]
    # A window wholly in the padding: PyTorch gives -inf and an index computed from a tap outside the
    # image (outside the plane, or wrapped into another row of it); the case format says index -1.
    empty = torch.isneginf(y) & ~torch.isneginf(x['x']).any()
    if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= plane or bool(empty.any())):
        raise Decline('a window lies wholly in the padding (PyTorch gives -inf and an index from outside the image)')
    return {'y': y, 'indices': idx}


def batch_norm(a, x):
    rm = x['running_mean'].detach().clone() if 'running_mean' in x else None
    rv = x['running_var'].detach().clone() if 'running_var' in x else None
    y = F.batch_norm(x['x'], rm, rv, x.get('weight'), x.get('bias'), training=a.get('training', False), momentum=a.get('momentum', 0.1), eps=a.get('eps', 1e-5))
    out = {'y': y}
    if rm is not None:
        out['running_mean'] = rm
    if rv is not None:
        out['running_var'] = rv
    return out


def layer_norm(a, x):
    shape = a.get('normalized_shape')
    if shape is None:
        axis = a['axis'] % x['x'].dim()
        shape = list(x['x'].shape[axis:])
    if isinstance(shape, int):
        shape = [shape]
    return {'y': F.layer_norm(x['x'], shape, x.get('weight'), x.get('bias'), eps=a.get('eps', 1e-5))}


def group_norm(a, x):
    weight, bias = x.get('weight'), x.get('bias')
    if weight is None and bias is not None:
        # PyTorch 1.13's group_norm backward fails ("tensor does not have a device") with a bias and no
        # weight; a weight of ones (no gradient asked) is the same function.
        weight = torch.ones(x['x'].shape[1])
    return {'y': F.group_norm(x['x'], a['num_groups'], weight, bias, eps=a.get('eps', 1e-5))}


def gelu(a, x):
    approx = a.get('approximate', 'none')
    if approx not in ('none', 'tanh'):
        raise Decline(f'gelu approximate {approx!r} is not a PyTorch option')
    return {'y': F.gelu(x['x'], approximate=approx)}


OPS = {
    'linear': lambda a, x: {'y': F.linear(x['x'], x['weight'], x.get('bias'))},
    'matmul': lambda a, x: {'y': torch.matmul(x['a'], x['b'])},
    'relu': lambda a, x: {'y': F.relu(x['x'])},
    'sigmoid': lambda a, x: {'y': torch.sigmoid(x['x'])},
    'tanh': lambda a, x: {'y': torch.tanh(x['x'])},
    'softsign': lambda a, x: {'y': F.softsign(x['x'])},
    'silu': lambda a, x: {'y': F.silu(x['x'])},
    'mish': lambda a, x: {'y': F.mish(x['x'])},
    'log_sigmoid': lambda a, x: {'y': F.logsigmoid(x['x'])},
    'selu': lambda a, x: {'y': F.selu(x['x'])},
    'leaky_relu': lambda a, x: {'y': F.leaky_relu(x['x'], a.get('negative_slope', 0.01))},
    'elu': lambda a, x: {'y': F.elu(x['x'], a.get('alpha', 1.0))},
    'gelu': gelu,
    'softplus': lambda a, x: {'y': F.softplus(x['x'], a.get('beta', 1), a.get('threshold', 20))},
    'prelu': lambda a, x: {'y': F.prelu(x['x'], x['weight'])},
    'softmax': lambda a, x: {'y': F.softmax(x['x'], dim=a.get('dim', -1))},
    'log_softmax': lambda a, x: {'y': F.log_softmax(x['x'], dim=a.get('dim', -1))},
    'cross_entropy': lambda a, x: {'loss': F.cross_entropy(x['input'], x['target'], weight=x.get('weight'), ignore_index=a.get('ignore_index', -100),
                                                           reduction=a.get('reduction', 'mean'), label_smoothing=a.get('label_smoothing', 0.0))},
    'nll_loss': lambda a, x: {'loss': F.nll_loss(x['input'], x['target'], weight=x.get('weight'), ignore_index=a.get('ignore_index', -100), reduction=a.get('reduction', 'mean'))},
    'binary_cross_entropy_with_logits': lambda a, x: {'loss': F.binary_cross_entropy_with_logits(x['input'], x['target'], weight=x.get('weight'),
                                                                                                reduction=a.get('reduction', 'mean'), pos_weight=x.get('pos_weight'))},
    'multi_margin_loss': lambda a, x: {'loss': F.multi_margin_loss(x['input'], x['target'], p=a.get('p', 1), margin=a.get('margin', 1), weight=x.get('weight'), reduction=a.get('reduction', 'mean'))},
    'mse_loss': lambda a, x: {'loss': F.mse_loss(x['input'], x['target'], reduction=a.get('reduction', 'mean'))},
    'l1_penalty': lambda a, x: {'loss': x['w'].abs().sum()},
    'l2_penalty': lambda a, x: {'loss': (x['w'] * x['w']).sum()},
    'elastic_net_penalty': lambda a, x: {'loss': (a.get('beta', 1) * x['w'] * x['w'] + x['w'].abs()).sum()},
    'dropout': dropout,
    'conv2d': lambda a, x: {'y': F.conv2d(x['x'], x['weight'], x.get('bias'), stride=pair(a.get('stride'), 1), padding=sym_pad(a.get('padding')),
                                          dilation=pair(a.get('dilation'), 1), groups=a.get('groups', 1))},
    'conv_transpose2d': lambda a, x: {'y': F.conv_transpose2d(x['x'], x['weight'], x.get('bias'), stride=pair(a.get('stride'), 1), padding=sym_pad(a.get('padding')),
                                                              output_padding=pair(a.get('output_padding'), 0), groups=a.get('groups', 1), dilation=pair(a.get('dilation'), 1))},
    'max_pool2d': max_pool2d,
    'avg_pool2d': lambda a, x: {'y': F.avg_pool2d(x['x'], pair(a['kernel_size']), stride=pair(a.get('stride'), pair(a['kernel_size'])), padding=sym_pad(a.get('padding')),
                                                  ceil_mode=a.get('ceil_mode', False), count_include_pad=a.get('count_include_pad', True))},
    'global_avg_pool2d': lambda a, x: {'y': F.adaptive_avg_pool2d(x['x'], 1)},
    'batch_norm': batch_norm,
    'layer_norm': layer_norm,
    'instance_norm': lambda a, x: {'y': F.instance_norm(x['x'], weight=x.get('weight'), bias=x.get('bias'), eps=a.get('eps', 1e-5))},
    'group_norm': group_norm,
    'sgd_step': optimizer_step(optim_sgd, expr_sgd),
    'adam_step': optimizer_step(optim_adam, expr_adam),
}


# ---------------------------------------------------------------- version-2 ops
# torchvision 0.14's functional transforms on tensors; the ops PyTorch has no
# function for (mixup, cutmix, pca_lighting, standardize, pca_whiten, maxout,
# ema_update) are the torch expressions docs/case-format.md defines.
import os  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchvision.transforms.functional as TF  # noqa: E402
from torchvision.transforms import InterpolationMode  # noqa: E402
from export_schedules import make_scheduler, run as run_scheduler  # noqa: E402

MODES = {'nearest': InterpolationMode.NEAREST, 'bilinear': InterpolationMode.BILINEAR}
# Inputs with no gradient, per op (case format: the op's row).
NO_GRAD_V2 = {'pca_lighting': {'eigvec', 'eigval', 'alpha'}, 'pca_whiten': {'mean', 'components', 'variances'},
              'fractional_max_pool2d': {'samples'}, 'elastic': {'displacement'}}


def lr_schedule(a, x):
    steps = x['step']
    n = int(steps.max()) if steps.numel() else 0
    lrs = torch.tensor(run_scheduler(make_scheduler(a), float(a.get('lr', 1.0)), n), dtype=torch.float64)
    return {'lr': lrs[steps.long().flatten()].reshape(steps.shape)}


def crop(a, x):
    y = TF.crop(x['x'], a['top'], a['left'], a['height'], a['width'])
    if tuple(y.shape[-2:]) != (a['height'], a['width']):
        # torchvision 0.14 slices img[..., max(top, 0):top + height] and then pads: a box ending above or left of
        # the image (a negative end) or starting below or right of it comes back with the wrong shape.
        raise Decline('torchvision 0.14 crop gives the wrong shape for a box not overlapping the image (negative slice end)')
    return {'y': y}


def interpolate(a, x):
    mode = a.get('mode', 'bilinear')
    kw = {} if mode == 'nearest' else {'align_corners': a.get('align_corners'), 'antialias': a.get('antialias', False)}
    return {'y': F.interpolate(x['x'], size=tuple(a['size']), mode=mode, **kw)}


def affine(a, x):
    return {'y': TF.affine(x['x'], a.get('angle', 0.0), list(a.get('translate', [0, 0])), a.get('scale', 1.0), list(a.get('shear', [0.0, 0.0])),
                           interpolation=MODES[a.get('interpolation', 'nearest')], fill=[a.get('fill', 0.0)])}


def elastic(a, x):
    return {'y': TF.elastic_transform(x['x'], x['displacement'], MODES[a.get('interpolation', 'bilinear')], [a.get('fill', 0.0)])}


def erase(a, x):
    return {'y': TF.erase(x['x'], a['top'], a['left'], a['height'], a['width'], torch.tensor(float(a.get('value', 0))))}


def cutmix(a, x):
    t, perm = x['x'], x['perm']
    H, W = t.shape[-2:]
    top, left, height, width = a['top'], a['left'], a['height'], a['width']
    r0, r1 = min(max(top, 0), H), min(max(top + height, 0), H)
    c0, c1 = min(max(left, 0), W), min(max(left + width, 0), W)
    r1, c1 = max(r1, r0), max(c1, c0)
    y = t.clone()
    y[:, :, r0:r1, c0:c1] = t[perm][:, :, r0:r1, c0:c1]
    lam = 1 - (r1 - r0) * (c1 - c0) / (H * W)
    return {'x': y, 'target': lam * x['target'] + (1 - lam) * x['target'][perm]}


def standardize(a, x):
    t, mean, std = x['x'], x['mean'], x['std']
    if mean.dim() == 1 and t.dim() > 2 and mean.shape[0] == t.shape[1]:
        view = [1, -1] + [1] * (t.dim() - 2)  # per channel
        mean, std = mean.view(view), std.view(view)
    return {'y': (t - mean) / (std + a.get('eps', 0))}


def pca_whiten(a, x):
    y = (x['x'] - x['mean']) @ x['components'].T
    return {'y': y / torch.sqrt(x['variances'] + a.get('eps', 1e-5)) if a.get('whiten', False) else y}


def maxout(a, x):
    t, k = x['x'], a['pieces']
    return {'y': t.view(t.shape[0], t.shape[1] // k, k, *t.shape[2:]).max(dim=2).values}


def fractional_max_pool2d(a, x):
    y, i = F.fractional_max_pool2d(x['x'], tuple(a['kernel_size']), output_size=tuple(a['output_size']), return_indices=True, _random_samples=x['samples'])
    return {'y': y, 'indices': i}


OPS.update({
    'add': lambda a, x: {'y': x['a'] + x['b']},
    'mul': lambda a, x: {'y': x['a'] * x['b']},
    'flatten': lambda a, x: {'y': torch.flatten(x['x'], a.get('start_dim', 1), a.get('end_dim', -1))},
    'reshape': lambda a, x: {'y': torch.reshape(x['x'], a['shape'])},
    'lr_schedule': lr_schedule,
    'ema_update': lambda a, x: {'average': a.get('decay', 0.999) * x['average'] + (1 - a.get('decay', 0.999)) * x['param']},
    'hflip': lambda a, x: {'y': TF.hflip(x['x'])},
    'vflip': lambda a, x: {'y': TF.vflip(x['x'])},
    'crop': crop,
    'interpolate': interpolate,
    'adjust_brightness': lambda a, x: {'y': TF.adjust_brightness(x['x'], a['factor'])},
    'adjust_contrast': lambda a, x: {'y': TF.adjust_contrast(x['x'], a['factor'])},
    'adjust_saturation': lambda a, x: {'y': TF.adjust_saturation(x['x'], a['factor'])},
    'adjust_hue': lambda a, x: {'y': TF.adjust_hue(x['x'], a['hue_factor'])},
    'pca_lighting': lambda a, x: {'y': x['x'] + (x['eigvec'] @ (x['alpha'] * x['eigval']).T).T[:, :, None, None]},
    'affine': affine,
    'elastic': elastic,
    'erase': erase,
    'mixup': lambda a, x: {'x': a['lam'] * x['x'] + (1 - a['lam']) * x['x'][x['perm']], 'target': a['lam'] * x['target'] + (1 - a['lam']) * x['target'][x['perm']]},
    'cutmix': cutmix,
    'standardize': standardize,
    'pca_whiten': pca_whiten,
    'maxout': maxout,
    'fractional_max_pool2d': fractional_max_pool2d,
    'max_norm': lambda a, x: {'w': torch.renorm(x['w'], 2, 0, a['max_norm'])},
})


def reason(e):
    """A decline reason that groups alike: the first line of PyTorch's message, numbers as #."""
    text = str(e).strip().split('\n')[0]
    return re.sub(r'\d+', '#', f'torch refuses: {type(e).__name__}: {text}')[:150]


def answer(case):
    op = case['op']
    if op not in OPS:
        raise Decline(f'op {op} is not wired to PyTorch here')
    a = case.get('attrs') or {}
    inputs = {k: decode(t) for k, t in case['inputs'].items()}
    wrt = grad_names(op, inputs)
    for k in wrt:
        inputs[k].requires_grad_(True)
    try:
        outs = OPS[op](a, inputs)
    except Decline:
        raise
    except (RuntimeError, ValueError, IndexError, TypeError) as e:
        raise Decline(reason(e))
    reply = {'outputs': {k: encode(t) for k, t in outs.items()}}
    cot = case.get('cotangents')
    if cot and wrt:
        terms = [(outs[k] * decode(c)).sum() for k, c in cot.items() if k in outs and outs[k].requires_grad]
        try:
            grads = torch.autograd.grad(sum(terms), [inputs[k] for k in wrt], allow_unused=True) if terms else [None] * len(wrt)
        except RuntimeError as e:
            # PyTorch 1.13's backward fails on some inputs its forward takes (group_norm with a bias and no weight).
            raise Decline(reason(e).replace('torch refuses:', 'torch backward fails:'))
        reply['gradients'] = {k: encode(g if g is not None else torch.zeros_like(inputs[k])) for k, g in zip(wrt, grads)}
    return reply


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        try:
            reply = {'id': case['id'], **answer(case)}
        except Decline as d:
            reply = {'id': case['id'], 'unsupported': str(d)}
        sys.stdout.write(json.dumps(reply) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
