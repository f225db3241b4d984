/**
 * Pinned against PyTorch 1.13 in float64: the cases of pytorch-cases.jsonl
 * (written by pytorch-cases.py, in the case format) fix the conventions no law
 * can choose for us: momentum weighs the new batch statistic, the running
 * variance takes the unbiased batch variance, eps sits inside the root, batch
 * norm in evaluation normalizes by the running statistics, layer norm's
 * negative axis, group norm's per-channel affine and its gradients.
 *
 * Tolerance: the case format's float64 default, |a - e| <= 1e-9 + 1e-7 |e|,
 * the rule `nn-oracle check` applies to these very cases. Both sides compute
 * in float64 with sums of at most 24 terms, so they agree to ~1e-14 and a
 * convention slip (momentum 0.9 for 0.1, a factor m/(m-1), eps moved out of
 * the root by 0.5) moves some number by far more than the tolerance.
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as E from 'fp-ts/lib/Either.js'
import { formatError } from '../../src/core/errors.ts'
import { type Tensors, vjp } from '../../src/core/op.ts'
import { type Tensor, fromArray } from '../../src/core/tensor.ts'
import { ops } from '../../src/normalization/index.ts'

const test = suite('normalization against PyTorch 1.13 (float64)')

interface JsonTensor { readonly shape: number[]; readonly data: number[] }
interface Case {
  readonly id: string
  readonly op: string
  readonly attrs: Record<string, unknown>
  readonly inputs: Record<string, JsonTensor>
  readonly outputs: Record<string, JsonTensor>
  readonly cotangents: Record<string, JsonTensor>
  readonly gradients: Record<string, JsonTensor>
}

const tensors = (r: Record<string, JsonTensor>): Tensors =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, fromArray(v.shape, v.data)]))

const RTOL = 1e-7, ATOL = 1e-9

const compare = (what: string, actual: Tensor | undefined, expected: JsonTensor): string | undefined => {
  if (actual === undefined) return `${what}: missing`
  if (actual.shape.join() !== expected.shape.join()) return `${what}: shape [${actual.shape}] vs [${expected.shape}]`
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i], e = expected.data[i]
    if (!(Math.abs(a - e) <= ATOL + RTOL * Math.abs(e))) return `${what}[${i}]: ${a}, PyTorch ${e}`
  }
  return undefined
}

const cases: Case[] = readFileSync(new URL('./pytorch-cases.jsonl', import.meta.url), 'utf8')
  .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Case)

for (const c of cases) {
  test(`${c.id}: ${c.op} ${JSON.stringify(c.attrs)} matches PyTorch`, () => {
    const op = ops.find((o) => o.name === c.op)
    if (op === undefined) throw new Error(`no op ${c.op}`)
    const attrs = op.parseAttrs(c.attrs)
    if (E.isLeft(attrs)) throw new Error(formatError(attrs.left))
    const r = vjp(op, attrs.right, tensors(c.inputs), tensors(c.cotangents))
    if (E.isLeft(r)) throw new Error(formatError(r.left))
    const problems = [
      ...Object.entries(c.outputs).map(([k, v]) => compare(`outputs.${k}`, r.right.outputs[k], v)),
      ...Object.entries(c.gradients).map(([k, v]) => compare(`gradients.${k}`, r.right.gradients[k], v)),
      ...Object.keys(r.right.outputs).filter((k) => !(k in c.outputs)).map((k) => `outputs.${k}: present, PyTorch has none`),
    ].filter((p) => p !== undefined)
    if (problems.length > 0) throw new Error(problems.join('; '))
  })
}

test.run()
