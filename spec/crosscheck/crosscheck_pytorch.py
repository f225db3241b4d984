#!/usr/bin/env python3
"""Independent cross-check of oracle vectors against PyTorch 1.13 (issue 4).

Reads a case file in the oracle's case format (docs/case-format.md), for
example one written by

    node --import tsx src/cli/bin.ts vectors --out FILE [--dtype float32|float64] [--seed S] [--count N]

recomputes every case with PyTorch in float64 from the case's own inputs,
attributes and cotangents, and compares with the case's `outputs` and
`gradients` by the case-format rule |a - e| <= atol + rtol |e| (the case's
`tolerance`, else float64 rtol 1e-7 atol 1e-9, float32 rtol 1e-4 atol 1e-5, by
the expected tensor's dtype); NaN passes only against NaN, an infinity only
against the same infinity, shapes must be equal, int64/bool exactly.
Gradients are torch.autograd.grad of sum(cotangent * output) over the case's
cotangents, with respect to the inputs named in the case's `gradients`.

    /usr/bin/python3 spec/crosscheck/crosscheck_pytorch.py FILE [FILE ...] [--quiet]

Prints one line per disagreeing case (op, id, tensor, index, expected and
torch values, how many elements disagree), then a per-op table (tol.used: the
largest |a - e| / (atol + rtol |e|) among agreeing finite elements, i.e. the
share of the tolerance used; 1 would be the edge); exits 0 only
when every case agrees (no disagreement, no skip), 1 otherwise, 2 when a file
cannot be read.

How each op reaches PyTorch (everything else is the torch.nn.functional call
of the same name):

- conv2d with asymmetric 4-value padding: F.pad with zeros, then padding 0.
- conv_transpose2d with asymmetric 4-value padding: the full output (padding 0,
  same output_padding), cropped [top, left, bottom, right], as ONNX pads do.
- max_pool2d / avg_pool2d: natively when the padding is symmetric and at most
  half the kernel (PyTorch's own check). Otherwise (PyTorch refuses, or has
  no asymmetric form) the case is EMULATED (counted in the table's `emulated` column):
    max: F.pad(value=-inf) with the case's padding (plus one stride of -inf at
      the end, for ceil_mode overhang), F.max_pool2d with padding 0, the output
      cut to the case format's size rule; indices mapped from the padded plane
      back to the H x W plane, and a winner outside it (a window wholly in
      padding, whose max is -inf) written as -1, the oracle's documented value
      (src/pooling/max-pool2d.ts (3); torch cannot be asked);
    avg: the window sum from F.avg_pool2d over the zero-padded input times
      kh*kw, divided by the count that F.avg_pool2d of a 0/1 mask gives (the
      image for count_include_pad false, image plus declared padding for true,
      never the ceil_mode overhang); a window with no image cell gives 0, the
      oracle's documented value (src/pooling/avg-pool2d.ts (3)): no PyTorch
      call can produce such a window, so this one value is not cross-checked.
- batch_norm: running statistics cloned and updated in place by F.batch_norm.
- layer_norm `axis`: normalized_shape = x.shape[axis:].
- group_norm: F.group_norm without affine, then weight and bias applied by
  broadcasting (torch 1.13's native group_norm backward fails with a bias and
  no weight).
- dropout: PyTorch's F.dropout draws its own mask, so the given mask is
  applied by its documented formula x * mask / (1 - p) (inverted) or x * mask.
- sgd_step / adam_step outputs: torch.optim.SGD / Adam / AdamW (foreach=False)
  run for one step from the given state (SGD: momentum_buffer in state; Adam:
  exp_avg, exp_avg_sq and state['step'] = step - 1, which 1.13 increments
  before using it). Their GRADIENTS cannot come from torch.optim (its step is
  not differentiable; SGD even detaches the first momentum buffer), so they
  are recomputed by autograd through a functional re-implementation of
  PyTorch's documented update formulas (_sgd_formula, _adam_formula below),
  whose forward is also checked against torch.optim's output.

Known intentional differences (listed as `known`, not counted as disagreements):
- adam_step gradients where v' = beta2 v + (1 - beta2) g^2 = 0: autograd
  through sqrt gives NaN, the oracle the partial derivative. Such an element is
  `known` only when the oracle's value equals autograd with exp_avg_sq nudged
  by 1e-300 at those elements (the partials are continuous from v > 0).
- max_pool2d windows with no tap inside the image (reachable natively through
  dilation): PyTorch gives an index outside the H x W plane, the oracle -1.
  PyTorch's CPU backward then adds that window's cotangent at the
  out-of-plane index, into another plane's gradient or past the end of the
  buffer (heap corruption; the process aborted with "malloc(): unaligned
  tcache chunk detected"), so for such a case y and the gradient come from the
  F.pad(-inf) emulation and only `indices` from torch natively.
"""
import base64
import json
import math
import struct
import sys
from collections import OrderedDict

