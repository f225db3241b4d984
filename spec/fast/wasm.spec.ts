/**
 * src/fast/wasm.ts: the LEB128 integers every index, size and constant of a
 * module goes through (the instructions themselves are checked by running
 * the kernels: spec/fast/softmax-rows.spec.ts, layer-norm-rows.spec.ts and
 * the properties that compare them with the references). Known encodings
 * from the DWARF 5 specification's examples (section 7.6), then a decoder
 * written from the format's definition, over the whole 32-bit range.
 */
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { sleb, uleb } from '../../src/fast/wasm.ts'
import { failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'

const test = suite('fast: WebAssembly encoder')

/** Little-endian groups of 7 bits, the high bit marking "more"; signed: sign-extend from the last group's bit 6. */
const decode = (bytes: readonly number[], signed: boolean): number => {
  let v = 0n, shift = 0n
  for (const b of bytes) { v |= BigInt(b & 0x7f) << shift; shift += 7n }
  if (signed && (bytes[bytes.length - 1] & 0x40) !== 0) v -= 1n << shift
  return Number(v)
}
const wellFormed = (bytes: readonly number[]): boolean =>
  bytes.every((b, i) => b >= 0 && b <= 255 && ((b & 0x80) !== 0) === (i < bytes.length - 1))

test('LEB128: the DWARF examples', () => {
  assert.equal(uleb(2), [2])
  assert.equal(uleb(127), [127])
  assert.equal(uleb(128), [0x80, 1])
  assert.equal(uleb(12857), [0xb9, 0x64])
  assert.equal(sleb(2), [2])
  assert.equal(sleb(-2), [0x7e])
  assert.equal(sleb(127), [0xff, 0])
  assert.equal(sleb(-127), [0x81, 0x7f])
  assert.equal(sleb(128), [0x80, 1])
  assert.equal(sleb(-128), [0x80, 0x7f])
})

property(test, 'LEB128: uleb and sleb decode back, well formed and no longer than 5 bytes, over the 32-bit range',
  fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  ([u, s]) => {
    const bu = uleb(u), bs = sleb(s)
    if (!wellFormed(bu) || bu.length > 5 || decode(bu, false) !== u) return failed(`uleb(${u}) = [${bu}]`)
    if (!wellFormed(bs) || bs.length > 5 || decode(bs, true) !== s) return failed(`sleb(${s}) = [${bs}]`)
    return ok
  }, 500)

test.run()
