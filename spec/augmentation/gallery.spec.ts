import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { gallery } from '../../src/augmentation/gallery.ts'
import { keyFromSeed } from '../../src/core/random.ts'
import { make } from '../../src/core/tensor.ts'

const test = suite('augmentation: gallery figure')

const x = make([2, 1, 4, 4], Float64Array.from({ length: 32 }, (_, i) => (i % 5) / 4))

test('the gallery is a pure function of (images, rows, key): one label per row, the same SVG twice, the images drawn', () => {
  const rows = [{ label: 'original', spec: '' }, { label: 'hflip', spec: 'hflip:1' }, { label: 'cutmix', spec: 'cutmix:1' }]
  const a = gallery(x, rows, keyFromSeed(1)), b = gallery(x, rows, keyFromSeed(1))
  assert.ok(E.isRight(a) && E.isRight(b))
  assert.is(a.right, b.right)
  for (const r of rows) assert.ok(a.right.includes(`>${r.label}</text>`), r.label)
  assert.ok(a.right.startsWith('<svg') && a.right.endsWith('</svg>'))
  // A flipped row draws different runs from the original row.
  const one = gallery(x, [rows[0]], keyFromSeed(1)), flipped = gallery(x, [{ ...rows[1], label: 'original' }], keyFromSeed(1))
  assert.ok(E.isRight(one) && E.isRight(flipped) && one.right !== flipped.right)
})

test('the gallery refuses colour images and bad specs as error values', () => {
  assert.ok(E.isLeft(gallery(make([1, 3, 2, 2], new Float64Array(12)), [], keyFromSeed(1))))
  assert.ok(E.isLeft(gallery(x, [{ label: 'bad', spec: 'flop' }], keyFromSeed(1))))
})

test.run()
