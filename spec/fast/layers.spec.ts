/**
 * Fast matmul and linear (src/fast/layers.ts) against their readable
 * references, forward and backward, within the derived bound of ./bound.ts:
 * every output is a sum of at most M terms, here M = n + k + m per batch
 * element times the batch (a safe upper bound on the terms of any one sum:
 * y has k, dA has m per batch element it receives, dB n), plus the bias.
 * S is the reference on |inputs| and |cotangents|, whose every term is |t_i|.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import { broadcastShapes, sizeOf } from '../../src/core/tensor.ts'
import { all } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { withinReorder } from './bound.ts'
import { SEED, abs, absAll, both, drawer, dualOf, runOp } from './support.ts'
import * as E from 'fp-ts/lib/Either.js'

const test = suite('fast: matmul and linear')

const Matmul = dualOf('matmul'), Linear = dualOf('linear')

/** Batch shapes that broadcast: each side keeps or drops each axis, or has it as 1. */
const batches = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }).chain((dims) =>
  fc.tuple(...dims.map(() => fc.constantFrom<'both' | 'a1' | 'b1'>('both', 'a1', 'b1')), fc.boolean(), fc.boolean()).map((choice) => {
    const kinds = choice.slice(0, dims.length) as ('both' | 'a1' | 'b1')[]
    const dropA = choice[dims.length] as boolean, dropB = choice[dims.length + 1] as boolean
    let ba = dims.map((d, i) => (kinds[i] === 'a1' ? 1 : d)), bb = dims.map((d, i) => (kinds[i] === 'b1' ? 1 : d))
    if (dropA && ba.length > 0) ba = ba.slice(1)
    if (dropB && bb.length > 0 && !dropA) bb = bb.slice(1)
    return { ba, bb, batch: sizeOf(dims) }
  }))

property(test, 'matmul: fast equals the reference within the derived bound (broadcast batches, block edges, empty dims)', fc.record({
  b: batches, n: fc.integer({ min: 0, max: 40 }), k: fc.integer({ min: 0, max: 40 }), m: fc.integer({ min: 0, max: 40 }), seed: fc.integer(SEED),
}), ({ b: { ba, bb, batch }, n, k, m, seed }) => {
  const d = drawer(seed)
  const a = d.normal([...ba, n, k]), bt = d.normal([...bb, k, m])
  const g = d.normal([...broadcastShapes(ba, bb)!, n, m])
  const M = (n + k + m) * batch + 1
  return both(Matmul, {}, { a, b: bt }, { y: g }, (f, r) => {
    const s = runOp(Matmul.reference, {}, { a: abs(a), b: abs(bt) }, { y: abs(g) })
    if (E.isLeft(s)) return { ok: false, message: s.left }
    return all(
      withinReorder('y', f.outputs.y, r.outputs.y, s.right.outputs.y, M),
      withinReorder('da', f.gradients.a, r.gradients.a, s.right.gradients.a, M),
      withinReorder('db', f.gradients.b, r.gradients.b, s.right.gradients.b, M),
    )
  })
}, 60)

property(test, 'linear: fast equals the reference within the derived bound (leading dims, bias or none, block edges, empty dims)', fc.record({
  lead: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 2 }), inF: fc.integer({ min: 0, max: 48 }), outF: fc.integer({ min: 0, max: 48 }),
  bias: fc.boolean(), seed: fc.integer(SEED),
}), ({ lead, inF, outF, bias, seed }) => {
  const d = drawer(seed)
  const x = d.normal([...lead, inF]), w = d.normal([outF, inF]), b = bias ? d.normal([outF]) : undefined
  const g = d.normal([...lead, outF])
  const M = inF + outF + sizeOf(lead) + 1
  const inputs = { x, weight: w, ...(b ? { bias: b } : {}) }
  return both(Linear, {}, inputs, { y: g }, (f, r) => {
    const s = runOp(Linear.reference, {}, absAll(inputs), { y: abs(g) })
    if (E.isLeft(s)) return { ok: false, message: s.left }
    return all(
      withinReorder('y', f.outputs.y, r.outputs.y, s.right.outputs.y, M),
      withinReorder('dx', f.gradients.x, r.gradients.x, s.right.gradients.x, M),
      withinReorder('dweight', f.gradients.weight, r.gradients.weight, s.right.gradients.weight, M),
      ...(b ? [withinReorder('dbias', f.gradients.bias, r.gradients.bias, s.right.gradients.bias, M)] : []),
    )
  })
}, 60)

property(test, 'matmul and linear: the fast path rejects what the reference rejects, with the same error', fc.record({
  ka: fc.integer({ min: 1, max: 4 }), kb: fc.integer({ min: 1, max: 4 }), ra: fc.integer({ min: 1, max: 3 }), seed: fc.integer(SEED),
}), ({ ka, kb, ra, seed }) => {
  const d = drawer(seed)
  const a = d.normal([...Array(ra - 1).fill(2), 3, ka]), b = d.normal([kb, 2])
  return all(
    both(Matmul, {}, { a, b }, undefined, () => ({ ok: true })),
    both(Linear, {}, { x: a, weight: d.normal([2, kb]) }, undefined, () => ({ ok: true })),
  )
}, 30)

test.run()
