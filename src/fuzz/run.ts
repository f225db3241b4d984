/**
 * Differential property testing through a process boundary.
 *
 * fast-check draws a case for the op (src/arbitraries), the oracle computes
 * its outputs and the VJP for drawn cotangents, the implementation under test
 * gets the case without outputs and answers with its own; any difference
 * beyond the tolerance, and any fault of the process, fails the property, and
 * fast-check shrinks it to the smallest failing case it can find.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type Tolerance } from '../cases/case.ts'
import { type Mismatch, compareTensor, defaultTolerance, formatMismatch } from '../cases/compare.ts'
import { decodeTensor, encodeTensor } from '../cases/tensor-json.ts'
import { formatError } from '../core/errors.ts'
import { type Op, type Tensors, gradInputs } from '../core/op.ts'
import { compute } from '../cases/evaluate.ts'
import type { Convention } from '../profiles/conventions.ts'
import { diagnose } from '../profiles/diagnose.ts'
import { keyFromSeed, normal, split } from '../core/random.ts'
import type { Tensor } from '../core/tensor.ts'
import { caseArbitrary, type OpCase } from '../arbitraries/index.ts'
import { lookup } from '../registry.ts'
import { type Impl, describeFault } from './impl.ts'

export interface FuzzOptions {
  readonly op: string
  readonly impl: Impl
  readonly runs: number
  readonly seed: number
  readonly tolerance?: Tolerance
  readonly path?: string
  /** Shrink a failure to a smaller case (default true). */
  readonly shrink?: boolean
  /** Conventions the implementation is expected to follow (a profile); PyTorch's when empty. */
  readonly conventions?: readonly Convention[]
}

export type FuzzOutcome =
  | { readonly kind: 'pass'; readonly runs: number }
  | { readonly kind: 'mismatch' | 'fault'; readonly detail: string; readonly caseLine: string; readonly seed: number; readonly path: string; readonly runs: number; readonly shrinks: number; readonly diagnosis?: readonly string[] }
  | { readonly kind: 'unsupported'; readonly detail: string }

const encodeAll = (ts: Tensors) => Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, encodeTensor(t)]))

interface Prepared {
  readonly request: Record<string, unknown>
  readonly outputs: Tensors
  readonly gradients: Tensors
  readonly inputs: Tensors
  readonly cotangents: Tensors
}

