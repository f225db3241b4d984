/**
 * Differential property testing through a process boundary.
 *
 * fast-check draws a case for the op (./generators.ts), the oracle computes
 * its outputs and the VJP for drawn cotangents, the implementation under test
 * gets the case without outputs and answers with its own, or declines it
 * (`{"id", "unsupported": "why"}`: counted per reason, never a fault). Any
 * difference beyond the tolerance fails the property, and fast-check shrinks
 * it toward the smallest case whose error stays clearly above the tolerance
 * (at least min(r0, 100) times it, r0 the first failure's multiple), so a
 * shrunk counterexample never reads as rounding noise.
 *
 * A fault of the process (./impl.ts) ends the run at once: it depends on the
 * whole sequence of cases the process saw, not on one case, so it is not
 * shrunk, and its replay reruns the same sequence (`--seed S --runs K`).
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type Tolerance } from '../cases/case.ts'
import { type Mismatch, compareTensor, defaultTolerance, formatMismatch } from '../cases/compare.ts'
import { decodeTensor, encodeTensor } from '../cases/tensor-json.ts'
import { type Op, type Tensors, gradInputs } from '../core/op.ts'
import { compute } from '../cases/evaluate.ts'
import type { Convention } from '../profiles/conventions.ts'
import { diagnose } from '../profiles/diagnose.ts'
import { type Tensor, make, sizeOf } from '../core/tensor.ts'
import { lookup } from '../registry.ts'
import { type Domain, type FuzzCase, generator } from './generators.ts'
import { type Impl, describeFault } from './impl.ts'

export interface FuzzOptions {
  readonly op: string
  readonly impl: Impl
  readonly runs: number
  readonly seed: number
  readonly tolerance?: Tolerance
  readonly path?: string
  /** Shrink a mismatch to a smaller case (default true). */
  readonly shrink?: boolean
  /** Conventions the implementation is expected to follow (a profile); PyTorch's when empty. */
  readonly conventions?: readonly Convention[]
  /** What the generators draw: what PyTorch accepts (default) or everything the oracle defines. */
  readonly domain?: Domain
  /** Called after every case sent: cases so far, and whether fast-check is shrinking. */
  readonly onCase?: (sent: number, shrinking: boolean) => void
}

export interface Declines { readonly [reason: string]: number }

export type FuzzOutcome =
  | { readonly kind: 'pass'; readonly runs: number; readonly compared: number; readonly declined: Declines }
  | { readonly kind: 'declined'; readonly runs: number; readonly declined: Declines }
  | {
    readonly kind: 'mismatch' | 'fault'
    readonly detail: string
    /** The worst error as a multiple of its tolerance (mismatch only). */
    readonly ratio?: number
    /** The failing case with the implementation's numbers as the expected ones (check fails on it until fixed). */
    readonly caseLine: string
    /** The oracle's numbers for the same case. */
    readonly oracle: string
    readonly seed: number
    /** Arguments that reproduce this outcome, to add to the same command line. */
    readonly replay: readonly string[]
    readonly path: string
    readonly runs: number
    readonly shrinks: number
    readonly declined: Declines
    readonly diagnosis?: readonly string[]
  }
  | { readonly kind: 'unsupported'; readonly detail: string }

const encodeAll = (ts: Tensors) => Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, encodeTensor(t)]))

interface Prepared {
  readonly request: Record<string, unknown>
  readonly outputs: Tensors
  readonly gradients: Tensors
  readonly inputs: Tensors
  readonly cotangents: Tensors
}

/** Cotangent values cycle through a short drawn list, so they shrink with the case. */
const cotangentFrom = (shape: readonly number[], values: readonly number[]): Tensor => {
  const n = sizeOf(shape)
  const d = new Float64Array(n)
  for (let i = 0; i < n; i++) d[i] = values[i % values.length]
  return make(shape, d)
}

