#!/usr/bin/env python3
"""Independent numpy version of `nn-oracle experiment activation-stats` (issue 5).

The experiment (src/experiments/activation-stats.ts, cs231n lecture 6): a
batch of unit Gaussians X [batch, width] goes through `layers` bias-free fully
connected layers, h_l = f(h_{l-1} W_l^T), f = tanh | relu, W_l [width, width];
per layer, the mean and the POPULATION std (divide by N = batch * width) of the
layer's OUTPUT h_l (after f; layer 1 = the first hidden layer's output).

Inits, written here from their documented definitions (fan_in = fan_out = width
for these square weights):
  normal:STD      N(0, STD^2)
  xavier          N(0, 1 / fan_in)                      (the lectures' randn / sqrt(n))
  glorot-normal   N(0, 2 / (fan_in + fan_out))          (torch xavier_normal_, gain 1)
  glorot-uniform  U(+-sqrt(6 / (fan_in + fan_out)))     (torch xavier_uniform_, gain 1)
  kaiming         N(0, gain^2 / fan_in)                 gain = calculate_gain(f): sqrt(2) relu, 5/3 tanh
  kaiming-uniform U(+-sqrt(3) gain / sqrt(fan_in))
  orthogonal      Q of A = QR (A Gaussian), columns' signs fixed so diag(R) > 0 (Haar; torch orthogonal_), gain 1
  lsuv            orthogonal, then per layer W <- W / sqrt(Var(z_l)) on this batch until |Var - 1| < 0.1 (<= 10 times)
  zeros           all zero

Our numbers come from our own generator and numpy's from PCG64, so the two can
only agree in distribution. Spread from numpy itself: K independent seeds give,
per layer, K values of log(std_l) (and of mean_l); ours, one draw of the same
distribution if the two implement the same experiment, is compared by the
prediction-interval statistic

    t = (ours - mean_K) / (sd_K * sqrt(1 + 1/K))  ~  Student t with K - 1 dof

under the normal approximation (log std_l and mean_l are smooth functions of
~width^2 * layers independent Gaussians, each entering weakly: CLT). The
threshold T is the t_{K-1} quantile whose two-sided tail, summed over every
comparison made, is FALSE_FAILURE = 1e-9 (union bound). This is an
approximation argument, not a proof: the normal tail out at ~7 sigma is
assumed, and the empirical margin (the largest |t| seen) is printed.

Usage:
  /usr/bin/python3 spec/crosscheck/crosscheck_experiment.py compare [--layers 10 --width 500 --batch 1000] [--seeds K] [--ours-seed 0]
      runs `node --import tsx src/cli/bin.ts experiment activation-stats --init I --activation A --json` for the
      lectures' cases and numpy with K seeds (default 30), prints the per-layer table, exits 1 on |t| > T.
  /usr/bin/python3 spec/crosscheck/crosscheck_experiment.py fixture [--layers 10 --width 250 --batch 400] [--seeds K] [--out FILE]
      writes the numpy summary the uvu spec spec/crosscheck/experiment.spec.ts reads
      (default spec/crosscheck/experiment-numpy.json, K = 200, seeds 1000 .. 1000 + K - 1).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # spec/crosscheck/ -> the repository

# The lectures' cases (issue 5), plus glorot-normal and orthogonal with tanh.
CASES = [
    ("normal:0.01", "tanh"), ("normal:1.0", "tanh"), ("xavier", "tanh"), ("xavier", "relu"),
    ("kaiming", "relu"), ("glorot-normal", "tanh"), ("orthogonal", "tanh"),
]
FALSE_FAILURE = 1e-9
SEED_BASE = 1000


# ---------------------------------------------------------------- the experiment

def gain(activation):
    return math.sqrt(2.0) if activation == "relu" else 5.0 / 3.0


def orthogonal(rng, n):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    d = np.sign(np.diag(r))
    d[d == 0] = 1.0
    return q * d  # scales column k by sign(R_kk)


def weight(init, rng, n, activation):
    if init.startswith("normal:"):
        return rng.standard_normal((n, n)) * float(init.split(":", 1)[1])
    if init == "xavier":
        return rng.standard_normal((n, n)) / math.sqrt(n)
    if init == "glorot-normal":
        return rng.standard_normal((n, n)) * math.sqrt(2.0 / (n + n))
    if init == "glorot-uniform":
        b = math.sqrt(6.0 / (n + n))
        return rng.uniform(-b, b, (n, n))
    if init == "kaiming":
        return rng.standard_normal((n, n)) * gain(activation) / math.sqrt(n)
    if init == "kaiming-uniform":
        b = math.sqrt(3.0) * gain(activation) / math.sqrt(n)
        return rng.uniform(-b, b, (n, n))
    if init in ("orthogonal", "lsuv"):
        return orthogonal(rng, n)
    if init == "zeros":
        return np.zeros((n, n))
    raise SystemExit("unknown init %r" % init)


def act(z, activation):
    return np.tanh(z) if activation == "tanh" else np.maximum(z, 0.0)


def experiment(init, activation, layers, width, batch, seed):
    """Per-layer (mean, population std) of h_1 .. h_layers."""
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((batch, width))
    ws = [weight(init, rng, width, activation) for _ in range(layers)]
    out = []
    for l in range(layers):
        w = ws[l]
        z = h @ w.T
        if init == "lsuv":
            for _ in range(10):
                v = z.var()
                if not (np.isfinite(v) and v > 0) or abs(v - 1.0) < 0.1:
                    break
                w = w / math.sqrt(v)
                z = h @ w.T
        h = act(z, activation)
        out.append((float(h.mean()), float(h.std())))  # np.std: ddof 0, the population std
    return out


# ---------------------------------------------------------------- Student t tail

def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10000):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((a + m2 - 1) * (a + m2)), -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def t_two_sided_tail(t, dof):
    """P(|T| > t) for Student's t with `dof` degrees of freedom: I_{dof/(dof+t^2)}(dof/2, 1/2)."""
    x = dof / (dof + t * t)
    a, b = dof / 2.0, 0.5
    lbeta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - lbeta)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_threshold(dof, tail):
    lo, hi = 0.0, 1e4
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if t_two_sided_tail(mid, dof) > tail else (lo, mid)
    return hi


