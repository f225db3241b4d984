"""Golden cases for the augmentation ops and the lectures' remaining ops
(docs/case-format.md, version 2: "Data" and "More catalogue ops"), exported
from PyTorch 1.13 and torchvision 0.14 on the CPU, in float64.

    /usr/bin/python3 spec/crosscheck/export_augmentation.py

writes spec/crosscheck/augmentation-cases.jsonl (one case per line, the
oracle's case format); spec/augmentation/golden.spec.ts runs `check`'s
evaluation over it. CI never runs this script (it has no PyTorch).

Everything is float64: torch.set_default_dtype(torch.float64) makes
torchvision's internal linspace grids (affine, elastic) float64 too, so no
float32 rounding enters. Each case states its tolerance: rtol 1e-9, atol
1e-12; the oracle and PyTorch sum at most a few dozen O(1) products in
different orders (n * 2^-53 * sum|terms| < 1e-13), and the only coordinate
rounding (grid arithmetic, floorf of the source index) moves a sample by
~1e-15 pixel.

Ops with no PyTorch function (pca_lighting, mixup, cutmix, gelu "sigmoid",
maxout) are written as the torch expressions the case format defines, so
autograd supplies their gradients.
"""
import json
import math
import os

import torch
import torch.nn.functional as TF
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'augmentation-cases.jsonl')
TOL = {'rtol': 1e-9, 'atol': 1e-12}
gen = torch.Generator().manual_seed(20261204)


def rand(*shape, lo=0.0, hi=1.0):
    # multiples of 2^-10: exact, and short in JSON
    return torch.round((lo + (hi - lo) * torch.rand(*shape, generator=gen, dtype=torch.float64)) * 1024) / 1024


def randn(*shape):
    return torch.randn(*shape, generator=gen, dtype=torch.float64)


def tj(t, dtype=None):
    t = t.detach()
    dt = dtype or {torch.float64: 'float64', torch.float32: 'float32', torch.int64: 'int64', torch.bool: 'bool'}[t.dtype]
    data = []
    for v in t.reshape(-1).tolist():
        if isinstance(v, float) and math.isnan(v):
            data.append('NaN')
        elif isinstance(v, float) and math.isinf(v):
            data.append('Infinity' if v > 0 else '-Infinity')
        else:
            data.append(v)
    return {'dtype': dt, 'shape': list(t.shape), 'data': data}


cases = []


def case(cid, op, attrs, inputs, fn, grad=(), out_names=('y',)):
    """fn(**inputs) -> tuple of outputs; gradients of sum(cot * out) for the inputs in grad."""
    leaves = {k: (v.clone().requires_grad_(k in grad)) for k, v in inputs.items()}
    outs = fn(**leaves)
    if not isinstance(outs, tuple):
        outs = (outs,)
    c = {'id': cid, 'op': op, 'attrs': attrs, 'inputs': {k: tj(v) for k, v in inputs.items()},
         'outputs': {n: tj(o) for n, o in zip(out_names, outs)}, 'tolerance': TOL}
    if grad:
        cots = {n: randn(*o.shape) for n, o in zip(out_names, outs) if o.is_floating_point()}
        total = sum((cots[n] * o).sum() for n, o in zip(out_names, outs) if n in cots)
        gs = torch.autograd.grad(total, [leaves[k] for k in grad], allow_unused=True)
        c['cotangents'] = {n: tj(t) for n, t in cots.items()}
        c['gradients'] = {k: tj(g if g is not None else torch.zeros_like(inputs[k])) for k, g in zip(grad, gs)}
    cases.append(c)


# ---------------------------------------------------------------- flips, crop, erase
x = rand(1, 2, 4, 5)
case('hflip/basic', 'hflip', {}, {'x': x}, lambda x: F.hflip(x), grad=('x',))
case('vflip/basic', 'vflip', {}, {'x': x}, lambda x: F.vflip(x), grad=('x',))
for cid, (t, l, h, w) in {'inside': (1, 1, 2, 3), 'full': (0, 0, 4, 5), 'past-bottom-right': (2, 3, 4, 4),
                          'before-top-left': (-2, -1, 4, 3), 'larger-than-image': (-1, -2, 6, 8)}.items():
    case(f'crop/{cid}', 'crop', {'top': t, 'left': l, 'height': h, 'width': w}, {'x': x},
         lambda x, t=t, l=l, h=h, w=w: F.crop(x, t, l, h, w), grad=('x',))
