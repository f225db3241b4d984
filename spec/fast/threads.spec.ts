/**
 * The fast kernels on several threads (src/fast/threads.ts) and on recycled
 * memory (src/fast/buffer-pool.ts) give the one-thread results to the bit.
 *
 * The threshold is lowered to one element so that small random shapes take
 * the parallel path, and the recycler's smallest size to zero so that they
 * are recycled; inputs are put on shared memory (an unshared input runs
 * serially, by design). Each case runs once serially, then twice on the
 * pool with a collection and a turn of the event loop between, so that the
 * second run gets buffers of the first back from the pool; with poison on, a
 * reused buffer whose allocator promised to overwrite it arrives full of NaN,
 * so an element a kernel forgot to write shows. Between the two, one run cuts
 * every split call into three parts run last first on one thread: a schedule
 * the pool can produce (a worker done before the caller starts), made
 * deterministic, so that a split whose parts are not independent fails every
 * time, not only when the threads happen to overlap. Every output and gradient
 * must be identical, and the specs check that the pool really split calls
 * and really reused buffers (a law that never ran the parallel path would
 * prove nothing).
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Tensor } from '../../src/core/tensor.ts'
import { bufferPoolStatus, setRecycleMin } from '../../src/fast/buffer-pool.ts'
import { RANGE_KERNELS } from '../../src/fast/range-kernels.ts'
import { setPoison } from '../../src/fast/shared-array.ts'
import { poolReady, poolStatus, setReverseParts, setWorkThreshold } from '../../src/fast/threads.ts'
import { failed, ok, type Verdict } from '../laws/result.ts'
import { seedOf } from '../support/property.ts'
import { identicalAll } from './bound.ts'
import { SEED, drawer, dualOf, runOp, type Run } from './support.ts'

const test = suite('fast: threads and recycled buffers')

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
setFlagsFromString('--no-expose-gc')

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

/** A copy of t on a SharedArrayBuffer: what the library's own allocations are from the threshold up. */
const shared = (t: Tensor): Tensor => {
  const d = new Float64Array(new SharedArrayBuffer(t.data.length * 8))
  d.set(t.data)
  return { ...t, data: d }
}

interface Case { readonly name: string; readonly attrs: Record<string, unknown>; readonly inputs: Record<string, Tensor>; readonly cot: Record<string, Tensor> }

/** Serial, then parallel twice with recycling between: every result identical. */
const threeWays = async (c: Case): Promise<Verdict> => {
  const op = dualOf(c.name).fastPath
  const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, t]) => [k, shared(t)]))
  const cot = Object.fromEntries(Object.entries(c.cot).map(([k, t]) => [k, shared(t)]))
  const was = setWorkThreshold(Number.POSITIVE_INFINITY)
  let serial: E.Either<string, Run>
  try { serial = runOp(op, c.attrs, inputs, cot) } finally { setWorkThreshold(was) }
  const first = runOp(op, c.attrs, inputs, cot)
  const check = (what: string, r: E.Either<string, Run>): Verdict => {
    if (E.isLeft(serial) || E.isLeft(r)) return E.isLeft(serial) && E.isLeft(r) && serial.left === r.left ? ok : failed(`${c.name} ${what}: serial ${JSON.stringify(serial)}, parallel ${JSON.stringify(r)}`)
    const o = identicalAll(`${c.name} ${what} outputs`, r.right.outputs, serial.right.outputs)
    return o.ok ? identicalAll(`${c.name} ${what} gradients`, r.right.gradients, serial.right.gradients) : o
  }
  const v1 = check('parallel', first)
  if (!v1.ok) return v1
  const wasParts = setReverseParts(3)
  let reversed: E.Either<string, Run>
  try { reversed = runOp(op, c.attrs, inputs, cot) } finally { setReverseParts(wasParts) }
  const v2 = check('in three parts, last first', reversed)
  if (!v2.ok) return v2
  gc()
  await tick() // the finalizers of the first run's dropped buffers run here: the second run reuses them
  return check('parallel, on recycled buffers', runOp(op, c.attrs, inputs, cot))
}

