#!/usr/bin/env python3
"""Export PyTorch 1.13 reference `graph` and `train` cases (case format v2).

Writes, in docs/case-format.md's form:

  spec/crosscheck/graph-cases.jsonl   networks as graphs: forward values and
                                      gradients (autograd), with a cotangent on
                                      an intermediate value that is also used
                                      downstream (the gradient accumulates)
  spec/crosscheck/train-mlp.jsonl     an MLP, 100 steps of SGD+momentum+weight
                                      decay (biases in a weight-decay-0 param
                                      group) and 100 steps of Adam
  spec/crosscheck/train-cnn.jsonl     a small CNN (1x8x8 inputs, batch 4), the same
                                      two optimizers

Each train case is a plain PyTorch loop: zero_grad, loss = F.cross_entropy(
model(x), t), loss.backward(), optimizer.step(), with the same initial
parameters and the same batches as the case carries; `losses[i]` is the loss
before step i's update. Everything runs in float64 on one thread with
`foreach=False` (torch.optim's single-tensor path, the algorithm boxes).
Batches are short decimals (MLP inputs rounded to 2 places, CNN pixels in
{0, 0.5, 1}) so the fixtures stay small; parameters and results are written
with Python's repr, which round-trips float64 exactly.

Run with Debian's interpreter, which has torch 1.13:

    /usr/bin/python3 spec/crosscheck/export_train.py
"""
import json
import os
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 100


def encode(t):
    t = t.detach()
    shape = list(t.shape)
    flat = t.reshape(-1).tolist()
    if t.dtype == torch.int64:
        return {"dtype": "int64", "shape": shape, "data": [int(v) for v in flat]}
    if t.dtype == torch.bool:
        return {"dtype": "bool", "shape": shape, "data": [bool(v) for v in flat]}
    return {"dtype": "float64", "shape": shape, "data": [float(v) for v in flat]}


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def node(op, inputs, outputs, attrs=None):
    n = {"op": op}
    if attrs:
        n["attrs"] = attrs
    n["inputs"] = inputs
    n["outputs"] = outputs
    return n


# ---------------------------------------------------------------- networks

class MLP(nn.Module):
    """linear(4, 8) -> relu -> linear(8, 3); parameter names as the graph's."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))

    graph = {"nodes": [
        node("linear", {"x": "x", "weight": "fc1.weight", "bias": "fc1.bias"}, {"y": "h"}),
        node("relu", {"x": "h"}, {"y": "a"}),
        node("linear", {"x": "a", "weight": "fc2.weight", "bias": "fc2.bias"}, {"y": "logits"}),
        node("cross_entropy", {"input": "logits", "target": "t"}, {"loss": "loss"}, {"reduction": "mean"}),
    ]}

    @staticmethod
    def batch():
        x = torch.round(torch.randn(4, 4) * 100) / 100
        return x, torch.randint(0, 3, (4,))


class CNN(nn.Module):
    """conv2d(1->2, 3x3, padding 1) -> relu -> max_pool2d 2 -> flatten -> linear(32, 3)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 2, 3, padding=1)
        self.fc = nn.Linear(2 * 4 * 4, 3)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        return self.fc(torch.flatten(h, 1))

    graph = {"nodes": [
        node("conv2d", {"x": "x", "weight": "conv1.weight", "bias": "conv1.bias"}, {"y": "c"}, {"padding": 1}),
        node("relu", {"x": "c"}, {"y": "r"}),
        node("max_pool2d", {"x": "r"}, {"y": "p"}, {"kernel_size": 2}),
        node("flatten", {"x": "p"}, {"y": "f"}),
        node("linear", {"x": "f", "weight": "fc.weight", "bias": "fc.bias"}, {"y": "logits"}),
        node("cross_entropy", {"input": "logits", "target": "t"}, {"loss": "loss"}, {"reduction": "mean"}),
    ]}

    @staticmethod
    def batch():
        # Pixels in {0, 0.5, 1}; the class is the brightest of three horizontal bands, so the loss can fall.
        x = torch.randint(0, 3, (4, 1, 8, 8)).to(torch.float64) / 2
        bands = torch.stack([x[:, 0, 0:3].sum((1, 2)), x[:, 0, 3:5].sum((1, 2)) * 1.5, x[:, 0, 5:8].sum((1, 2))], 1)
        return x, bands.argmax(1)


