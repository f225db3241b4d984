"""Golden runs of torch.optim.LBFGS (PyTorch 1.13, float64) for src/second-order.

Run with the interpreter that has torch:  /usr/bin/python3 spec/crosscheck/export_lbfgs.py
Writes spec/second-order/torch-1.13-lbfgs.json (small, committed): for each
configuration, the problem, the starting point, and after every
optimizer.step(closure) the closure's first loss, the parameters and the
optimizer's func_evals / n_iter counters.

Problems:
  least-squares  0.5 * ||A x - b||^2 / N with A [12, 5] (one parameter tensor x [5])
  mlp            mean((tanh(X W1^T + b1) w2^T + b2 - y)^2): a 3-4-1 network, four tensors,
                 one batch per step (steps use different batches, so the curvature
                 pairs mix batches as the case format says)
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "second-order", "torch-1.13-lbfgs.json")


def flat(t):
    return t.detach().flatten().tolist()


def least_squares(g):
    A = torch.randn(12, 5, generator=g)
    b = torch.randn(12, generator=g)
    x0 = torch.randn(5, generator=g)
    return {"A": flat(A), "b": flat(b)}, {"x": x0}, lambda p, k: 0.5 * ((A @ p["x"] - b) ** 2).sum() / 12


def mlp(g):
    X = [torch.randn(6, 3, generator=g) for _ in range(4)]
    Y = [torch.randn(6, generator=g) for _ in range(4)]
    start = {"W1": torch.randn(4, 3, generator=g) * 0.7, "b1": torch.randn(4, generator=g) * 0.1,
             "w2": torch.randn(1, 4, generator=g) * 0.7, "b2": torch.randn(1, generator=g) * 0.1}

    def loss(p, k):
        h = torch.tanh(X[k] @ p["W1"].T + p["b1"])
        return ((h @ p["w2"].T).squeeze(1) + p["b2"] - Y[k]).pow(2).mean()
    return {"X": [flat(x) for x in X], "Y": [flat(y) for y in Y]}, start, loss


CONFIGS = [
    ("least-squares/plain", least_squares, {"max_iter": 20}, 3),
    ("least-squares/strong-wolfe", least_squares, {"max_iter": 20, "line_search_fn": "strong_wolfe"}, 3),
    ("least-squares/history-2-lr-0.5", least_squares, {"lr": 0.5, "max_iter": 7, "history_size": 2}, 4),
    ("least-squares/strong-wolfe-history-3-max-eval-6", least_squares,
     {"max_iter": 10, "max_eval": 6, "history_size": 3, "line_search_fn": "strong_wolfe"}, 4),
    ("mlp/plain", mlp, {"lr": 0.8, "max_iter": 5}, 4),
    ("mlp/strong-wolfe", mlp, {"max_iter": 6, "line_search_fn": "strong_wolfe"}, 4),
    ("mlp/strong-wolfe-tolerance-change", mlp, {"max_iter": 12, "line_search_fn": "strong_wolfe", "tolerance_change": 1e-5, "history_size": 4}, 3),
]


# One-dimensional line searches through torch's own _strong_wolfe, to pin the
# zoom phase's branches (insufficient progress, bracket swaps) that a smooth
# least-squares run never reaches. phi(t) = f(x + t d) with x = 0, d = 1.
LINE_FUNCS = {
    "wiggly": lambda x: (x - 3) ** 2 * (x + 1) ** 2 / 10 + torch.sin(5 * x) - 4 * x,
    "steep-valley": lambda x: torch.exp(2 * (x - 2)) + torch.exp(-3 * (x - 2)) - 2 * x,
    "sawtooth": lambda x: 0.5 * torch.cos(9 * x) - x + 0.05 * x ** 4,
    "cos7": lambda x: 2 * torch.cos(7 * x) - x + 0.05 * x ** 4,
    "cos5": lambda x: 2 * torch.cos(5 * x) - x + 0.01 * x ** 4,
}


def line_searches():
    from torch.optim.lbfgs import _strong_wolfe
    out = []
    for name, fn in LINE_FUNCS.items():
        for t0 in [1e-3, 0.1, 0.5, 1.0, 3.0, 10.0, 40.0]:
            x = torch.zeros(1)
            d = torch.ones(1)

            def obj(x, t, d):
                z = (x + t * d).clone().requires_grad_()
                v = fn(z).sum()
                v.backward()
                return float(v), z.grad.clone()
            f, g = obj(x, 0.0, d)
            gtd = g.dot(d)
            if gtd >= 0:
                continue
            fn_, gn, t, evals = _strong_wolfe(obj, x, t0, d, f, g, gtd)
            out.append({"fn": name, "t0": t0, "loss": float(fn_), "grad": float(gn[0]), "t": float(t), "evals": evals})
    return out


def main():
    runs = []
    for i, (cid, make, attrs, steps) in enumerate(CONFIGS):
        g = torch.Generator().manual_seed(1400 + i)
        data, start, loss_fn = make(g)
        params = {k: torch.nn.Parameter(v.clone()) for k, v in start.items()}
        opt = torch.optim.LBFGS(list(params.values()), **attrs)
        record = []
        for k in range(steps):
            def closure():
                opt.zero_grad()
                l = loss_fn(params, k)
                l.backward()
                return l
            l0 = opt.step(closure)
            st = opt.state[opt._params[0]]
            record.append({"loss": float(l0), "params": {n: flat(p) for n, p in params.items()},
                           "func_evals": st["func_evals"], "n_iter": st["n_iter"]})
        runs.append({"id": cid, "problem": cid.split("/")[0], "attrs": attrs, "data": data,
                     "shapes": {n: list(v.shape) for n, v in start.items()},
                     "start": {n: flat(v) for n, v in start.items()}, "steps": record})
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "runs": runs, "line_searches": line_searches()}, f)


if __name__ == "__main__":
    main()
