#!/usr/bin/env python3
"""Recompute `graph` and `train` cases (case format v2) in PyTorch 1.13, float64.

    /usr/bin/python3 spec/crosscheck/crosscheck_graph.py FILE.jsonl...

Each graph is interpreted node by node with torch.nn.functional; gradients
come from torch.autograd.grad of sum(cotangent * value); train cases run a
plain torch.optim loop (zero_grad, loss.backward(), step) with the case's
param groups. Every number the case states is compared at the case's
tolerance (or the format's float64 default), and train losses also at
relative 1e-9. Exit status 0 when every case agrees; prints one line per case.
Supported ops: the ones the oracle's builders and fixtures use (linear,
conv2d, pooling, activations, batch_norm, dropout with a mask, the glue ops,
cross_entropy, mse_loss); an op outside them is reported, not guessed.
"""
import base64
import json
import math
import struct
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

DT = {"float32": torch.float64, "float64": torch.float64, "int64": torch.int64, "bool": torch.bool}


def decode(t):
    data = t["data"]
    if isinstance(data, str):
        raw = base64.b64decode(data)
        fmt = {"float32": "f", "float64": "d", "int64": "q", "bool": "?"}[t["dtype"]]
        data = list(struct.unpack("<%d%s" % (len(raw) // struct.calcsize(fmt), fmt), raw))
    else:
        data = [float(v) if isinstance(v, str) else v for v in data]
    return torch.tensor(data, dtype=DT[t["dtype"]]).reshape(t["shape"])


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def pad4(v):
    if isinstance(v, int):
        return (v, v, v, v)
    return (v[0], v[1], v[0], v[1]) if len(v) == 2 else tuple(v)


def run_node(n, vals):
    op, a, i = n["op"], n.get("attrs", {}), {k: vals[v] for k, v in n["inputs"].items()}
    if op == "linear":
        return {"y": F.linear(i["x"], i["weight"], i.get("bias"))}
    if op == "conv2d":
        t, l, b, r = pad4(a.get("padding", 0))
        x = F.pad(i["x"], (l, r, t, b)) if (t, l) != (b, r) else i["x"]
        p = 0 if (t, l) != (b, r) else (t, l)
        return {"y": F.conv2d(x, i["weight"], i.get("bias"), stride=pair(a.get("stride", 1)), padding=p, dilation=pair(a.get("dilation", 1)), groups=a.get("groups", 1))}
    if op == "max_pool2d":
        k = pair(a["kernel_size"])
        y, idx = F.max_pool2d(i["x"], k, stride=pair(a.get("stride", a["kernel_size"])), padding=pair(a.get("padding", 0)) if not isinstance(a.get("padding", 0), list) or len(a.get("padding", 0)) == 2 else None, dilation=pair(a.get("dilation", 1)), ceil_mode=a.get("ceil_mode", False), return_indices=True)
        return {"y": y, "indices": idx}
    if op == "global_avg_pool2d":
        return {"y": F.adaptive_avg_pool2d(i["x"], 1)}
    if op in ("relu", "tanh", "sigmoid"):
        return {"y": getattr(torch, op)(i["x"])}
    if op == "leaky_relu":
        return {"y": F.leaky_relu(i["x"], a.get("negative_slope", 0.01))}
    if op == "batch_norm":
        rm = i.get("running_mean")
        rv = i.get("running_var")
        rm2 = rm.clone() if rm is not None else None
        rv2 = rv.clone() if rv is not None else None
        y = F.batch_norm(i["x"], rm2, rv2, i.get("weight"), i.get("bias"), training=a.get("training", False), momentum=a.get("momentum", 0.1), eps=a.get("eps", 1e-5))
        out = {"y": y}
        if rm2 is not None:
            out["running_mean"] = rm2
        if rv2 is not None:
            out["running_var"] = rv2
        return out
    if op == "dropout":
        p, training = a.get("p", 0.5), a.get("training", True)
        if not training:
            return {"y": i["x"] if a.get("inverted", True) else i["x"] * (1 - p)}
        m = i["mask"].to(torch.float64)
        return {"y": i["x"] * m / (1 - p) if a.get("inverted", True) else i["x"] * m}
    if op == "add":
        return {"y": i["a"] + i["b"]}
    if op == "mul":
        return {"y": i["a"] * i["b"]}
    if op == "flatten":
        return {"y": torch.flatten(i["x"], a.get("start_dim", 1), a.get("end_dim", -1))}
    if op == "reshape":
        return {"y": torch.reshape(i["x"], a["shape"])}
    if op == "cross_entropy":
        return {"loss": F.cross_entropy(i["input"], i["target"], weight=i.get("weight"), ignore_index=a.get("ignore_index", -100), label_smoothing=a.get("label_smoothing", 0.0), reduction=a.get("reduction", "mean"))}
    if op == "mse_loss":
        return {"loss": F.mse_loss(i["input"], i["target"], reduction=a.get("reduction", "mean"))}
    raise NotImplementedError(op)


def forward(graph, vals):
    vals = dict(vals)
    for n in graph["nodes"]:
        outs = run_node(n, vals)
        for k, v in n["outputs"].items():
            vals[v] = outs[k]
    return vals


def close(e, a, tol):
    e = e.to(torch.float64) if e.dtype != torch.int64 else e
    if tuple(e.shape) != tuple(a.shape):
        return "shape %s vs %s" % (list(e.shape), list(a.shape))
    a = a.detach().to(e.dtype)
    bad = (a - e).abs() > tol[1] + tol[0] * e.abs()
    if bool(bad.any()):
        j = int(bad.reshape(-1).nonzero()[0])
        return "element %d: case %r, torch %r" % (j, float(e.reshape(-1)[j]), float(a.reshape(-1)[j]))
    return None


def tol_of(case, t):
    if "tolerance" in case:
        return (case["tolerance"]["rtol"], case["tolerance"]["atol"])
    return (1e-4, 1e-5) if t["dtype"] == "float32" else (1e-7, 1e-9)


def check_graph(c):
    ins = {k: decode(t) for k, t in c["inputs"].items()}
    wrt = list(c.get("gradients", {}))
    for k in wrt:
        ins[k] = ins[k].clone().requires_grad_(True)
    vals = forward(c["graph"], ins)
    errs = []
    for k, t in c.get("outputs", {}).items():
        m = close(decode(t), vals[k], tol_of(c, t))
        if m:
            errs.append("outputs.%s: %s" % (k, m))
    if wrt:
        s = sum((decode(t) * vals[k]).sum() for k, t in c.get("cotangents", {}).items())
        gs = torch.autograd.grad(s, [ins[k] for k in wrt], allow_unused=True)
        for k, g in zip(wrt, gs):
            g = torch.zeros_like(ins[k]) if g is None else g
            m = close(decode(c["gradients"][k]), g, tol_of(c, c["gradients"][k]))
            if m:
                errs.append("gradients.%s: %s" % (k, m))
    return errs


def make_opt(name, groups, attrs):
    a = dict(attrs)
    if name in ("adam", "adamw") and ("beta1" in a or "beta2" in a):
        a["betas"] = (a.pop("beta1", 0.9), a.pop("beta2", 0.999))
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}[name]
    return cls(groups, foreach=False, **a) if name != "adagrad" else cls(groups, foreach=False, **a)


def make_schedule(opt, sched):
    """torch.optim.lr_scheduler for a train case's `schedule` ({kind, attrs})."""
    import torch.optim.lr_scheduler as S
    kind, a = sched["kind"], dict(sched.get("attrs", {}))
    table = {"step": S.StepLR, "multistep": S.MultiStepLR, "exponential": S.ExponentialLR, "linear": S.LinearLR,
             "cosine": S.CosineAnnealingLR, "cosine_warm_restarts": S.CosineAnnealingWarmRestarts}
    if kind in table:
        return table[kind](opt, **a)
    if kind == "cyclic":
        return S.CyclicLR(opt, cycle_momentum=False, **a)
    if kind == "one_cycle":
        return S.OneCycleLR(opt, cycle_momentum=False, **a)
    raise ValueError("unknown schedule kind %r" % kind)


def check_train(c):
    ins = {k: decode(t) for k, t in c["inputs"].items()}
    params = {k: ins[k].clone().requires_grad_(True) for k in c["params"]}
    grouped = set()
    groups = []
    for g in c.get("param_groups", []):
        groups.append({"params": [params[k] for k in g["params"]], **g.get("attrs", {})})
        grouped.update(g["params"])
    rest = [params[k] for k in c["params"] if k not in grouped]
    if rest:
        groups.append({"params": rest})
    for g in groups:
        if "beta1" in g or "beta2" in g:
            g["betas"] = (g.pop("beta1", 0.9), g.pop("beta2", 0.999))
    lbfgs = c["optimizer"]["op"] == "lbfgs"
    if lbfgs:
        opt = torch.optim.LBFGS([params[k] for k in c["params"]], **c["optimizer"].get("attrs", {}))
    else:
        opt = make_opt(c["optimizer"]["op"], groups, c["optimizer"].get("attrs", {}))
    sched = make_schedule(opt, c["schedule"]) if "schedule" in c else None
    # torch.optim.swa_utils.AveragedModel with avg_fn = EMA: a copy after step 0, then decay * avg + (1 - decay) * p.
    decay = c["averaging"]["attrs"]["decay"] if "averaging" in c else None
    averaged = None
    losses = []
    for s in c["steps"]:
        batch = {k: decode(t) for k, t in s.get("inputs", {}).items()}
        if lbfgs:
            def closure():
                opt.zero_grad()
                l = forward(c["graph"], {**ins, **params, **batch})[c["loss"]]
                l.backward()
                return l
            losses.append(float(opt.step(closure)))
        else:
            opt.zero_grad()
            vals = forward(c["graph"], {**ins, **params, **batch})
            loss = vals[c["loss"]]
            losses.append(loss.item())
            loss.backward()
            opt.step()
        if decay is not None:
            with torch.no_grad():
                averaged = {k: p.detach().clone() for k, p in params.items()} if averaged is None else \
                    {k: decay * averaged[k] + (1 - decay) * params[k].detach() for k in params}
        if sched is not None:
            sched.step()
    errs = []
    out = c["outputs"]
    if "losses" in out:
        e = decode(out["losses"])
        m = close(e, torch.tensor(losses), tol_of(c, out["losses"]))
        if m:
            errs.append("losses: %s" % m)
        worst = max(abs(a - b) / abs(b) for a, b in zip(losses, e.tolist())) if losses else 0
        if worst > 1e-9 and out["losses"]["dtype"] == "float64" and all(t["dtype"] == "float64" for t in c["inputs"].values() if t["dtype"].startswith("float")):
            errs.append("losses: relative error %.3g above 1e-9" % worst)
    for k, t in out.get("params", {}).items():
        m = close(decode(t), params[k] if k in params else ins[k], tol_of(c, t))
        if m:
            errs.append("params.%s: %s" % (k, m))
    for k, t in out.get("averaged", {}).items():
        m = close(decode(t), averaged[k], tol_of(c, t)) if averaged is not None else "no average in the replay"
        if m:
            errs.append("averaged.%s: %s" % (k, m))
    return errs


def main(paths):
    bad = 0
    n = 0
    for p in paths:
        for line in open(p):
            if not line.strip():
                continue
            c = json.loads(line)
            n += 1
            try:
                errs = check_graph(c) if c["op"] == "graph" else check_train(c) if c["op"] == "train" else ["not a graph or train case"]
            except NotImplementedError as e:
                errs = ["op %s not supported by this script" % e]
            if errs:
                bad += 1
                print("MISMATCH %s: %s" % (c["id"], "; ".join(errs)))
            else:
                print("ok       %s" % c["id"])
    print("%d cases, %d agree with PyTorch %s, %d do not" % (n, n - bad, torch.__version__, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