for cid, (t, l, h, w, v) in {'inside': (1, 1, 2, 2, 0.0), 'clipped': (2, 3, 5, 9, 0.5), 'empty': (1, 1, 0, 3, 0.0)}.items():
    case(f'erase/{cid}', 'erase', {'top': t, 'left': l, 'height': h, 'width': w, 'value': v}, {'x': x},
         lambda x, t=t, l=l, h=h, w=w, v=v: F.erase(x, t, l, h, w, torch.tensor(v)), grad=('x',))

# ---------------------------------------------------------------- interpolate
xi = randn(1, 1, 5, 4)
for mode in ('nearest', 'bilinear', 'bicubic'):
    for size in ((9, 7), (3, 2), (1, 1)) + (((5, 4), (10, 8)) if mode == 'nearest' else ((10, 8),) if mode == 'bilinear' else ()):
        for ac in ((None,) if mode == 'nearest' else (False, True)):
            for aa in ((False,) if mode == 'nearest' else (False, True)):
                attrs = {'size': list(size), 'mode': mode}
                if ac is not None:
                    attrs['align_corners'] = ac
                if aa:
                    attrs['antialias'] = True
                cid = f'interpolate/{mode}-{size[0]}x{size[1]}' + ('' if ac is None else f'-ac{int(ac)}') + ('-aa' if aa else '')
                case(cid, 'interpolate', attrs, {'x': xi},
                     lambda x, size=size, mode=mode, ac=ac, aa=aa: TF.interpolate(x, size=size, mode=mode, align_corners=ac, antialias=aa),
                     grad=('x',))
# The float32 scale of nearest: 2 -> 82 is not floor(dst * in / out) everywhere.
case('interpolate/nearest-2to82', 'interpolate', {'size': [82, 3], 'mode': 'nearest'}, {'x': randn(1, 1, 2, 3)},
     lambda x: TF.interpolate(x, size=(82, 3), mode='nearest'), grad=('x',))
case('interpolate/bicubic-aa-up', 'interpolate', {'size': [7, 11], 'mode': 'bicubic', 'antialias': True}, {'x': randn(1, 1, 3, 4)},
     lambda x: TF.interpolate(x, size=(7, 11), mode='bicubic', antialias=True), grad=('x',))

# ---------------------------------------------------------------- colour
xc = rand(2, 3, 2, 3)
xc[0, :, 0, 0] = 0.4  # a grey pixel (hue undefined, saturation 0)
xc[1, 0, 1, 1] = xc[1, 1, 1, 1]  # a tie between R and G
for f in (0.0, 0.6, 1.0, 1.7):
    case(f'adjust_brightness/{f}', 'adjust_brightness', {'factor': f}, {'x': xc}, lambda x, f=f: F.adjust_brightness(x, f), grad=('x',))
    case(f'adjust_contrast/{f}', 'adjust_contrast', {'factor': f}, {'x': xc}, lambda x, f=f: F.adjust_contrast(x, f), grad=('x',))
    case(f'adjust_saturation/{f}', 'adjust_saturation', {'factor': f}, {'x': xc}, lambda x, f=f: F.adjust_saturation(x, f), grad=('x',))
for hf in (-0.5, -0.23, 0.0, 0.1, 0.37, 0.5):
    case(f'adjust_hue/{hf}', 'adjust_hue', {'hue_factor': hf}, {'x': xc}, lambda x, hf=hf: F.adjust_hue(x, hf))

eigval = torch.tensor([0.2175, 0.0188, 0.0045])
eigvec = torch.tensor([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]])
alpha = 0.1 * randn(2, 3)
case('pca_lighting/alexnet', 'pca_lighting', {}, {'x': xc, 'eigvec': eigvec, 'eigval': eigval, 'alpha': alpha},
     lambda x, eigvec, eigval, alpha: x + (eigvec @ (alpha * eigval).T).T[:, :, None, None], grad=('x',))