import torch
import torch.nn.functional as F
from export_schedules import op_ema_update, op_lr_schedule  # src/schedules, src/averaging

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

DEFAULT_TOL = {"float64": (1e-7, 1e-9), "float32": (1e-4, 1e-5)}
NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class Skip(Exception):
    """A case this script cannot put to PyTorch; its reason is reported."""


# ---------------------------------------------------------------- tensors

def decode(t):
    dtype, shape, data = t["dtype"], list(t["shape"]), t["data"]
    n = 1
    for d in shape:
        n *= d
    if isinstance(data, str):
        raw = base64.b64decode(data)
        fmt = {"float32": "f", "float64": "d", "int64": "q", "bool": "B"}[dtype]
        vals = list(struct.unpack("<%d%s" % (n, fmt), raw))
    else:
        vals = [NONFINITE[v] if isinstance(v, str) else v for v in data]
    if dtype == "bool":
        return torch.tensor([bool(v) for v in vals], dtype=torch.bool).reshape(shape)
    if dtype == "int64":
        return torch.tensor([int(v) for v in vals], dtype=torch.int64).reshape(shape)
    return torch.tensor([float(v) for v in vals], dtype=torch.float64).reshape(shape)


# ---------------------------------------------------------------- attributes

def pair(v):
    return (v, v) if isinstance(v, (int, float)) else tuple(v)


def pad4(v):
    """[top, left, bottom, right] from an int, [ph, pw] or a 4-list."""
    if isinstance(v, (int, float)):
        return (v, v, v, v)
    v = list(v)
    return (v[0], v[1], v[0], v[1]) if len(v) == 2 else tuple(v)


def symmetric(p):
    return p[0] == p[2] and p[1] == p[3]


def get(attrs, name, default):
    return attrs[name] if name in attrs else default


# ---------------------------------------------------------------- ops
# Each takes (attrs, inputs: dict of tensors, info: dict for notes) and returns
# a dict of output tensors named as in the catalogue.

def unary(f):
    return lambda a, i, info: {"y": f(i["x"])}


def op_conv2d(a, i, info):
    stride, dil, groups = pair(get(a, "stride", 1)), pair(get(a, "dilation", 1)), get(a, "groups", 1)
    p = pad4(get(a, "padding", 0))
    x = i["x"]
    if symmetric(p):
        pad = (p[0], p[1])
    else:
        x = F.pad(x, (p[1], p[3], p[0], p[2]))
        pad = (0, 0)
    return {"y": F.conv2d(x, i["weight"], i.get("bias"), stride, pad, dil, groups)}


def op_conv_transpose2d(a, i, info):
    stride, dil, groups = pair(get(a, "stride", 1)), pair(get(a, "dilation", 1)), get(a, "groups", 1)
    op_ = pair(get(a, "output_padding", 0))
    p = pad4(get(a, "padding", 0))
    if symmetric(p):
        return {"y": F.conv_transpose2d(i["x"], i["weight"], i.get("bias"), stride, (p[0], p[1]), op_, groups, dil)}
    y = F.conv_transpose2d(i["x"], i["weight"], i.get("bias"), stride, 0, op_, groups, dil)
    t, l, b, r = p
    return {"y": y[:, :, t:y.shape[2] - b, l:y.shape[3] - r]}


def pool_out(L, k, s, pb, pe, d, ceil):
    """Output length by the case format's rule (also PyTorch's pooling_output_shape)."""
    span = L + pb + pe - d * (k - 1) - 1
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= L + pb:
        out -= 1
    return out


def pool_geometry(a):
    k = pair(a["kernel_size"])
    s = pair(a["stride"]) if a.get("stride") is not None else k
    p = pad4(get(a, "padding", 0))
    return k, s, p


def torch_accepts_pool_padding(k, p):
    return symmetric(p) and p[0] <= k[0] // 2 and p[1] <= k[1] // 2


