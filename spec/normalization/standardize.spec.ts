/**
 * The laws every batch-statistics normalization shares (src/normalization/
 * standardize.ts), bound to each op's arbitraries: batch norm in training,
 * layer, instance and group norm.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as E from 'fp-ts/lib/Either.js'
import type { Op } from '../../src/core/op.ts'
import { keyFromSeed, normal } from '../../src/core/random.ts'
import { type Tensor, full } from '../../src/core/tensor.ts'
import * as BatchNorm from '../../src/normalization/batch-norm.ts'
import * as GroupNorm from '../../src/normalization/group-norm.ts'
import * as InstanceNorm from '../../src/normalization/instance-norm.ts'
import * as LayerNorm from '../../src/normalization/layer-norm.ts'
import { EPS64 } from '../laws/tolerance.ts'
import { type Verdict, all, failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { type CaseOptions, type NormCase, batchNormCase, groupNormCase, instanceNormCase, layerNormCase } from './cases.ts'
import { ETA, gradientCentred, standardized } from './laws.ts'
import { runOp } from './run.ts'

const test = suite('standardization laws (batch norm in training, layer, instance, group norm)')

const families: readonly (readonly [Op, (o: CaseOptions) => fc.Arbitrary<NormCase>])[] = [
  [BatchNorm.op, (o) => batchNormCase({ ...o, training: true })],
  [LayerNorm.op, layerNormCase],
  [InstanceNorm.op, instanceNormCase],
  [GroupNorm.op, groupNormCase],
]

const run = (op: Op, c: NormCase, cot?: Tensor) => runOp(op, c.attrs, c.inputs, cot === undefined ? {} : { y: cot })

const maxAbs = (t: Tensor | undefined, dflt: number): number => (t === undefined ? dflt : t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0))

for (const [op, arb] of families) {
  // eps = 0 only with spread groups: a constant group has 0/0 there (NaN, as in PyTorch)
  const plain = fc.oneof(arb({ affine: false, eps: [1e-5, 0.3] }), arb({ affine: false, eps: [0], spread: true }))
  property(test, `${op.name}: without weight and bias, each group has mean 0 and biased variance var/(var + eps)`, plain, (c) => {
    const r = run(op, c)
    return E.isLeft(r) ? failed(r.left) : standardized(c.inputs.x, r.right.outputs.y, c.groups, c.attrs.eps as number)
  })

  const withCot = fc.tuple(arb({ eps: [0, 1e-5, 0.3], spread: true }), fc.integer({ min: 0, max: 2 ** 31 - 1 }))
  property(test, `${op.name}: dx sums to zero over each group; <dx, xhat> = r eps/(var + eps) <dxhat, xhat>, zero when eps = 0`, withCot, ([c, seed]) => {
    const x = c.inputs.x
    const cot = normal(keyFromSeed(seed), x.shape)
    const r = run(op, c, cot)
    if (E.isLeft(r)) return failed(r.left)
    const gammaIsOne = c.inputs.weight === undefined ? cot : undefined
    return gradientCentred(x, r.right.gradients.x, c.groups, c.attrs.eps as number, maxAbs(cot, 0) * maxAbs(c.inputs.weight, 1), gammaIsOne)
  })

  /*
   * A constant group has var = 0, so only eps keeps 1/sqrt(var + eps) finite.
   * The computed mean of n copies of c may miss c by (n + 1) u |c|, and that
   * residue is all xhat sees: |y - beta| <= |gamma| (n + 1) u |c| / sqrt(eps)
   * plus the rounding of gamma xhat + beta (2 u |beta|); n <= the size of x;
   * and (n + 4) ETA (1 + r)(1 + |gamma|) for subnormal values (./laws.ts).
   */
  const constant = fc.tuple(arb({ eps: [1e-5, 1e-3] }), fc.double({ min: -3, max: 3, noNaN: true }), fc.integer({ min: 0, max: 2 ** 31 - 1 }))
    .map(([c, v, seed]): NormCase & { readonly seed: number } => ({ ...c, inputs: { ...c.inputs, x: full(c.inputs.x.shape, v) }, seed }))
  property(test, `${op.name}: a constant input (zero variance) gives finite outputs, y = beta, and finite gradients`, constant, (c) => {
    const x = c.inputs.x
    const r = run(op, c, normal(keyFromSeed(c.seed), x.shape))
    if (E.isLeft(r)) return failed(r.left)
    const n = x.data.length, eps = c.attrs.eps as number, v = Math.abs(x.data[0] ?? 0)
    const gamma = maxAbs(c.inputs.weight, 1), beta = c.inputs.bias
    const tol = gamma * (n + 1) * EPS64 * v / Math.sqrt(eps) + 2 * EPS64 * maxAbs(beta, 0) + (n + 4) * ETA * (1 + 1 / Math.sqrt(eps)) * (1 + gamma)
    const finite = (name: string, t: Tensor | undefined): Verdict =>
      t === undefined || t.data.every(Number.isFinite) ? ok : failed(`${name} has a non-finite entry: ${Array.from(t.data)}`)
    const y = r.right.outputs.y
    const offBeta: Verdict = y.data.every((yi, i) => Math.abs(yi - (beta === undefined ? 0 : beta.data[paramIndex(op, c, i)])) <= tol)
      ? ok : failed(`y = ${Array.from(y.data)} is not beta within ${tol}`)
    return all(...Object.entries(r.right.outputs).map(([k, t]) => finite(`outputs.${k}`, t)),
      ...Object.entries(r.right.gradients).map(([k, t]) => finite(`gradients.${k}`, t)), offBeta)
  })
}

/** Which bias entry position i of x reads (bias present): its channel, or for layer norm its place in the normalized shape. */
const paramIndex = (op: Op, c: NormCase, i: number): number => {
  const sh = c.inputs.x.shape
  if (op.name === 'layer_norm') return i % c.inputs.bias.data.length
  const s = sh.slice(2).reduce((a, b) => a * b, 1)
  return Math.floor(i / s) % sh[1]
}

test.run()
