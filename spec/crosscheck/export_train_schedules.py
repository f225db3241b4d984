#!/usr/bin/env python3
"""PyTorch 1.13 `train` cases with a `schedule`, `averaging` or the `lbfgs` optimizer.

Writes spec/schedules/train-torch-1.13.jsonl (case format v2, "Train cases"),
each case a plain PyTorch loop in float64 on one thread:

    for i, batch in enumerate(steps):
        opt.zero_grad(); loss = f(params, batch); loss.backward(); opt.step()
        [ema.update_parameters(model)]            AveragedModel(avg_fn = EMA), `averaging`
        [scheduler.step()]                        `schedule`
    L-BFGS: opt.step(closure) per step, losses[i] = the closure's first loss.

Run with Debian's interpreter, which has torch 1.13:
    /usr/bin/python3 spec/crosscheck/export_train_schedules.py
"""
import json
import os
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim import lr_scheduler as S
from torch.optim.swa_utils import AveragedModel

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "schedules", "train-torch-1.13.jsonl")


def encode(t):
    t = t.detach()
    flat = t.reshape(-1).tolist()
    if t.dtype == torch.int64:
        return {"dtype": "int64", "shape": list(t.shape), "data": [int(v) for v in flat]}
    return {"dtype": "float64", "shape": list(t.shape), "data": [float(v) for v in flat]}


def node(op, inputs, outputs, attrs=None):
    n = {"op": op}
    if attrs:
        n["attrs"] = attrs
    n.update({"inputs": inputs, "outputs": outputs})
    return n


class MLP(nn.Module):
    """linear(4, 6) -> tanh -> linear(6, 3), cross-entropy."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.fc2 = nn.Linear(6, 3)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))

    graph = {"nodes": [
        node("linear", {"x": "x", "weight": "fc1.weight", "bias": "fc1.bias"}, {"y": "h"}),
        node("tanh", {"x": "h"}, {"y": "a"}),
        node("linear", {"x": "a", "weight": "fc2.weight", "bias": "fc2.bias"}, {"y": "logits"}),
        node("cross_entropy", {"input": "logits", "target": "t"}, {"loss": "loss"}, {"reduction": "mean"}),
    ]}

    @staticmethod
    def loss(model, batch):
        return F.cross_entropy(model(batch["x"]), batch["t"])

    @staticmethod
    def batch():
        x = torch.round(torch.randn(5, 4) * 100) / 100
        return {"x": x, "t": torch.randint(0, 3, (5,))}


class LeastSquares(nn.Module):
    """mse_loss(linear(A, w, b), y), full batch: A and y are case inputs, steps carry nothing."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(5, 1)
        self.A = torch.round(torch.randn(12, 5) * 100) / 100
        self.y = torch.round(torch.randn(12, 1) * 100) / 100

    graph = {"nodes": [
        node("linear", {"x": "A", "weight": "fc.weight", "bias": "fc.bias"}, {"y": "pred"}),
        node("mse_loss", {"input": "pred", "target": "y"}, {"loss": "loss"}, {"reduction": "mean"}),
    ]}

    @staticmethod
    def loss(model, batch):
        return F.mse_loss(model.fc(model.A), model.y)

    @staticmethod
    def batch():
        return {}


SCHEDULERS = {
    "step": lambda o, a: S.StepLR(o, **a),
    "multistep": lambda o, a: S.MultiStepLR(o, **a),
    "exponential": lambda o, a: S.ExponentialLR(o, **a),
    "linear": lambda o, a: S.LinearLR(o, **a),
    "cosine": lambda o, a: S.CosineAnnealingLR(o, **a),
    "cosine_warm_restarts": lambda o, a: S.CosineAnnealingWarmRestarts(o, **a),
    "cyclic": lambda o, a: S.CyclicLR(o, cycle_momentum=False, **a),
    "one_cycle": lambda o, a: S.OneCycleLR(o, cycle_momentum=False, **a),
}
OPTIM = {
    "sgd": lambda g, a: torch.optim.SGD(g, foreach=False, **a),
    "adam": lambda g, a: torch.optim.Adam(g, foreach=False, **{k: v for k, v in a.items() if k not in ("beta1", "beta2")},
                                          betas=(a.get("beta1", 0.9), a.get("beta2", 0.999))),
    "rmsprop": lambda g, a: torch.optim.RMSprop(g, foreach=False, **a),
    "adagrad": lambda g, a: torch.optim.Adagrad(g, foreach=False, **a),
    "lbfgs": lambda g, a: torch.optim.LBFGS(g, **a),
}