def op_max_pool2d(a, i, info):
    k, s, p = pool_geometry(a)
    d = pair(get(a, "dilation", 1))
    ceil = bool(get(a, "ceil_mode", False))
    x = i["x"]
    H, W = x.shape[2], x.shape[3]
    native_idx = None
    if torch_accepts_pool_padding(k, p):
        with torch.no_grad():
            _, native_idx = F.max_pool2d(x, k, s, (p[0], p[1]), d, ceil_mode=ceil, return_indices=True)
        if bool(((native_idx >= 0) & (native_idx < H * W)).all()):
            y, idx = F.max_pool2d(x, k, s, (p[0], p[1]), d, ceil_mode=ceil, return_indices=True)
            return {"y": y, "indices": idx}
        # A window with no tap in the image: torch's backward would add its cotangent at the
        # out-of-plane index, past the plane and possibly past the buffer (a heap corruption:
        # "malloc(): unaligned tcache chunk detected" here). y and the gradient come from the
        # emulation below; `indices` stays torch's own, to show the documented difference.
        info["native_idx"] = native_idx
        info["emulated"] = ("max_pool2d: window with no tap in the image: torch's native indices, y and gradient "
                            "by F.pad(-inf) emulation (torch's backward writes out of bounds there)")
    else:
        info["emulated"] = "max_pool2d: padding %s asymmetric or beyond half the kernel %s: F.pad(-inf) emulation" % (list(p), list(k))
    ho = pool_out(H, k[0], s[0], p[0], p[2], d[0], ceil)
    wo = pool_out(W, k[1], s[1], p[1], p[3], d[1], ceil)
    xp = F.pad(x, (p[1], p[3] + s[1], p[0], p[2] + s[0]), value=-math.inf)
    Wp = xp.shape[3]
    y, idx = F.max_pool2d(xp, k, s, 0, d, ceil_mode=False, return_indices=True)
    y, idx = y[:, :, :ho, :wo], idx[:, :, :ho, :wo]
    r, c = idx // Wp - p[0], idx % Wp - p[1]
    inside = (r >= 0) & (r < H) & (c >= 0) & (c < W)
    idx = torch.where(inside, r * W + c, torch.full_like(idx, -1))
    return {"y": y, "indices": idx if native_idx is None else native_idx}


def op_avg_pool2d(a, i, info):
    k, s, p = pool_geometry(a)
    ceil = bool(get(a, "ceil_mode", False))
    cip = bool(get(a, "count_include_pad", True))
    x = i["x"]
    H, W = x.shape[2], x.shape[3]
    if torch_accepts_pool_padding(k, p):
        return {"y": F.avg_pool2d(x, k, s, (p[0], p[1]), ceil_mode=ceil, count_include_pad=cip)}
    info["emulated"] = "avg_pool2d: padding %s asymmetric or beyond half the kernel %s: F.pad(0) + divisor emulation" % (list(p), list(k))
    ho = pool_out(H, k[0], s[0], p[0], p[2], 1, ceil)
    wo = pool_out(W, k[1], s[1], p[1], p[3], 1, ceil)
    ext = (p[1], p[3] + s[1], p[0], p[2] + s[0])
    area = k[0] * k[1]
    window_sum = F.avg_pool2d(F.pad(x, ext), k, s, 0, count_include_pad=True)[:, :, :ho, :wo] * area
    image = F.pad(torch.ones(1, 1, H, W), ext)
    counted = image if not cip else F.pad(F.pad(torch.ones(1, 1, H, W), (p[1], p[3], p[0], p[2]), value=1.0),
                                          (0, s[1], 0, s[0]))
    n_image = (F.avg_pool2d(image, k, s, 0) * area)[:, :, :ho, :wo].round()
    divisor = (F.avg_pool2d(counted, k, s, 0) * area)[:, :, :ho, :wo].round()
    safe = torch.where(n_image > 0, divisor, torch.ones_like(divisor))
    return {"y": torch.where(n_image > 0, window_sum / safe, torch.zeros_like(window_sum))}


def op_batch_norm(a, i, info):
    training = bool(get(a, "training", False))
    rm = i["running_mean"].clone() if "running_mean" in i else None
    rv = i["running_var"].clone() if "running_var" in i else None
    y = F.batch_norm(i["x"], rm, rv, i.get("weight"), i.get("bias"), training,
                     get(a, "momentum", 0.1), get(a, "eps", 1e-5))
    out = {"y": y}
    if rm is not None:
        out["running_mean"], out["running_var"] = rm, rv
    return out