# ---------------------------------------------------------------- train cases

OPTIMIZERS = {
    # SGD with momentum and weight decay; biases in their own group without decay.
    "sgd": ({"lr": 0.05, "momentum": 0.9, "weight_decay": 5e-4}, True),
    "adam": ({"lr": 0.01}, False),
}


def train_case(cid, Model, opt_name):
    seed(cid)
    model = Model()
    attrs, bias_group = OPTIMIZERS[opt_name]
    names = [n for n, _ in model.named_parameters()]
    init = {n: p.detach().clone() for n, p in model.named_parameters()}
    biases = [n for n in names if n.endswith(".bias")]
    params = dict(model.named_parameters())
    if bias_group:
        groups = [{"params": [params[n] for n in names if n not in biases]},
                  {"params": [params[n] for n in biases], "weight_decay": 0.0}]
    else:
        groups = [{"params": [params[n] for n in names]}]
    if opt_name == "sgd":
        opt = torch.optim.SGD(groups, foreach=False, **attrs)
    else:
        opt = torch.optim.Adam(groups, foreach=False, **attrs)
    steps, losses = [], []
    for _ in range(STEPS):
        x, t = Model.batch()
        steps.append({"inputs": {"x": encode(x), "t": encode(t)}})
        opt.zero_grad()
        loss = F.cross_entropy(model(x), t)
        losses.append(loss.item())
        loss.backward()
        opt.step()
    case = {
        "id": cid, "op": "train", "graph": Model.graph, "loss": "loss", "params": names,
        "optimizer": {"op": opt_name, "attrs": attrs},
    }
    if bias_group:
        case["param_groups"] = [{"params": biases, "attrs": {"weight_decay": 0}}]
    case.update({
        "inputs": {n: encode(init[n]) for n in names},
        "steps": steps,
        "outputs": {"losses": encode(torch.tensor(losses)), "params": {n: encode(p) for n, p in model.named_parameters()}},
        "tolerance": {"rtol": 1e-7, "atol": 1e-9},
    })
    return case


# ---------------------------------------------------------------- graph cases

def grads_of(scalar, inputs):
    gs = torch.autograd.grad(scalar, [inputs[k] for k in inputs])
    return {k: encode(g) for k, g in zip(inputs, gs)}


def leaf(t):
    return t.detach().clone().requires_grad_(True)


def graph_mlp_batchnorm():
    cid = "graph/mlp-batchnorm-00"
    seed(cid)
    ins = {
        "x": leaf(torch.randn(5, 4)), "fc1.weight": leaf(torch.randn(6, 4) * 0.5), "fc1.bias": leaf(torch.randn(6)),
        "bn1.weight": leaf(1 + 0.1 * torch.randn(6)), "bn1.bias": leaf(0.1 * torch.randn(6)),
        "fc2.weight": leaf(torch.randn(3, 6) * 0.5), "fc2.bias": leaf(torch.randn(3)),
    }
    rm, rv = torch.randn(6) * 0.1, 1 + torch.rand(6)
    t = torch.randint(0, 3, (5,))
    h = F.linear(ins["x"], ins["fc1.weight"], ins["fc1.bias"])
    rm2, rv2 = rm.clone(), rv.clone()
    b = F.batch_norm(h, rm2, rv2, ins["bn1.weight"], ins["bn1.bias"], training=True, momentum=0.1, eps=1e-5)
    a = torch.tanh(b)
    logits = F.linear(a, ins["fc2.weight"], ins["fc2.bias"])
    loss = F.cross_entropy(logits, t)
    # A cotangent on `a`, which fc2 also reads: its gradient is the sum of both.
    ca = torch.round(torch.randn(5, 6) * 100) / 100
    scalar = loss + (ca * a).sum()
    graph = {"nodes": [
        node("linear", {"x": "x", "weight": "fc1.weight", "bias": "fc1.bias"}, {"y": "h"}),
        node("batch_norm", {"x": "h", "running_mean": "bn1.running_mean", "running_var": "bn1.running_var", "weight": "bn1.weight", "bias": "bn1.bias"},
             {"y": "b", "running_mean": "bn1.running_mean.next", "running_var": "bn1.running_var.next"}, {"training": True, "momentum": 0.1, "eps": 1e-5}),
        node("tanh", {"x": "b"}, {"y": "a"}),
        node("linear", {"x": "a", "weight": "fc2.weight", "bias": "fc2.bias"}, {"y": "logits"}),
        node("cross_entropy", {"input": "logits", "target": "t"}, {"loss": "loss"}),
    ]}
    return {
        "id": cid, "op": "graph", "graph": graph,
        "inputs": {**{k: encode(v) for k, v in ins.items()}, "t": encode(t), "bn1.running_mean": encode(rm), "bn1.running_var": encode(rv)},
        "outputs": {"logits": encode(logits), "loss": encode(loss), "bn1.running_mean.next": encode(rm2), "bn1.running_var.next": encode(rv2)},
        "cotangents": {"loss": encode(torch.tensor(1.0)), "a": encode(ca)},
        "gradients": grads_of(scalar, ins),
    }