# ---------------------------------------------------------------- affine, elastic
xa = rand(1, 1, 5, 6)
xs = rand(1, 1, 4, 4)
affines = {
    'identity': (xa, 0.0, [0, 0], 1.0, [0.0, 0.0]),
    'rot90-square': (xs, 90.0, [0, 0], 1.0, [0.0, 0.0]),
    'rot30': (xa, 30.0, [0, 0], 1.0, [0.0, 0.0]),
    'rot-17-translate': (xa, -17.0, [1.0, -2.0], 1.0, [0.0, 0.0]),
    'scale': (xa, 0.0, [0, 0], 0.7, [0.0, 0.0]),
    'shear-x': (xa, 0.0, [0, 0], 1.0, [20.0, 0.0]),
    'shear-xy': (xa, 11.0, [0.5, 0.25], 1.2, [-9.0, 14.0]),
}
for cid, (img, angle, tr, sc, sh) in affines.items():
    for interp in ('nearest', 'bilinear'):
        for fill in ((0.0, 0.25) if cid in ('identity', 'rot30', 'shear-xy') else (0.25,)):
            mode = InterpolationMode.NEAREST if interp == 'nearest' else InterpolationMode.BILINEAR
            case(f'affine/{cid}-{interp}-fill{fill}', 'affine',
                 {'angle': angle, 'translate': tr, 'scale': sc, 'shear': sh, 'interpolation': interp, 'fill': fill}, {'x': img},
                 lambda x, angle=angle, tr=tr, sc=sc, sh=sh, mode=mode, fill=fill: F.affine(x, angle, tr, sc, sh, interpolation=mode, fill=[fill]))
for cid, d in {'zero': torch.zeros(1, 5, 6, 2), 'random': 0.3 * randn(1, 5, 6, 2), 'large': 1.5 * randn(1, 5, 6, 2)}.items():
    for interp in ('nearest', 'bilinear'):
        for fill in ((0.0, 0.5) if cid == 'random' else (0.5,)):
            mode = InterpolationMode.NEAREST if interp == 'nearest' else InterpolationMode.BILINEAR
            case(f'elastic/{cid}-{interp}-fill{fill}', 'elastic', {'interpolation': interp, 'fill': fill}, {'x': xa, 'displacement': d},
                 lambda x, displacement, mode=mode, fill=fill: F.elastic_transform(x, displacement, mode, [fill]))

# ---------------------------------------------------------------- mixup, cutmix
xm = randn(4, 1, 3, 3)
tm = torch.softmax(randn(4, 5), dim=1)
perm = torch.tensor([2, 0, 3, 1])
for lam in (0.0, 0.3, 1.0):
    case(f'mixup/lam{lam}', 'mixup', {'lam': lam}, {'x': xm, 'target': tm, 'perm': perm},
         lambda x, target, perm, lam=lam: (lam * x + (1 - lam) * x[perm], lam * target + (1 - lam) * target[perm]),
         grad=('x', 'target'), out_names=('x', 'target'))


def cutmix(x, target, perm, top, left, height, width):
    H, W = x.shape[-2:]
    r0, r1 = min(max(top, 0), H), min(max(top + height, 0), H)
    c0, c1 = min(max(left, 0), W), min(max(left + width, 0), W)
    r1, c1 = max(r1, r0), max(c1, c0)
    y = x.clone()
    y[:, :, r0:r1, c0:c1] = x[perm][:, :, r0:r1, c0:c1]
    lam = 1 - (r1 - r0) * (c1 - c0) / (H * W)
    return y, lam * target + (1 - lam) * target[perm]


for cid, box in {'inside': (0, 1, 2, 2), 'clipped': (-1, 2, 3, 5), 'empty': (1, 1, 0, 2), 'all': (-1, -1, 9, 9)}.items():
    case(f'cutmix/{cid}', 'cutmix', dict(zip(('top', 'left', 'height', 'width'), box)), {'x': xm, 'target': tm, 'perm': perm},
         lambda x, target, perm, box=box: cutmix(x, target, perm, *box), out_names=('x', 'target'))