def op_layer_norm(a, i, info):
    x = i["x"]
    if "axis" in a and a["axis"] is not None:
        ax = a["axis"] % x.dim()
        shape = list(x.shape[ax:])
    else:
        shape = list(a["normalized_shape"])
    return {"y": F.layer_norm(x, shape, i.get("weight"), i.get("bias"), get(a, "eps", 1e-5))}


def channel_view(t, x):
    return t.view((1, -1) + (1,) * (x.dim() - 2))


def op_instance_norm(a, i, info):
    x = i["x"]
    y = F.instance_norm(x, eps=get(a, "eps", 1e-5))
    if "weight" in i:
        y = y * channel_view(i["weight"], x)
    if "bias" in i:
        y = y + channel_view(i["bias"], x)
    return {"y": y}


def op_group_norm(a, i, info):
    x = i["x"]
    y = F.group_norm(x, a["num_groups"], None, None, get(a, "eps", 1e-5))
    if "weight" in i:
        y = y * channel_view(i["weight"], x)
    if "bias" in i:
        y = y + channel_view(i["bias"], x)
    return {"y": y}


def op_dropout(a, i, info):
    p = get(a, "p", 0.5)
    training, inverted = bool(get(a, "training", True)), bool(get(a, "inverted", True))
    x = i["x"]
    if not training:
        return {"y": x * 1.0 if inverted else x * (1 - p)}
    if p == 1:
        return {"y": x * 0.0}
    m = i["mask"].to(torch.float64)
    return {"y": x * m / (1 - p) if inverted else x * m}


def op_cross_entropy(a, i, info):
    return {"loss": F.cross_entropy(i["input"], i["target"], i.get("weight"),
                                    ignore_index=get(a, "ignore_index", -100), reduction=get(a, "reduction", "mean"),
                                    label_smoothing=get(a, "label_smoothing", 0.0))}


def op_nll_loss(a, i, info):
    return {"loss": F.nll_loss(i["input"], i["target"], i.get("weight"),
                               ignore_index=get(a, "ignore_index", -100), reduction=get(a, "reduction", "mean"))}


def op_bce_logits(a, i, info):
    return {"loss": F.binary_cross_entropy_with_logits(i["input"], i["target"], i.get("weight"),
                                                       reduction=get(a, "reduction", "mean"),
                                                       pos_weight=i.get("pos_weight"))}


def op_multi_margin(a, i, info):
    return {"loss": F.multi_margin_loss(i["input"], i["target"], p=get(a, "p", 1), margin=get(a, "margin", 1.0),
                                        weight=i.get("weight"), reduction=get(a, "reduction", "mean"))}


# ---------------------------------------------------------------- optimizers

def _sgd_formula(a, param, grad, buf):
    """PyTorch's documented SGD step, differentiable in every input (torch.optim.SGD docs, 1.13)."""
    lr, mu, tau, lam, nesterov = a["lr"], get(a, "momentum", 0), get(a, "dampening", 0), \
        get(a, "weight_decay", 0), bool(get(a, "nesterov", False))
    d = grad + lam * param if lam != 0 else grad
    out = {}
    if mu != 0:
        b = d if buf is None else mu * buf + (1 - tau) * d  # first step: b = g, no dampening
        d = d + mu * b if nesterov else b
        out["momentum_buffer"] = b
    out["param"] = param - lr * d
    return out


def _adam_formula(a, param, grad, m, v):
    """PyTorch's documented Adam / AdamW step at step t (torch.optim.Adam, AdamW docs, 1.13)."""
    lr, b1, b2, eps = get(a, "lr", 1e-3), get(a, "beta1", 0.9), get(a, "beta2", 0.999), get(a, "eps", 1e-8)
    lam, decoupled, t = get(a, "weight_decay", 0), bool(get(a, "decoupled", False)), a["step"]
    if decoupled:
        param = param * (1 - lr * lam)
    elif lam != 0:
        grad = grad + lam * param
    m2 = b1 * m + (1 - b1) * grad
    v2 = b2 * v + (1 - b2) * grad * grad
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    denom = torch.sqrt(v2) / math.sqrt(bc2) + eps
    return {"param": param - (lr / bc1) * m2 / denom, "exp_avg": m2, "exp_avg_sq": v2}