/** The oracle's side of one drawn case, or undefined when the draw is not a valid case (skipped). */
const prepare = (op: Op, c: FuzzCase, id: string, conventions: readonly Convention[]): Prepared | undefined => {
  const attrs = op.parseAttrs(c.attrs)
  if (E.isLeft(attrs)) return undefined
  const fwd = op.forward(attrs.right, c.inputs)
  if (E.isLeft(fwd)) return undefined
  const names = op.outputs.filter((o) => o.grad !== false && fwd.right.outputs[o.name] !== undefined && fwd.right.outputs[o.name].dtype !== 'int64').map((o) => o.name)
  const wrt = gradInputs(op, c.inputs)
  const withGrad = names.length > 0 && wrt.length > 0
  const cotangents: Record<string, Tensor> = withGrad ? Object.fromEntries(names.map((n) => [n, cotangentFrom(fwd.right.outputs[n].shape, c.cotangent)])) : {}
  const r = compute(op, { id, op: op.name, attrs: c.attrs, inputs: c.inputs, cotangents, ...(withGrad ? { gradients: {} } : { outputs: {} }) }, conventions)
  if (E.isLeft(r)) return undefined
  // Under PyTorch's conventions every attribute is written out; under a profile
  // only the drawn ones, since an omitted one takes the profile's default.
  const profiled = conventions.some((k) => k.op === op.name)
  const explicit = JSON.parse(JSON.stringify(attrs.right)) as Record<string, unknown>
  const again = op.parseAttrs(explicit)
  const writtenAttrs = !profiled && E.isRight(again) && JSON.stringify(again.right) === JSON.stringify(attrs.right) ? explicit : { ...c.attrs }
  return {
    request: { id, op: op.name, attrs: writtenAttrs, inputs: encodeAll(c.inputs), ...(withGrad ? { cotangents: encodeAll(cotangents) } : {}) },
    outputs: r.right.outputs,
    gradients: withGrad ? Object.fromEntries(wrt.filter((k) => r.right.gradients[k]).map((k) => [k, r.right.gradients[k]])) : {},
    inputs: c.inputs, cotangents,
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

type Theirs = { outputs: Record<string, Tensor>; gradients: Record<string, Tensor> }
type Judgement =
  | { kind: 'ok' }
  | { kind: 'declined'; reason: string }
  | { kind: 'fault'; detail: string }
  | { kind: 'mismatch'; detail: string; ratio: number; theirs: Theirs }

/** The error of the worst element as a multiple of its allowance atol + rtol |e|. */
const ratioOf = (m: Mismatch, t: Tolerance): number =>
  m.reason !== 'value' || !Number.isFinite(m.abs!) ? Infinity : m.abs! / (t.atol + t.rtol * Math.abs(m.expected!) || Number.MIN_VALUE)

const showRatio = (r: number) => (Number.isFinite(r) ? `${r.toPrecision(3)} x the tolerance` : 'not within any tolerance')

const judge = (p: Prepared, reply: unknown, tol: Tolerance | undefined): Judgement => {
  if (!isObject(reply)) return { kind: 'fault', detail: 'malformed reply: expected a JSON object {"id", "outputs", "gradients"}' }
  if (reply.unsupported !== undefined) {
    if (typeof reply.unsupported !== 'string') return { kind: 'fault', detail: 'malformed reply: "unsupported" must be a string saying why' }
    return { kind: 'declined', reason: reply.unsupported.slice(0, 160) || '(no reason given)' }
  }
  if (reply.error !== undefined) return { kind: 'fault', detail: `the implementation reported an error: ${String(reply.error).slice(0, 300)} (to decline a case, reply {"id", "unsupported": "why"})` }
  const mismatches: { m: Mismatch; ratio: number }[] = []
  const theirs: Theirs = { outputs: {}, gradients: {} }
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
      if (m) mismatches.push({ m, ratio: ratioOf(m, t) })
    }
  }
  if (mismatches.length === 0) return { kind: 'ok' }
  const ratio = Math.max(...mismatches.map((x) => x.ratio))
  return { kind: 'mismatch', ratio, theirs, detail: mismatches.map((x) => `${formatMismatch(x.m, 'implementation')}, ${showRatio(x.ratio)}`).join('; ') }
}

/** A counterexample must stay this many tolerances off while it shrinks: min(r0, 100). */
export const SHRINK_FLOOR_CAP = 100