# ---------------------------------------------------------------- summaries

def numpy_summary(init, activation, layers, width, batch, seeds):
    runs = np.array([experiment(init, activation, layers, width, batch, s) for s in seeds])  # [K, L, 2]
    means, stds = runs[:, :, 0], runs[:, :, 1]
    logs = np.log(stds)
    rows = []
    for l in range(layers):
        rows.append({
            "layer": l + 1,
            "log_std_mean": float(logs[:, l].mean()), "log_std_sd": float(logs[:, l].std(ddof=1)),
            "mean_mean": float(means[:, l].mean()), "mean_sd": float(means[:, l].std(ddof=1)),
            "std_median": float(np.median(stds[:, l])), "std_min": float(stds[:, l].min()), "std_max": float(stds[:, l].max()),
            # the seeds' own leave-one-out |t|: how normal the spread looks out in the tail
            "max_abs_t_loo": float(max(loo_t(logs[:, l]), loo_t(means[:, l]))),
        })
    return rows


def loo_t(v):
    k = len(v)
    out = 0.0
    for i in range(k):
        rest = np.delete(v, i)
        sd = rest.std(ddof=1)
        if sd > 0:
            out = max(out, abs(v[i] - rest.mean()) / (sd * math.sqrt(1 + 1 / (k - 1))))
    return out


def t_stats(row, ours_mean, ours_std, k):
    infl = math.sqrt(1 + 1 / k)
    t_std = (math.log(ours_std) - row["log_std_mean"]) / (row["log_std_sd"] * infl)
    t_mean = (ours_mean - row["mean_mean"]) / (row["mean_sd"] * infl)
    return t_std, t_mean


def ours(init, activation, layers, width, batch, seed):
    cmd = ["node", "--import", "tsx", os.path.join(ROOT, "src", "cli", "bin.ts"), "experiment", "activation-stats", "--init", init,
           "--activation", activation, "--layers", str(layers), "--width", str(width), "--batch", str(batch),
           "--seed", str(seed), "--json"]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(res.stdout)["layers"]


# ---------------------------------------------------------------- commands

