/**
 * Graph cases through check's parse and evaluate (case format v2, "Graph
 * cases"): a correct case passes, a perturbed one fails naming the value,
 * and malformed ones are `invalid` (or `unsupported` for an op the oracle
 * does not have), never a throw.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseCase } from '../../src/cases/case.ts'
import { evaluate } from '../../src/cases/evaluate.ts'

const test = suite('graph cases')

const T = (shape: number[], data: number[], dtype = 'float64') => ({ dtype, shape, data })

const base = () => ({
  id: 'mlp/tiny-00', op: 'graph',
  graph: { nodes: [
    { op: 'linear', inputs: { x: 'x', weight: 'w', bias: 'b' }, outputs: { y: 'h' } },
    { op: 'relu', inputs: { x: 'h' }, outputs: { y: 'a' } },
    { op: 'mul', inputs: { a: 'a', b: 'a' }, outputs: { y: 'sq' } },
  ] },
  inputs: { x: T([1, 2], [1, -2]), w: T([2, 2], [1, 0.5, -1, 2]), b: T([2], [0.25, 0]) },
  // h = [1*1 + 0.5*-2 + 0.25, -1 - 4 + 0] = [0.25, -5]; a = [0.25, 0]; sq = [0.0625, 0]
  outputs: { h: T([1, 2], [0.25, -5]), sq: T([1, 2], [0.0625, 0]) },
  cotangents: { sq: T([1, 2], [1, 1]), a: T([1, 2], [1, 1]) },
  // d/da of sum(sq + a) = 2a + 1 = [1.5, 1]; relu passes the first only: dh = [1.5, 0]
  gradients: { b: T([2], [1.5, 0]), x: T([1, 2], [1.5, 0.75]), w: T([2, 2], [1.5, -3, 0, 0]) },
})

const run = (v: unknown) => {
  const c = parseCase(v)
  return E.isLeft(c) ? { status: 'invalid', reason: c.left.reason } : evaluate(c.right)
}

test('a hand-computed graph case passes (a value read twice by mul, a cotangent on an intermediate)', () => {
  const r = run(base())
  assert.is(r.status, 'pass', r.reason)
})

test('a perturbed output or gradient fails, naming it', () => {
  const c1 = base(); c1.outputs.sq.data[0] = 0.0626
  const r1 = evaluate((parseCase(c1) as E.Right<any>).right)
  assert.is(r1.status, 'fail')
  assert.is(r1.mismatches![0].name, 'outputs.sq')
  const c2 = base(); c2.gradients.w.data[1] = -3.001
  const r2 = evaluate((parseCase(c2) as E.Right<any>).right)
  assert.is(r2.status, 'fail')
  assert.is(r2.mismatches![0].name, 'gradients.w')
})

test('malformed graph cases are invalid; an unknown op inside is unsupported', () => {
  const mk = (f: (c: any) => void) => { const c: any = base(); f(c); return c }
  const invalids = [
    mk((c) => { c.graph.nodes[0].inputs.x = 'nope' }),
    mk((c) => { c.graph.nodes.reverse() }),
    mk((c) => { c.graph.nodes[1].outputs.y = 'h' }),
    mk((c) => { c.graph.nodes.push({ op: 'train', inputs: {}, outputs: {} }) }),
    mk((c) => { c.gradients = { h: T([1, 2], [0, 0]) } }),
    mk((c) => { c.outputs = { zz: T([1], [0]) } }),
    mk((c) => { c.cotangents = { x: T([1, 2], [0, 0]) } }),
    mk((c) => { c.cotangents = { sq: T([2], [0, 0]) } }),
    mk((c) => { c.attrs = { p: 1 } }),
    mk((c) => { c.extra = 1 }),
    mk((c) => { delete c.graph }),
    mk((c) => { delete c.outputs; delete c.gradients }),
    mk((c) => { c.inputs.w = T([3, 2], [1, 2, 3, 4, 5, 6]) }),
    mk((c) => { c.graph.nodes[0].attrs = { bogus: 1 } }),
  ]
  for (const c of invalids) {
    const r = run(c)
    assert.is(r.status, 'invalid', JSON.stringify(c).slice(0, 200))
  }
  const u = run(mk((c) => { c.graph.nodes.push({ op: 'no_such_op', inputs: { x: 'a' }, outputs: { y: 'z' } }) }))
  assert.is(u.status, 'unsupported')
})

test('a gradient for an input read only where no gradient exists (a loss weight) is invalid; an int input too', () => {
  const c = {
    id: 'ce/weight-00', op: 'graph',
    graph: { nodes: [{ op: 'cross_entropy', inputs: { input: 'x', target: 't', weight: 'cw' }, outputs: { loss: 'loss' } }] },
    inputs: { x: T([2, 2], [1, 2, 3, 4]), t: T([2], [0, 1], 'int64'), cw: T([2], [1, 2]) },
    gradients: { cw: T([2], [0, 0]) },
  }
  assert.is(run(c).status, 'invalid')
  assert.is(run({ ...c, gradients: { t: T([2], [0, 0]) } }).status, 'invalid')
})

test('glue ops are catalogue ops and may be a case\'s own op', () => {
  const c = { id: 'add/bc-00', op: 'add', inputs: { a: T([2, 1], [1, 2]), b: T([3], [10, 20, 30]) }, outputs: { y: T([2, 3], [11, 21, 31, 12, 22, 32]) }, cotangents: { y: T([2, 3], [1, 1, 1, 1, 1, 1]) }, gradients: { a: T([2, 1], [3, 3]), b: T([3], [2, 2, 2]) } }
  assert.is(run(c).status, 'pass')
})

test('the PyTorch graph fixture parses and every case passes', () => {
  const path = fileURLToPath(new URL('../crosscheck/graph-cases.jsonl', import.meta.url))
  const ls = readFileSync(path, 'utf8').split('\n').filter(Boolean)
  assert.is(ls.length, 4)
  for (const l of ls) assert.is(run(JSON.parse(l)).status, 'pass')
})

test.run()