def op_sgd_step(a, i, info):
    """Outputs from torch.optim.SGD; the functional formula gives the (differentiable) values."""
    mu = get(a, "momentum", 0)
    p = torch.nn.Parameter(i["param"].detach().clone())
    opt = torch.optim.SGD([p], lr=a["lr"], momentum=mu, dampening=get(a, "dampening", 0),
                          weight_decay=get(a, "weight_decay", 0), nesterov=bool(get(a, "nesterov", False)),
                          foreach=False)
    if "momentum_buffer" in i:
        opt.state[p]["momentum_buffer"] = i["momentum_buffer"].detach().clone()
    p.grad = i["grad"].detach().clone()
    opt.step()
    ref = {"param": p.detach().clone()}
    buf = opt.state[p].get("momentum_buffer") if p in opt.state else None
    if buf is not None and mu != 0:
        ref["momentum_buffer"] = buf.detach().clone()
    out = _sgd_formula(a, i["param"], i["grad"], i.get("momentum_buffer") if mu != 0 else None)
    info["optim_ref"] = ref
    info["note"] = "gradients: autograd through the functional SGD formula"
    return out


def op_adam_step(a, i, info):
    decoupled = bool(get(a, "decoupled", False))
    p = torch.nn.Parameter(i["param"].detach().clone())
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    opt = cls([p], lr=get(a, "lr", 1e-3), betas=(get(a, "beta1", 0.9), get(a, "beta2", 0.999)),
              eps=get(a, "eps", 1e-8), weight_decay=get(a, "weight_decay", 0), foreach=False)
    # torch 1.13: state['step'] is a tensor incremented BEFORE the bias corrections use it.
    opt.state[p] = {"step": torch.tensor(float(a["step"] - 1)),
                    "exp_avg": i["exp_avg"].detach().clone(), "exp_avg_sq": i["exp_avg_sq"].detach().clone()}
    p.grad = i["grad"].detach().clone()
    opt.step()
    st = opt.state[p]
    assert float(st["step"]) == a["step"], "torch.optim step counting changed"
    ref = {"param": p.detach().clone(), "exp_avg": st["exp_avg"].clone(), "exp_avg_sq": st["exp_avg_sq"].clone()}
    out = _adam_formula(a, i["param"], i["grad"], i["exp_avg"], i["exp_avg_sq"])
    info["optim_ref"] = ref
    info["note"] = "gradients: autograd through the functional Adam formula"
    return out


OPS = {
    "linear": lambda a, i, info: {"y": F.linear(i["x"], i["weight"], i.get("bias"))},
    "matmul": lambda a, i, info: {"y": torch.matmul(i["a"], i["b"])},
    "conv2d": op_conv2d,
    "conv_transpose2d": op_conv_transpose2d,
    "max_pool2d": op_max_pool2d,
    "avg_pool2d": op_avg_pool2d,
    "global_avg_pool2d": lambda a, i, info: {"y": F.adaptive_avg_pool2d(i["x"], 1)},
    "relu": unary(F.relu),
    "sigmoid": unary(torch.sigmoid),
    "tanh": unary(torch.tanh),
    "softsign": unary(F.softsign),
    "silu": unary(F.silu),
    "mish": unary(F.mish),
    "log_sigmoid": unary(F.logsigmoid),
    "selu": unary(F.selu),
    "leaky_relu": lambda a, i, info: {"y": F.leaky_relu(i["x"], get(a, "negative_slope", 0.01))},
    "elu": lambda a, i, info: {"y": F.elu(i["x"], get(a, "alpha", 1.0))},
    "gelu": lambda a, i, info: {"y": F.gelu(i["x"], approximate=get(a, "approximate", "none"))},
    "softplus": lambda a, i, info: {"y": F.softplus(i["x"], get(a, "beta", 1), get(a, "threshold", 20))},
    "prelu": lambda a, i, info: {"y": F.prelu(i["x"], i["weight"])},
    "softmax": lambda a, i, info: {"y": F.softmax(i["x"], dim=get(a, "dim", -1))},
    "log_softmax": lambda a, i, info: {"y": F.log_softmax(i["x"], dim=get(a, "dim", -1))},
    "batch_norm": op_batch_norm,
    "layer_norm": op_layer_norm,
    "instance_norm": op_instance_norm,
    "group_norm": op_group_norm,
    "dropout": op_dropout,
    "cross_entropy": op_cross_entropy,
    "nll_loss": op_nll_loss,
    "binary_cross_entropy_with_logits": op_bce_logits,
    "multi_margin_loss": op_multi_margin,
    "mse_loss": lambda a, i, info: {"loss": F.mse_loss(i["input"], i["target"], reduction=get(a, "reduction", "mean"))},
    "l1_penalty": lambda a, i, info: {"loss": i["w"].abs().sum()},
    "l2_penalty": lambda a, i, info: {"loss": (i["w"] ** 2).sum()},
    "elastic_net_penalty": lambda a, i, info: {"loss": (get(a, "beta", 1.0) * i["w"] ** 2 + i["w"].abs()).sum()},
    "sgd_step": op_sgd_step,
    "adam_step": op_adam_step,
    "lr_schedule": op_lr_schedule,
    "ema_update": op_ema_update,
}