const cases: Record<string, fc.Arbitrary<Case>> = {
  gelu: fc.record({ n: fc.integer({ min: 1, max: 300 }), seed: fc.integer(SEED) }).map(({ n, seed }) => {
    const d = drawer(seed)
    const x = d.normal([n], 4)
    x.data[seed % n] = [NaN, Infinity, -40, 0][seed % 4]
    return { name: 'gelu', attrs: {}, inputs: { x }, cot: { y: d.normal([n]) } }
  }),
  adam_step: fc.record({ n: fc.integer({ min: 1, max: 300 }), decoupled: fc.boolean(), decay: fc.constantFrom(0, 0.1), step: fc.integer({ min: 1, max: 5 }), seed: fc.integer(SEED) })
    .map(({ n, decoupled, decay, step, seed }) => {
      const d = drawer(seed)
      const inputs = { param: d.normal([n]), grad: d.normal([n]), exp_avg: d.normal([n], 0.1), exp_avg_sq: d.uniform([n], 0, 0.01) }
      return { name: 'adam_step', attrs: { step, decoupled, weight_decay: decay, lr: 0.01 }, inputs, cot: { param: d.normal([n]), exp_avg: d.normal([n]), exp_avg_sq: d.normal([n]) } }
    }),
  max_pool2d: fc.record({
    n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 4 }), h: fc.integer({ min: 2, max: 9 }), w: fc.integer({ min: 2, max: 9 }),
    two: fc.boolean(), seed: fc.integer(SEED),
  }).map(({ n, c, h, w, two, seed }) => {
    const d = drawer(seed)
    const x = d.ints([n, c, h, w], 3) // ties: the first maximum wins, on every thread alike
    const attrs = two ? { kernel_size: 2 } : { kernel_size: 3, stride: 1, padding: 1, dilation: [1, 2] }
    const ref = runOp(dualOf('max_pool2d').reference, attrs, { x })
    const yShape = E.isRight(ref) ? [...ref.right.outputs.y.shape] : [0]
    return { name: 'max_pool2d', attrs, inputs: { x }, cot: { y: d.normal(yShape) } }
  }),
  cross_entropy: fc.record({
    n: fc.integer({ min: 1, max: 5 }), c: fc.integer({ min: 1, max: 30 }), spatial: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 1 }),
    weight: fc.boolean(), ignore: fc.boolean(), smoothing: fc.constantFrom(0, 0.1), reduction: fc.constantFrom('mean', 'sum', 'none'), seed: fc.integer(SEED),
  }).map(({ n, c, spatial, weight, ignore, smoothing, reduction, seed }) => {
    const d = drawer(seed)
    const inputs: Record<string, Tensor> = { input: d.normal([n, c, ...spatial], 3), target: d.labels([n, ...spatial], c) }
    if (weight) inputs.weight = d.uniform([c], 0, 2)
    const attrs = { ignore_index: ignore ? 0 : -100, label_smoothing: smoothing, reduction }
    return { name: 'cross_entropy', attrs, inputs, cot: { loss: d.normal(reduction === 'none' ? [n, ...spatial] : []) } }
  }),
  layer_norm: fc.record({ rows: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 40 }), weight: fc.boolean(), bias: fc.boolean(), seed: fc.integer(SEED) })
    .map(({ rows, d: dd, weight, bias, seed }) => {
      const d = drawer(seed)
      const inputs: Record<string, Tensor> = { x: d.normal([rows, dd], 2) }
      if (weight) inputs.weight = d.normal([dd])
      if (bias) inputs.bias = d.normal([dd])
      return { name: 'layer_norm', attrs: { normalized_shape: [dd] }, inputs, cot: { y: d.normal([rows, dd]) } }
    }),
  plane_norms: fc.record({
    op: fc.constantFrom('batch_norm', 'batch_norm_eval', 'instance_norm', 'group_norm'),
    n: fc.integer({ min: 1, max: 3 }), c: fc.constantFrom(2, 4, 6), s: fc.integer({ min: 1, max: 7 }), affine: fc.boolean(), seed: fc.integer(SEED),
  }).map(({ op, n, c, s, affine, seed }) => {
    const d = drawer(seed)
    const inputs: Record<string, Tensor> = { x: d.normal([n, c, s], 2) }
    if (affine) { inputs.weight = d.normal([c]); inputs.bias = d.normal([c]) }
    const eval_ = op === 'batch_norm_eval'
    if (eval_) { inputs.running_mean = d.normal([c]); inputs.running_var = d.uniform([c], 0.5, 2) }
    const name = eval_ ? 'batch_norm' : op
    const attrs = name === 'batch_norm' ? { training: !eval_ } : name === 'group_norm' ? { num_groups: 2 } : {}
    return { name, attrs, inputs, cot: { y: d.normal([n, c, s]) } }
  }),
}