def cmd_compare(a):
    seeds = list(range(SEED_BASE, SEED_BASE + a.seeds))
    n_tests = len(CASES) * a.layers * 2
    T = t_threshold(a.seeds - 1, FALSE_FAILURE / n_tests)
    print("compare: layers %d width %d batch %d; numpy seeds %d..%d (K = %d); ours seed %d" %
          (a.layers, a.width, a.batch, seeds[0], seeds[-1], a.seeds, a.ours_seed))
    print("threshold |t| <= %.3f: t_%d two-sided tail %.1e per comparison, %d comparisons, total %.0e"
          % (T, a.seeds - 1, FALSE_FAILURE / n_tests, n_tests, FALSE_FAILURE))
    worst, bad = 0.0, 0
    for init, activation in CASES:
        t0 = time.time()
        rows = numpy_summary(init, activation, a.layers, a.width, a.batch, seeds)
        t1 = time.time()
        mine = ours(init, activation, a.layers, a.width, a.batch, a.ours_seed)
        t2 = time.time()
        print("\n%s %s   (numpy %.1f s for %d seeds, ours %.1f s)" % (init, activation, t1 - t0, a.seeds, t2 - t1))
        print("  layer  ours std      numpy std (median)  ratio    rel.tol   t(log std)  ours mean     numpy mean +- sd          t(mean)")
        for row, m in zip(rows, mine):
            ts, tm = t_stats(row, m["mean"], m["std"], a.seeds)
            ratio = m["std"] / math.exp(row["log_std_mean"])
            rtol = math.exp(T * row["log_std_sd"] * math.sqrt(1 + 1 / a.seeds)) - 1
            flag = "" if abs(ts) <= T and abs(tm) <= T else "  <-- OUTSIDE"
            bad += bool(flag)
            worst = max(worst, abs(ts), abs(tm))
            print("  %5d  %-12.6g  %-18.6g  %-7.4f  %-8.2e  %+9.2f   %+-12.4e  %+-11.4e +- %-9.2e  %+7.2f%s" % (
                row["layer"], m["std"], row["std_median"], ratio, rtol, ts, m["mean"], row["mean_mean"], row["mean_sd"], tm, flag))
    print("\n%s: largest |t| %.2f against threshold %.2f; %d of %d comparisons outside"
          % ("OK" if bad == 0 else "FAIL", worst, T, bad, n_tests))
    return 0 if bad == 0 else 1


def cmd_fixture(a):
    seeds = list(range(SEED_BASE, SEED_BASE + a.seeds))
    n_tests = len(CASES) * a.layers * 2
    T = t_threshold(a.seeds - 1, FALSE_FAILURE / n_tests)
    cases = []
    for init, activation in CASES:
        t0 = time.time()
        rows = numpy_summary(init, activation, a.layers, a.width, a.batch, seeds)
        print("%-14s %-5s %.1f s" % (init, activation, time.time() - t0), file=sys.stderr)
        cases.append({"init": init, "activation": activation, "layers": rows})
    fixture = {
        "command": "/usr/bin/python3 spec/crosscheck/crosscheck_experiment.py fixture --layers %d --width %d --batch %d --seeds %d"
                   % (a.layers, a.width, a.batch, a.seeds),
        "numpy": np.__version__,
        "generator": "numpy.random.default_rng(seed) (PCG64): X first, then W_1..W_L",
        "seeds": {"first": seeds[0], "last": seeds[-1], "count": len(seeds)},
        "options": {"layers": a.layers, "width": a.width, "batch": a.batch},
        "statistic": "t = (ours - mean_K) / (sd_K sqrt(1 + 1/K)), for log(std_l) and mean_l; Student t_{K-1} under the normal approximation",
        "comparisons": n_tests,
        "false_failure": FALSE_FAILURE,
        "threshold": T,
        "cases": cases,
    }
    with open(a.out, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(fixture, fh, indent=1)
        fh.write("\n")
    print("wrote %s: %d cases, K = %d, threshold %.4f" % (os.path.relpath(a.out, ROOT), len(cases), a.seeds, T), file=sys.stderr)
    return 0


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--layers", type=int, default=10)
    c.add_argument("--width", type=int, default=500)
    c.add_argument("--batch", type=int, default=1000)
    c.add_argument("--seeds", type=int, default=30)
    c.add_argument("--ours-seed", type=int, default=0)
    f = sub.add_parser("fixture")
    f.add_argument("--layers", type=int, default=10)
    f.add_argument("--width", type=int, default=250)
    f.add_argument("--batch", type=int, default=400)
    f.add_argument("--seeds", type=int, default=200)
    f.add_argument("--out", default=os.path.join(ROOT, "spec", "crosscheck", "experiment-numpy.json"))
    a = p.parse_args(argv)
    return cmd_compare(a) if a.cmd == "compare" else cmd_fixture(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