# ---------------------------------------------------------------- comparison

def close(actual, expected, rtol, atol):
    """Elementwise case-format rule; returns a bool tensor."""
    a, e = actual.to(torch.float64), expected.to(torch.float64)
    both_nan = torch.isnan(a) & torch.isnan(e)
    inf_e = torch.isinf(e)
    same_inf = inf_e & (a == e)
    finite = ~torch.isnan(a) & ~torch.isnan(e) & ~inf_e & ~torch.isinf(a)
    ok_finite = finite & ((a - e).abs() <= atol + rtol * e.abs())
    return both_nan | same_inf | ok_finite


def fmt(v):
    v = float(v)
    return repr(int(v)) if v.is_integer() and abs(v) < 2 ** 53 else repr(v)


def unravel(flat, shape):
    idx = []
    for d in reversed(shape):
        idx.append(flat % d if d else 0)
        flat //= d if d else 1
    return list(reversed(idx))


def compare(kind, name, actual, expected_json, tol, known):
    """Returns (problem or None, known notes). A problem is a dict describing the worst element."""
    exp = decode(expected_json)
    if actual is None:
        return {"tensor": "%s.%s" % (kind, name), "msg": "torch produced no such tensor"}, [], 0.0
    actual = actual.detach()
    if list(actual.shape) != list(exp.shape):
        return {"tensor": "%s.%s" % (kind, name),
                "msg": "shape %s, torch %s" % (list(exp.shape), list(actual.shape))}, [], 0.0
    if exp.dtype in (torch.int64, torch.bool):
        rtol, atol = 0.0, 0.0
    else:
        rtol, atol = tol if tol is not None else DEFAULT_TOL[expected_json["dtype"]]
    ok = close(actual, exp, rtol, atol).reshape(-1)
    a_flat, e_flat = actual.reshape(-1).to(torch.float64), exp.reshape(-1).to(torch.float64)
    # the share of the tolerance the agreeing finite elements use: how much headroom there is
    fin = ok & torch.isfinite(a_flat) & torch.isfinite(e_flat)
    bound = atol + rtol * e_flat.abs()
    share = torch.where(fin & (bound > 0), (a_flat - e_flat).abs() / torch.where(bound > 0, bound, torch.ones_like(bound)),
                        torch.zeros_like(bound))
    used = float(share.max()) if share.numel() else 0.0
    notes = []
    bad = [j for j in range(ok.numel()) if not bool(ok[j])]
    still = []
    for j in bad:
        why = known(kind, name, j)
        if why:
            notes.append("%s.%s%s: expected %s, torch %s (%s)" % (kind, name, unravel(j, list(exp.shape)),
                                                                 fmt(e_flat[j]), fmt(a_flat[j]), why))
        else:
            still.append(j)
    if not still:
        return None, notes, used

    def err(j):
        a, e = float(a_flat[j]), float(e_flat[j])
        d = abs(a - e)
        return math.inf if math.isnan(d) else d / (atol + rtol * abs(e)) if atol + rtol * abs(e) > 0 else math.inf

    worst = max(still, key=err)
    return {"tensor": "%s.%s" % (kind, name), "index": unravel(worst, list(exp.shape)),
            "expected": fmt(e_flat[worst]), "actual": fmt(a_flat[worst]),
            "count": len(still), "size": ok.numel(), "rtol": rtol, "atol": atol}, notes, used