# ---------------------------------------------------------------- more catalogue ops
xo = torch.round(randn(2, 6, 2, 3) * 2) / 2  # ties between pieces
for k in (1, 2, 3):
    case(f'maxout/k{k}', 'maxout', {'pieces': k}, {'x': xo},
         lambda x, k=k: x.view(2, 6 // k, k, 2, 3).max(dim=2).values, grad=('x',))
case('maxout/rank2', 'maxout', {'pieces': 2}, {'x': randn(3, 4)}, lambda x: x.view(3, 2, 2).max(dim=2).values, grad=('x',))

for cid, (shape, k, o) in {'7to3-k2': ((2, 2, 7, 9), (2, 2), (3, 4)), 'k3-out1': ((1, 2, 5, 5), (3, 3), (1, 2)),
                           'rect': ((1, 3, 8, 6), (2, 3), (5, 4)), 'tight': ((1, 1, 6, 6), (2, 2), (5, 5))}.items():
    xf = torch.round(randn(*shape) * 2) / 2
    samples = rand(shape[0], shape[1], 2) * 0.999  # stays in [0, 1)
    def fmp(x, samples, k=k, o=o):
        y, i = TF.fractional_max_pool2d(x, k, output_size=o, return_indices=True, _random_samples=samples)
        return y, i
    case(f'fractional_max_pool2d/{cid}', 'fractional_max_pool2d', {'kernel_size': list(k), 'output_size': list(o)},
         {'x': xf, 'samples': samples}, fmp, grad=('x',), out_names=('y', 'indices'))

wn = randn(5, 2, 3)
wn[1] = 0.0
wn[2] = torch.tensor([[3.0, 0.0, 0.0], [0.0, 4.0, 0.0]])  # norm exactly 5
for m in (5.0, 1.5, 0.0):
    case(f'max_norm/{m}', 'max_norm', {'max_norm': m}, {'w': wn}, lambda w, m=m: torch.renorm(w, 2, 0, m), grad=('w',), out_names=('w',))

xg = torch.cat([torch.linspace(-12, 12, 25), randn(7)])
case('gelu/sigmoid', 'gelu', {'approximate': 'sigmoid'}, {'x': xg}, lambda x: x * torch.sigmoid(1.702 * x), grad=('x',))

# ---------------------------------------------------------------- RandAugment's fourteen ops (not catalogue ops)
# torchvision's _apply_op at magnitude bin 9 of 31, both signs, on an RGB and a grey image.
# Posterize and Equalize accept only uint8 images in torchvision 0.14: they run here on
# convert_image_dtype(x, uint8) and come back divided by 255. Solarize's threshold is in uint8
# units (torchvision refuses it for a float image): it is divided by 255. These are the rules
# src/augmentation/rand-augment.ts states. spec/augmentation/randaugment-golden.spec.ts compares
# at 1e-12 (a handful of roundings).
from torchvision.transforms import RandAugment
from torchvision.transforms.autoaugment import _apply_op

RA_OUT = os.path.join(os.path.dirname(OUT), 'randaugment-ops.json')
ra = {'magnitude_bin': 9, 'images': []}
for shape in ((1, 3, 5, 7), (1, 1, 16, 17)):  # 272 grey pixels: enough for equalize's step >= 1
    # (k + u) / 255 with u = 1/4 or 3/4: convert_image_dtype's floor(255.999 x) gives k, rounding would
    # give k + 1 half the time; u stays 1e-4 clear of the boundaries, so float32 rounding cannot move it.
    k = torch.floor(torch.rand(*shape, generator=gen) * 255)
    u = 0.25 + 0.5 * (torch.rand(*shape, generator=gen) < 0.5)
    xr = (k + u) / 255
    space = RandAugment()._augmentation_space(31, tuple(shape[-2:]))
    outs = []
    for name, (mags, signed) in space.items():
        m = float(mags[9].item()) if mags.ndim > 0 else 0.0
        for sign in ((1, -1) if signed else (1,)):
            if name in ('Posterize', 'Equalize'):
                y = _apply_op(F.convert_image_dtype(xr.float(), torch.uint8), name, m * sign, InterpolationMode.NEAREST, None).double() / 255
            elif name == 'Solarize':
                y = F.solarize(xr, m * sign / 255)  # the float image, the threshold in [0, 1]
            else:
                fill = [0.0] * shape[1] if name in ('ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate') else None
                y = _apply_op(xr, name, m * sign, InterpolationMode.NEAREST, fill)
            outs.append({'op': name, 'magnitude': m * sign, 'y': tj(y)})
    ra['images'].append({'x': tj(xr), 'outputs': outs})
with open(RA_OUT, 'w') as fh:
    json.dump(ra, fh, separators=(',', ':'))
print(f'RandAugment ops -> {RA_OUT} ({os.path.getsize(RA_OUT)} bytes)')

with open(OUT, 'w') as fh:
    for c in cases:
        fh.write(json.dumps(c, separators=(',', ':')) + '\n')
print(f'{len(cases)} cases -> {OUT} ({os.path.getsize(OUT)} bytes)')