# (id, model, steps, optimizer, attrs, bias-group attrs or None, schedule or None, ema decay or None)
CASES = [
    ("train-schedule/sgd-step-groups", MLP, 12, "sgd", {"lr": 0.1, "momentum": 0.9}, {"lr": 0.3, "weight_decay": 0.0},
     ("step", {"step_size": 4, "gamma": 0.5}), None),
    ("train-schedule/adam-warm-restarts-ema", MLP, 14, "adam", {"lr": 0.02}, None,
     ("cosine_warm_restarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}), 0.9),
    ("train-schedule/sgd-one-cycle-groups", MLP, 12, "sgd", {"lr": 0.1, "momentum": 0.5}, {"lr": 5.0},
     ("one_cycle", {"max_lr": 0.2, "total_steps": 12}), None),
    ("train-schedule/adagrad-exponential-groups", MLP, 10, "adagrad", {"lr": 0.1, "lr_decay": 0.01}, {"lr": 0.05},
     ("exponential", {"gamma": 0.9}), None),
    ("train-schedule/rmsprop-cyclic-triangular2-ema", MLP, 12, "rmsprop", {"lr": 0.01, "momentum": 0.5}, None,
     ("cyclic", {"base_lr": 0.001, "max_lr": 0.01, "step_size_up": 2, "step_size_down": 3, "mode": "triangular2"}), 0.75),
    ("train-schedule/sgd-cosine-ema", MLP, 10, "sgd", {"lr": 0.2}, None, ("cosine", {"T_max": 4, "eta_min": 0.01}), 0.5),
    ("train-lbfgs/least-squares", LeastSquares, 3, "lbfgs", {"max_iter": 6}, None, None, None),
    ("train-lbfgs/least-squares-strong-wolfe-ema", LeastSquares, 3, "lbfgs", {"max_iter": 6, "line_search_fn": "strong_wolfe"}, None, None, 0.8),
    ("train-lbfgs/mlp-strong-wolfe-history-3", MLP, 3, "lbfgs", {"max_iter": 5, "history_size": 3, "line_search_fn": "strong_wolfe"}, None, None, None),
    ("train-lbfgs/mlp-lr-0.5", MLP, 3, "lbfgs", {"lr": 0.5, "max_iter": 4}, None, None, None),
]


def make_case(cid, Model, n, opt_name, attrs, bias_attrs, schedule, decay):
    torch.manual_seed(zlib.crc32(cid.encode()))
    model = Model()
    names = [n_ for n_, _ in model.named_parameters()]
    init = {k: p.detach().clone() for k, p in model.named_parameters()}
    params = dict(model.named_parameters())
    biases = [k for k in names if k.endswith(".bias")]
    if bias_attrs is not None:
        groups = [{"params": [params[k] for k in biases], **bias_attrs},
                  {"params": [params[k] for k in names if k not in biases]}]
    else:
        groups = [{"params": [params[k] for k in names]}]
    opt = OPTIM[opt_name](groups, attrs)
    sched = SCHEDULERS[schedule[0]](opt, schedule[1]) if schedule else None
    ema = AveragedModel(model, avg_fn=lambda a, p, k: decay * a + (1 - decay) * p) if decay is not None else None
    steps, losses = [], []
    for _ in range(n):
        batch = Model.batch()
        steps.append({"inputs": {k: encode(v) for k, v in batch.items()}})
        if opt_name == "lbfgs":
            def closure():
                opt.zero_grad()
                l = Model.loss(model, batch)
                l.backward()
                return l
            losses.append(float(opt.step(closure)))
        else:
            opt.zero_grad()
            loss = Model.loss(model, batch)
            losses.append(loss.item())
            loss.backward()
            opt.step()
        if ema is not None:
            ema.update_parameters(model)
        if sched is not None:
            sched.step()
    inputs = {k: encode(init[k]) for k in names}
    if Model is LeastSquares:
        inputs.update({"A": encode(model.A), "y": encode(model.y)})
    case = {"id": cid, "op": "train", "graph": Model.graph, "loss": "loss", "params": names,
            "optimizer": {"op": opt_name, "attrs": attrs}}
    if bias_attrs is not None:
        case["param_groups"] = [{"params": biases, "attrs": bias_attrs}]
    if schedule:
        case["schedule"] = {"kind": schedule[0], "attrs": schedule[1]}
    if decay is not None:
        case["averaging"] = {"kind": "ema", "attrs": {"decay": decay}}
    outputs = {"losses": encode(torch.tensor(losses)), "params": {k: encode(p) for k, p in model.named_parameters()}}
    if ema is not None:
        outputs["averaged"] = {k.replace("module.", ""): encode(p) for k, p in ema.named_parameters()}
    case.update({"inputs": inputs, "steps": steps, "outputs": outputs, "tolerance": {"rtol": 1e-9, "atol": 1e-11}})
    return case


def main():
    with open(OUT, "w") as f:
        for c in CASES:
            f.write(json.dumps(make_case(*c)) + "\n")


if __name__ == "__main__":
    main()