def known_differences(case, inputs, info):
    """Element filter for the documented intentional differences (module docstring)."""
    op = case["op"]
    attrs = case.get("attrs", {})

    def known(kind, name, j):
        if op == "adam_step" and kind == "gradients":
            b2 = get(attrs, "beta2", 0.999)
            g = inputs["grad"].reshape(-1)[j]
            if get(attrs, "weight_decay", 0) != 0 and not get(attrs, "decoupled", False):
                g = g + attrs["weight_decay"] * inputs["param"].reshape(-1)[j]
            v2 = b2 * inputs["exp_avg_sq"].reshape(-1)[j] + (1 - b2) * g * g
            if float(v2) == 0.0:
                # The oracle's value must be the partial derivative, which is continuous from v > 0:
                # autograd at exp_avg_sq nudged by 1e-300 where v' = 0 must reproduce it.
                if "adam_nudged" not in info:
                    info["adam_nudged"] = adam_nudged_gradients(case, inputs, attrs)
                e = float(decode(case["gradients"][name]).reshape(-1)[j])
                a = float(info["adam_nudged"][name].reshape(-1)[j])
                rtol, atol = DEFAULT_TOL[case["gradients"][name]["dtype"]]
                if abs(a - e) <= atol + rtol * abs(e):
                    return ("v' = 0: autograd through sqrt gives NaN; the oracle's finite value equals autograd "
                            "with exp_avg_sq nudged to 1e-300 there (%s)" % fmt(a))
        if op == "max_pool2d" and kind == "outputs" and name == "indices" and "native_idx" in info:
            x = inputs["x"]
            plane = x.shape[2] * x.shape[3]
            i = int(info["native_idx"].reshape(-1)[j])
            e = int(decode(case["outputs"]["indices"]).reshape(-1)[j])
            if e == -1 and not (0 <= i < plane):
                return "window with no tap in the image: torch's index is outside the plane, the oracle's -1"
        return None
    return known


def adam_nudged_gradients(case, inputs, attrs):
    """Autograd of the Adam formula with exp_avg_sq + 1e-300 where v' = 0 (partial derivatives from v > 0)."""
    b2 = get(attrs, "beta2", 0.999)
    g = inputs["grad"]
    if get(attrs, "weight_decay", 0) != 0 and not get(attrs, "decoupled", False):
        g = g + attrs["weight_decay"] * inputs["param"]
    v = inputs["exp_avg_sq"]
    v2 = b2 * v + (1 - b2) * g * g
    leaves = {k: inputs[k].clone().requires_grad_(True) for k in ("param", "grad", "exp_avg")}
    leaves["exp_avg_sq"] = v.clone().requires_grad_(True)
    nudged = leaves["exp_avg_sq"] + torch.where(v2 == 0, torch.full_like(v, 1e-300), torch.zeros_like(v))
    out = _adam_formula(attrs, leaves["param"], leaves["grad"], leaves["exp_avg"], nudged)
    cots = {k: decode(t) for k, t in case["cotangents"].items()}
    total = sum((cots[k] * out[k]).sum() for k in cots)
    names = list(case["gradients"])
    got = torch.autograd.grad(total, [leaves[k] for k in names], allow_unused=True)
    return {k: (gr if gr is not None else torch.zeros_like(leaves[k])).detach() for k, gr in zip(names, got)}


def run_case(case):
    op = case["op"]
    if op not in OPS:
        raise Skip("op %r not in this script's map" % op)
    attrs = case.get("attrs") or {}
    raw = {k: decode(v) for k, v in case["inputs"].items()}
    wrt = list((case.get("gradients") or {}).keys())
    leaves = {}
    for k, t in raw.items():
        leaf = t.clone()
        if k in wrt:
            if not leaf.is_floating_point():
                raise Skip("gradient asked for non-float input %r" % k)
            leaf.requires_grad_(True)
        leaves[k] = leaf
    info = {}
    try:
        outs = OPS[op](attrs, leaves, info)
    except Skip:
        raise
    except Exception as e:  # noqa: BLE001 - torch's refusal is reported, not fatal
        raise Skip("torch raised %s: %s" % (type(e).__name__, str(e).splitlines()[0][:160]))
    grads = {}
    if wrt:
        cots = {k: decode(v) for k, v in (case.get("cotangents") or {}).items()}
        terms = [(cots[k] * outs[k]).sum() for k in cots if k in outs and outs[k].is_floating_point()]
        if terms:
            total = sum(terms)
            got = torch.autograd.grad(total, [leaves[k] for k in wrt], allow_unused=True)
        else:
            got = [None] * len(wrt)
        grads = {k: (g if g is not None else torch.zeros_like(leaves[k])) for k, g in zip(wrt, got)}

    tol = None
    if case.get("tolerance"):
        tol = (case["tolerance"].get("rtol", 0.0), case["tolerance"].get("atol", 0.0))
    known = known_differences(case, raw, info)
    problems, notes, used = [], [], 0.0
    # Optimizer outputs are judged against torch.optim itself; the formula serves the gradients.
    judged = info.get("optim_ref", outs)
    for kind, have in (("outputs", judged), ("gradients", grads)):
        for name, exp in (case.get(kind) or {}).items():
            prob, nts, u = compare(kind, name, have.get(name), exp, tol, known)
            notes += nts
            used = max(used, u)
            if prob:
                problems.append(prob)
    # The functional optimizer formula must reproduce torch.optim itself (else its gradients mean nothing).
    # Both compute in float64 in a different order: a few ulps of the inputs' scale apart at most.
    if "optim_ref" in info:
        ref_all = info["optim_ref"]
        if set(ref_all) != set(outs):
            problems.append({"tensor": "formula-vs-torch.optim", "msg": "different output sets %s vs %s"
                             % (sorted(ref_all), sorted(outs))})
        for name, ref in ref_all.items():
            mine = outs.get(name)
            if mine is None or not bool(close(mine.detach(), ref, 1e-12, 1e-15).all()):
                problems.append({"tensor": "formula-vs-torch.optim." + name,
                                 "msg": "the functional formula disagrees with torch.optim"})
    info["used"] = used
    return problems, notes, info