export const fuzz = async (o: FuzzOptions): Promise<FuzzOutcome> => {
  const op = lookup(o.op)
  const arb = generator(o.op, o.domain ?? 'pytorch')
  if (op === undefined || arb === undefined) {
    await o.impl.close()
    return { kind: 'unsupported', detail: `no op ${JSON.stringify(o.op)} to fuzz (see nn-oracle ops)` }
  }
  const conventions = o.conventions ?? []
  const declined: Record<string, number> = {}
  let counter = 0, compared = 0, sentBeforeFailure = 0
  let floor = 1 // a mismatch counts while shrinking only above floor x the tolerance
  let failing = false // fast-check is shrinking
  // sent: whether the implementation saw this case (a fault found between cases is reported by the next request).
  let last: { p: Prepared; verdict: Exclude<Judgement, { kind: 'ok' } | { kind: 'declined' }>; shrinking: boolean; sent: boolean } | undefined
  let faulted: typeof last

  const prop = fc.asyncProperty(arb, async (c) => {
    if (faulted !== undefined) return // the process is gone: nothing more can be learned
    const p = prepare(op, c, `fuzz-${++counter}`, conventions)
    fc.pre(p !== undefined)
    const before = o.impl.sent()
    const reply = await o.impl.request(String(p!.request.id), JSON.stringify(p!.request))
    const sent = o.impl.sent() > before
    o.onCase?.(o.impl.sent(), failing)
    const verdict: Judgement = reply.ok ? judge(p!, reply.value, o.tolerance) : { kind: 'fault', detail: describeFault(reply.fault) }
    if (verdict.kind === 'declined') { declined[verdict.reason] = (declined[verdict.reason] ?? 0) + 1; return }
    if (verdict.kind === 'ok') { compared++; return }
    if (verdict.kind === 'fault') {
      faulted = { p: p!, verdict, shrinking: failing, sent }
      throw new Error(verdict.detail)
    }
    if (failing && verdict.ratio < floor) return // shrinking toward noise: not a counterexample
    if (!failing) { sentBeforeFailure = o.impl.sent(); floor = Math.max(1, Math.min(verdict.ratio, SHRINK_FLOOR_CAP)) }
    failing = true
    last = { p: p!, verdict, shrinking: false, sent }
    throw new Error(verdict.detail)
  })
  const details = await fc.check(prop, { numRuns: o.runs, seed: o.seed, ...(o.path ? { path: o.path } : {}), endOnFailure: o.shrink === false })
  await o.impl.close()
  const lateFault = o.impl.fault()
  const runs = o.impl.sent()

  if (faulted === undefined && lateFault !== undefined && (!details.failed || last !== undefined)) {
    // A fault seen outside any case: a reply after the last one, an exit after the close.
    const detail = describeFault(lateFault) + (last ? ` (after a mismatch: ${last.verdict.detail})` : '')
    return { kind: 'fault', detail, caseLine: '{}', oracle: '{}', seed: details.seed, replay: ['--seed', String(o.seed), '--runs', String(o.runs)], path: '', runs, shrinks: 0, declined }
  }
  if (!details.failed) {
    return compared === 0 && runs > 0 ? { kind: 'declined', runs, declined } : { kind: 'pass', runs, compared, declined }
  }
  const failure = faulted ?? last
  if (failure === undefined) {
    // fast-check failed for its own reason (every draw skipped): say so, as a fault of the run.
    const detail = String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance).split('\n')[0]
    return { kind: 'fault', detail: `fuzzing could not proceed: ${detail}`, caseLine: '{}', oracle: '{}', seed: details.seed, replay: ['--seed', String(o.seed)], path: '', runs, shrinks: 0, declined }
  }
  const { p, verdict } = failure
  const oracle = { outputs: encodeAll(p.outputs), ...(Object.keys(p.gradients).length ? { gradients: encodeAll(p.gradients) } : {}) }
  const theirs = verdict.kind === 'mismatch' ? verdict.theirs : undefined
  const expected = theirs
    ? { ...(Object.keys(theirs.outputs).length ? { outputs: encodeAll(theirs.outputs) } : {}), ...(Object.keys(theirs.gradients).length ? { gradients: encodeAll(theirs.gradients) } : {}) }
    : oracle
  const regression = { ...p.request, id: `${o.op}/fuzz-regression-${o.seed}`, ...expected, ...(o.tolerance ? { tolerance: o.tolerance } : {}) }
  // Which other convention would explain the implementation's numbers?
  const diagnosis = theirs === undefined ? undefined : diagnose({
    id: String(p.request.id), op: o.op, attrs: p.request.attrs as Record<string, unknown>, inputs: p.inputs, cotangents: p.cotangents,
    outputs: theirs.outputs, gradients: theirs.gradients, ...(o.tolerance ? { tolerance: o.tolerance } : {}),
  }, conventions).map((d) => d.text)
  const replay = faulted !== undefined
    // A fault depends on the sequence: rerun the same cases, in order, to the one that faulted.
    ? ['--seed', String(o.seed), '--runs', String(failure.shrinking ? o.runs : Math.max(1, details.numRuns))]
    : ['--seed', String(details.seed), '--path', details.counterexamplePath ?? '']
  return {
    kind: verdict.kind,
    detail: faulted !== undefined && failure.shrinking && last ? `${verdict.detail} (while shrinking a mismatch: ${last.verdict.detail})` : verdict.detail,
    ...(verdict.kind === 'mismatch' ? { ratio: verdict.ratio } : {}),
    ...(diagnosis ? { diagnosis } : {}),
    caseLine: failure.sent ? JSON.stringify(regression) : '{}',
    oracle: failure.sent ? JSON.stringify(oracle) : '{}',
    seed: details.seed, replay, path: details.counterexamplePath ?? '', runs: faulted ? runs : sentBeforeFailure || runs, shrinks: details.numShrinks, declined,
  }
}
