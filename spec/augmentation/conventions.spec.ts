/**
 * The rows of docs/augmentation-conventions.md, each pinned by the test it
 * names; the table and this file must name the same tests.
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import * as Affine from '../../src/augmentation/affine.ts'
import * as Brightness from '../../src/augmentation/adjust-brightness.ts'
import * as Contrast from '../../src/augmentation/adjust-contrast.ts'
import * as Hue from '../../src/augmentation/adjust-hue.ts'
import * as Saturation from '../../src/augmentation/adjust-saturation.ts'
import * as Interpolate from '../../src/augmentation/interpolate.ts'
import { tenCropBoxes } from '../../src/augmentation/random.ts'
import { fromArray, make } from '../../src/core/tensor.ts'
import { run } from './support.ts'

const test = suite('augmentation conventions (docs/augmentation-conventions.md)')

const close = (a: ArrayLike<number>, b: readonly number[], tol = 1e-15) =>
  assert.ok(a.length === b.length && b.every((v, i) => Math.abs(a[i] - v) <= tol), `${Array.from(a)} vs ${b}`)

const pins: Record<string, () => void> = {
  'crop-rounding: the centre crop rounds (H - h) / 2 half to even': () => {
    assert.is(tenCropBoxes(5, 5, 2, 2)[4][0].top, 2) // round(1.5) = 2 (floor would give 1)
    assert.is(tenCropBoxes(7, 7, 2, 2)[4][0].top, 2) // round(2.5) = 2 (half up would give 3)
  },
  'antialias: off, 6 -> 2 bilinear reads one pixel per output; on, a triangle over four': () => {
    const x = fromArray([1, 1, 1, 6], [0, 1, 2, 3, 4, 5])
    close(run(Interpolate.op, { size: [1, 2] }, { x }).y.data, [1, 4]) // src = 3 d + 1 exactly
    // support 3 around centres 1.5 and 4.5: triangle weights (2, 3, 2, 1) / 8 on pixels 0..3 and (1, 2, 3, 2) / 8 on 2..5
    // (PyTorch 1.13: tensor([[[[1.25, 3.75]]]]))
    const aa = run(Interpolate.op, { size: [1, 2], antialias: true }, { x }).y.data
    close(aa, [1.25, 3.75], 1e-15)
  },
  'align-corners: 2 -> 4 bilinear gives 0, 1/4, 3/4, 1 (false) and 0, 1/3, 2/3, 1 (true)': () => {
    const x = fromArray([1, 1, 1, 2], [0, 1])
    close(run(Interpolate.op, { size: [1, 4] }, { x }).y.data, [0, 0.25, 0.75, 1])
    close(run(Interpolate.op, { size: [1, 4], align_corners: true }, { x }).y.data, [0, 1 / 3, 2 / 3, 1])
  },
  'nearest: 3 -> 2 reads pixels 0 and 1 (pixel centres would read 0 and 2)': () => {
    close(run(Interpolate.op, { size: [1, 2], mode: 'nearest' }, { x: fromArray([1, 1, 1, 3], [10, 11, 12]) }).y.data, [10, 11])
  },
  'grey: saturation 0 of pure red is 0.2989': () => {
    close(run(Saturation.op, { factor: 0 }, { x: fromArray([1, 3, 1, 1], [1, 0, 0]) }).y.data, [0.2989, 0.2989, 0.2989], 0)
  },
  'contrast-mean: contrast 0 gives every channel the image\'s mean grey': () => {
    const x = fromArray([1, 3, 1, 2], [1, 0, 0, 1, 0, 0]) // a red pixel and a green one
    const m = (0.2989 + 0.587) / 2
    close(run(Contrast.op, { factor: 0 }, { x }).y.data, [m, m, m, m, m, m])
  },
  'brightness: factor 0.5 halves a pixel (it does not subtract)': () => {
    close(run(Brightness.op, { factor: 0.5 }, { x: fromArray([1, 3, 1, 1], [0.8, 0.2, 1]) }).y.data, [0.4, 0.1, 0.5], 0)
  },
  'hue: a third of a turn takes red to green': () => {
    close(run(Hue.op, { hue_factor: 1 / 3 }, { x: fromArray([1, 3, 1, 1], [1, 0, 0]) }).y.data, [0, 1, 0], 1e-12)
  },
  'rotation-sign: affine 90 turns [[1, 2], [3, 4]] clockwise': () => {
    close(run(Affine.op, { angle: 90 }, { x: fromArray([1, 1, 2, 2], [1, 2, 3, 4]) }).y.data, [3, 1, 4, 2], 0)
  },
  'fill-mask: half a pixel off the edge, an all-ones image gives 1/4, not 1/2': () => {
    const y = run(Affine.op, { translate: [0.5, 0], interpolation: 'bilinear', fill: 0 }, { x: make([1, 1, 1, 2], Float64Array.of(1, 1)) }).y.data
    close(y, [0.25, 1])
  },
}

const page = readFileSync(new URL('../../docs/augmentation-conventions.md', import.meta.url), 'utf8')
const named = page.split('\n').filter((l) => l.startsWith('| `')).map((l) => l.split('|').at(-2)!.trim().replace(/^"|"$/g, ''))

test('every row of the table names a test here, and every test here has its row', () => {
  assert.equal([...named].sort(), Object.keys(pins).sort())
})

for (const [name, pin] of Object.entries(pins)) test(name, pin)

test('the table says the interpolate attributes the op accepts', () => {
  assert.ok(E.isRight(Interpolate.op.parseAttrs({ size: [2, 2], mode: 'bicubic', align_corners: true, antialias: true })))
})

test.run()