# ---------------------------------------------------------------- main

def describe(p):
    if "msg" in p:
        return "%s: %s" % (p["tensor"], p["msg"])
    return "%s%s expected %s torch %s (%d of %d elements outside rtol %g atol %g)" % (
        p["tensor"], p["index"], p["expected"], p["actual"], p["count"], p["size"], p["rtol"], p["atol"])


def main(argv):
    quiet = "--quiet" in argv
    files = [a for a in argv if not a.startswith("--")]
    if not files:
        print("usage: /usr/bin/python3 spec/crosscheck/crosscheck_pytorch.py FILE [FILE ...] [--quiet]\n" + __doc__)
        return 2
    table = OrderedDict()
    n_cases = n_bad = n_skip = n_known = 0
    for path in files:
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError as e:
            print("cannot read %s: %s" % (path, e))
            return 2
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            case = json.loads(line)
            op = case["op"]
            row = table.setdefault(op, {"cases": 0, "agree": 0, "disagree": 0, "skipped": 0, "emulated": 0,
                                        "known": 0, "used": 0.0, "reasons": set()})
            row["cases"] += 1
            n_cases += 1
            try:
                problems, notes, info = run_case(case)
            except Skip as s:
                row["skipped"] += 1
                row["reasons"].add("skipped: " + str(s))
                n_skip += 1
                print("SKIP     %-34s %-44s %s" % (op, case["id"], s))
                continue
            row["used"] = max(row["used"], info["used"])
            if "emulated" in info:
                row["emulated"] += 1
                row["reasons"].add(info["emulated"])
            if "note" in info:
                row["reasons"].add(info["note"])
            for nt in notes:
                n_known += 1
                row["known"] += 1
                if not quiet:
                    print("KNOWN    %-34s %-44s %s" % (op, case["id"], nt))
            if problems:
                row["disagree"] += 1
                n_bad += 1
                for p in problems:
                    print("DISAGREE %-34s %-44s %s" % (op, case["id"], describe(p)))
            else:
                row["agree"] += 1

    print()
    w = max([len(op) for op in table] + [5])
    print("%-*s %6s %6s %9s %8s %9s %6s %9s" % (w, "op", "cases", "agree", "disagree", "skipped", "emulated", "known",
                                                "tol.used"))
    for op, r in table.items():
        print("%-*s %6d %6d %9d %8d %9d %6d %9.1e" % (w, op, r["cases"], r["agree"], r["disagree"], r["skipped"],
                                                      r["emulated"], r["known"], r["used"]))
    print("%-*s %6d %6d %9d %8d %9s %6d" % (w, "total", n_cases, n_cases - n_bad - n_skip, n_bad, n_skip, "",
                                            n_known))
    notes = sorted({(op, r) for op, row in table.items() for r in row["reasons"]})
    if notes:
        print("\nnotes:")
        for op, r in notes:
            print("  %s: %s" % (op, r))
    print("\n%s: %d cases, %d agree, %d disagree, %d skipped, %d known-difference elements"
          % ("OK" if n_bad == 0 and n_skip == 0 else "FAIL", n_cases, n_cases - n_bad - n_skip, n_bad, n_skip, n_known))
    return 0 if n_bad == 0 and n_skip == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