def graph_residual():
    cid = "graph/residual-block-00"
    seed(cid)
    C = 2
    ins = {
        "x": leaf(torch.randn(2, C, 4, 4)),
        "conv1.weight": leaf(torch.randn(C, C, 3, 3) * 0.3), "bn1.weight": leaf(1 + 0.1 * torch.randn(C)), "bn1.bias": leaf(0.1 * torch.randn(C)),
        "conv2.weight": leaf(torch.randn(C, C, 3, 3) * 0.3), "bn2.weight": leaf(1 + 0.1 * torch.randn(C)), "bn2.bias": leaf(0.1 * torch.randn(C)),
        "fc.weight": leaf(torch.randn(3, C)), "fc.bias": leaf(torch.randn(3)),
    }
    t = torch.randint(0, 3, (2,))
    h = F.conv2d(ins["x"], ins["conv1.weight"], padding=1)
    h = F.relu(F.batch_norm(h, None, None, ins["bn1.weight"], ins["bn1.bias"], training=True))
    h = F.conv2d(h, ins["conv2.weight"], padding=1)
    h = F.batch_norm(h, None, None, ins["bn2.weight"], ins["bn2.bias"], training=True)
    s = F.relu(ins["x"] + h)
    g = torch.flatten(F.adaptive_avg_pool2d(s, 1), 1)
    logits = F.linear(g, ins["fc.weight"], ins["fc.bias"])
    loss = F.cross_entropy(logits, t)
    graph = {"nodes": [
        node("conv2d", {"x": "x", "weight": "conv1.weight"}, {"y": "c1"}, {"padding": 1}),
        node("batch_norm", {"x": "c1", "weight": "bn1.weight", "bias": "bn1.bias"}, {"y": "b1"}, {"training": True}),
        node("relu", {"x": "b1"}, {"y": "r1"}),
        node("conv2d", {"x": "r1", "weight": "conv2.weight"}, {"y": "c2"}, {"padding": 1}),
        node("batch_norm", {"x": "c2", "weight": "bn2.weight", "bias": "bn2.bias"}, {"y": "b2"}, {"training": True}),
        node("add", {"a": "x", "b": "b2"}, {"y": "s"}),
        node("relu", {"x": "s"}, {"y": "r2"}),
        node("global_avg_pool2d", {"x": "r2"}, {"y": "g"}),
        node("flatten", {"x": "g"}, {"y": "gf"}),
        node("linear", {"x": "gf", "weight": "fc.weight", "bias": "fc.bias"}, {"y": "logits"}),
        node("cross_entropy", {"input": "logits", "target": "t"}, {"loss": "loss"}),
    ]}
    return {
        "id": cid, "op": "graph", "graph": graph,
        "inputs": {**{k: encode(v) for k, v in ins.items()}, "t": encode(t)},
        "outputs": {"logits": encode(logits), "loss": encode(loss)},
        "cotangents": {"loss": encode(torch.tensor(1.0))},
        "gradients": grads_of(loss, ins),
    }