/** The oracle's side of one drawn case, or undefined when the draw is not a valid case (skipped). */
const prepare = (op: Op, c: OpCase, cotSeed: number, id: string, conventions: readonly Convention[]): Prepared | undefined => {
  const attrs = op.parseAttrs(c.attrs)
  if (E.isLeft(attrs)) return undefined
  const fwd = op.forward(attrs.right, c.inputs)
  if (E.isLeft(fwd)) return undefined
  const names = op.outputs.filter((o) => o.grad !== false && fwd.right.outputs[o.name] !== undefined && fwd.right.outputs[o.name].dtype !== 'int64').map((o) => o.name)
  const keys = split(keyFromSeed(cotSeed), Math.max(1, names.length))
  const cotangents: Record<string, Tensor> = Object.fromEntries(names.map((n, i) => [n, normal(keys[i], fwd.right.outputs[n].shape)]))
  const r = compute(op, { id, op: op.name, attrs: c.attrs, inputs: c.inputs, cotangents, gradients: {} }, conventions)
  if (E.isLeft(r)) return undefined
  const wrt = gradInputs(op, c.inputs)
  const explicit = JSON.parse(JSON.stringify(attrs.right)) as Record<string, unknown>
  const again = op.parseAttrs(explicit)
  const writtenAttrs = E.isRight(again) ? explicit : { ...c.attrs }
  return {
    request: { id, op: op.name, attrs: writtenAttrs, inputs: encodeAll(c.inputs), ...(names.length ? { cotangents: encodeAll(cotangents) } : {}) },
    outputs: r.right.outputs,
    gradients: names.length ? Object.fromEntries(wrt.filter((k) => r.right.gradients[k]).map((k) => [k, r.right.gradients[k]])) : {},
    inputs: c.inputs, cotangents,
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Compare a reply with the oracle; a string says what is wrong. */
type Judgement = { kind: 'ok' } | { kind: 'fault'; detail: string } | { kind: 'mismatch'; detail: string; theirs: { outputs: Tensors; gradients: Tensors } }

const judge = (p: Prepared, reply: unknown, tol: Tolerance | undefined): Judgement => {
  if (!isObject(reply)) return { kind: 'fault', detail: 'malformed reply: expected a JSON object {"id", "outputs", "gradients"}' }
  if (reply.id !== p.request.id) return { kind: 'fault', detail: `malformed reply: id ${JSON.stringify(reply.id)} answers case ${JSON.stringify(p.request.id)}` }
  if (typeof reply.error === 'string') return { kind: 'fault', detail: `the implementation declined the case: ${reply.error.slice(0, 300)}` }
  const mismatches: Mismatch[] = []
  const theirs: { outputs: Record<string, Tensor>; gradients: Record<string, Tensor> } = { outputs: {}, gradients: {} }
  for (const [field, expected] of [['outputs', p.outputs], ['gradients', p.gradients]] as const) {
    if (Object.keys(expected).length === 0) continue
    const got = reply[field]
    if (!isObject(got)) return { kind: 'fault', detail: `malformed reply: "${field}" must be an object of tensors` }
    for (const [name, e] of Object.entries(expected)) {
      let actual: Tensor | undefined
      if (got[name] !== undefined) {
        const d = decodeTensor(got[name], `${field}.${name}`)
        if (E.isLeft(d)) return { kind: 'fault', detail: `malformed reply: ${d.left.path}: expected ${d.left.reason}` }
        actual = d.right
        theirs[field][name] = d.right
      }
      const t = tol ?? (e.dtype === 'int64' ? defaultTolerance('int64') : defaultTolerance(actual?.dtype ?? 'float64'))
      // Here the oracle's numbers are the expected ones: the implementation is under test.
      const m = compareTensor(`${field}.${name}`, e, actual, t, 'the implementation did not return it')
      if (m) mismatches.push(m)
    }
  }
  return mismatches.length ? { kind: 'mismatch', detail: mismatches.map((m) => formatMismatch(m, 'implementation')).join('; '), theirs } : { kind: 'ok' }
}

export const fuzz = async (o: FuzzOptions): Promise<FuzzOutcome> => {
  const op = lookup(o.op)
  const arb = caseArbitrary(o.op)
  if (op === undefined || arb === undefined) return { kind: 'unsupported', detail: `no op ${JSON.stringify(o.op)} to fuzz (see nn-oracle ops)` }
  let counter = 0
  const run = async (c: OpCase, cotSeed: number) => {
    const p = prepare(op, c, cotSeed, `fuzz-${++counter}`, o.conventions ?? [])
    if (p === undefined) return { p, verdict: { kind: 'ok' as const } }
    const reply = await o.impl.request(JSON.stringify(p.request))
    const verdict: Judgement = reply.ok ? judge(p, reply.value, o.tolerance) : { kind: 'fault', detail: describeFault(reply.fault) }
    return { p, verdict }
  }
  // fast-check reports the last failing value it found while shrinking, so the
  // last failure recorded here is the counterexample: no replay (a replay of a
  // hang would cost another timeout).
  let last: { p: Prepared; verdict: Exclude<Judgement, { kind: 'ok' }> } | undefined
  const prop = fc.asyncProperty(arb, fc.nat(), async (c, cotSeed) => {
    const { p, verdict } = await run(c, cotSeed)
    fc.pre(p !== undefined)
    if (verdict.kind !== 'ok') {
      last = { p: p!, verdict }
      throw new Error(verdict.detail)
    }
  })
  const details = await fc.check(prop, { numRuns: o.runs, seed: o.seed, ...(o.path ? { path: o.path } : {}), endOnFailure: o.shrink === false })
  if (!details.failed) return { kind: 'pass', runs: details.numRuns }
  if (last === undefined) {
    return { kind: 'fault', detail: String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance), caseLine: '{}', seed: details.seed, path: details.counterexamplePath ?? '', runs: details.numRuns, shrinks: details.numShrinks }
  }
  const { p, verdict } = last
  const regression = {
    ...p.request, id: `${o.op}/fuzz-regression-${details.seed}`,
    outputs: encodeAll(p.outputs), ...(Object.keys(p.gradients).length ? { gradients: encodeAll(p.gradients) } : {}),
  }
  // Which other convention would explain the implementation's numbers?
  const diagnosis = verdict.kind !== 'mismatch' ? undefined : diagnose({
    id: String(p.request.id), op: o.op, attrs: p.request.attrs as Record<string, unknown>, inputs: p.inputs, cotangents: p.cotangents,
    outputs: verdict.theirs.outputs, gradients: verdict.theirs.gradients, ...(o.tolerance ? { tolerance: o.tolerance } : {}),
  }, o.conventions ?? []).map((d) => d.text)
  return {
    kind: verdict.kind,
    detail: verdict.detail,
    ...(diagnosis ? { diagnosis } : {}),
    caseLine: JSON.stringify(regression),
    seed: details.seed, path: details.counterexamplePath ?? '', runs: details.numRuns, shrinks: details.numShrinks,
  }
}

export { formatError }