let threshold = 0
let recycleMin = 0
let poisoned = false

test.before(async () => {
  threshold = setWorkThreshold(1)
  recycleMin = setRecycleMin(0)
  poisoned = setPoison(true)
  assert.ok(await poolReady(), 'the worker pool started (under tsx: the bootstrap of src/fast/threads.ts)')
})

test.after(() => {
  setWorkThreshold(threshold)
  setRecycleMin(recycleMin)
  setPoison(poisoned)
})

for (const [name, arb] of Object.entries(cases)) {
  const title = `${name}: on the pool and on recycled buffers, the one-thread results to the bit`
  test(title, async () => {
    const before = poolStatus().dispatches, reusedBefore = bufferPoolStatus().reused
    await fc.assert(fc.asyncProperty(arb, async (c) => {
      const v = await threeWays(c)
      if (!v.ok) throw new Error(v.message)
    }), { numRuns: 40, seed: seedOf(title) })
    assert.ok(poolStatus().dispatches > before, `${name}: no call went to the pool`)
    assert.ok(bufferPoolStatus().reused > reusedBefore, `${name}: no buffer came back from the recycler`)
  })
}

test('a recycled buffer is never one a caller can still reach; one nobody can reach is reused', async () => {
  const reusedBefore = bufferPoolStatus().reused
  const d = drawer(7)
  const op = dualOf('gelu').fastPath
  const x = shared(d.normal([4096]))
  const kept: Float64Array[] = [], copies: Float64Array[] = []
  for (let round = 0; round < 6; round++) {
    const r = runOp(op, {}, { x }, { y: shared(d.normal([4096])) })
    if (E.isLeft(r)) throw new Error(r.left)
    if (round % 2 === 0) { kept.push(r.right.outputs.y.data); copies.push(Float64Array.from(r.right.outputs.y.data)) }
    gc()
    await tick()
  }
  kept.forEach((k, i) => assert.equal(Array.from(k), Array.from(copies[i]), `an output kept by the caller (round ${2 * i}) was overwritten`))
  assert.ok(bufferPoolStatus().reused > reusedBefore, 'no buffer was reused: the law above proved nothing')
})

test('every range kernel has a unique name; no worker failed a range', () => {
  const names = RANGE_KERNELS.map((k) => k.name)
  assert.equal(new Set(names).size, names.length)
  assert.is(poolStatus().broken, false)
})

test('a kernel the workers do not know still computes right: the caller runs that part itself and stops using the pool', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const probe = `
    const t = await import('./src/fast/threads.ts')
    t.setWorkThreshold(1)
    await t.poolReady()
    const k = t.rangeKernel('spec.unregistered', (a, lo, hi) => { for (let i = lo; i < hi; i++) a.y[i] = 2 * a.x[i] })
    const n = 1000, x = new Float64Array(new SharedArrayBuffer(8 * n)), y = new Float64Array(new SharedArrayBuffer(8 * n))
    for (let i = 0; i < n; i++) x[i] = i
    t.parallelFor(k, { x, y }, n, n)
    process.stdout.write(JSON.stringify({ right: y.every((v, i) => v === 2 * i), broken: t.poolStatus().broken }))`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  assert.equal(JSON.parse(r.stdout), { right: true, broken: true }, r.stderr)
})

test.run()
