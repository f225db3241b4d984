/**
 * src/fast/layer-norm-rows.ts, layer norm's backward two rows at a time in
 * WebAssembly SIMD. Its values are checked where they are used: layer norm's
 * fast path against the reference, to the bit, over random shapes
 * (./normalization.spec.ts). Here, what those small shapes do not reach: that
 * the kernel runs at all on this machine (else that property would test the
 * scalar loop only), and rows long enough that the instance's memory grows,
 * between calls with short rows and other weights.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { pairsAvailable } from '../../src/fast/layer-norm-rows.ts'
import { all } from '../laws/result.ts'
import { identicalAll } from './bound.ts'
import { both, drawer, dualOf } from './support.ts'

const test = suite('fast: layer norm rows in WebAssembly')

test('the two-row kernel is there; long rows (its memory grows), short ones and odd row counts are the reference\'s to the bit', () => {
  assert.ok(pairsAvailable(), 'no WebAssembly SIMD here: the weighted backward would not test the kernel')
  // d = 1500 needs 7 8 d = 84,000 bytes, more than the instance's first page; then a
  // short row again and a long one, with other weights each time
  for (const [rows, dd, seed] of [[3, 1500, 1], [5, 7, 2], [2, 1500, 3], [7, 1, 4]] as const) {
    const d = drawer(seed)
    const inputs = { x: d.normal([rows, dd], 2), weight: d.normal([dd]), bias: d.normal([dd]) }
    const cot = { y: drawer(seed + 10).normal([rows, dd]) }
    const v = both(dualOf('layer_norm'), { normalized_shape: [dd] }, inputs, cot, (f, r) =>
      all(identicalAll('layer_norm outputs', f.outputs, r.outputs), identicalAll('layer_norm gradients', f.gradients, r.gradients)))
    assert.ok(v.ok, v.ok ? '' : v.message)
  }
})

test.run()