def graph_glue():
    cid = "graph/glue-00"
    seed(cid)
    # y = reshape(x * w + b, [2, -1]) with w [3, 1] and b [4] broadcast against x [2, 3, 4]; mse to a target.
    ins = {"x": leaf(torch.randn(2, 3, 4)), "w": leaf(torch.randn(3, 1)), "b": leaf(torch.randn(4)), "target": leaf(torch.randn(2, 12))}
    m = ins["x"] * ins["w"]
    a = m + ins["b"]
    y = torch.reshape(a, (2, -1))
    loss = F.mse_loss(y, ins["target"], reduction="sum")
    cy = torch.round(torch.randn(2, 12) * 100) / 100
    scalar = loss + (cy * y).sum()
    graph = {"nodes": [
        node("mul", {"a": "x", "b": "w"}, {"y": "m"}),
        node("add", {"a": "m", "b": "b"}, {"y": "a"}),
        node("reshape", {"x": "a"}, {"y": "y"}, {"shape": [2, -1]}),
        node("mse_loss", {"input": "y", "target": "target"}, {"loss": "loss"}, {"reduction": "sum"}),
    ]}
    return {
        "id": cid, "op": "graph", "graph": graph,
        "inputs": {k: encode(v) for k, v in ins.items()},
        "outputs": {"y": encode(y), "loss": encode(loss)},
        "cotangents": {"loss": encode(torch.tensor(1.0)), "y": encode(cy)},
        "gradients": grads_of(scalar, ins),
    }


def graph_dropout_mlp():
    cid = "graph/mlp-dropout-00"
    seed(cid)
    ins = {"x": leaf(torch.randn(3, 5)), "fc1.weight": leaf(torch.randn(4, 5) * 0.5), "fc1.bias": leaf(torch.randn(4)),
           "fc2.weight": leaf(torch.randn(2, 4) * 0.5), "fc2.bias": leaf(torch.randn(2))}
    mask = torch.rand(3, 4) >= 0.3
    t = torch.randint(0, 2, (3,))
    h = F.relu(F.linear(ins["x"], ins["fc1.weight"], ins["fc1.bias"]))
    d = h * mask / (1 - 0.3)  # inverted dropout with an explicit mask, p = 0.3
    logits = F.linear(d, ins["fc2.weight"], ins["fc2.bias"])
    loss = F.cross_entropy(logits, t)
    graph = {"nodes": [
        node("linear", {"x": "x", "weight": "fc1.weight", "bias": "fc1.bias"}, {"y": "h0"}),
        node("relu", {"x": "h0"}, {"y": "h"}),
        node("dropout", {"x": "h", "mask": "mask"}, {"y": "d"}, {"p": 0.3, "training": True}),
        node("linear", {"x": "d", "weight": "fc2.weight", "bias": "fc2.bias"}, {"y": "logits"}),
        node("cross_entropy", {"input": "logits", "target": "t"}, {"loss": "loss"}),
    ]}
    return {
        "id": cid, "op": "graph", "graph": graph,
        "inputs": {**{k: encode(v) for k, v in ins.items()}, "mask": encode(mask), "t": encode(t)},
        "outputs": {"logits": encode(logits), "loss": encode(loss)},
        "cotangents": {"loss": encode(torch.tensor(1.0))},
        "gradients": grads_of(loss, ins),
    }


def write(name, cases):
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        for c in cases:
            f.write(json.dumps(c, separators=(",", ":")) + "\n")
    print(f"wrote {len(cases)} cases to {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    write("graph-cases.jsonl", [graph_mlp_batchnorm(), graph_residual(), graph_glue(), graph_dropout_mlp()])
    write("train-mlp.jsonl", [train_case("mlp-sgd/momentum-decay-00", MLP, "sgd"), train_case("mlp-adam/default-00", MLP, "adam")])
    write("train-cnn.jsonl", [train_case("cnn-sgd/momentum-decay-00", CNN, "sgd"), train_case("cnn-adam/default-00", CNN, "adam")])
