/**
 * The version-2 ops' fuzz generators (src/fuzz/generators.ts, GENS_V2): each
 * op has a generator of its own, every draw is a case the oracle evaluates
 * (attributes parse, forward and, where it has one, the VJP succeed: never
 * `invalid`), under both domains; under `pytorch` only what PyTorch and
 * torchvision accept is drawn; and structural choices vary.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { vjp } from '../../src/core/op.ts'
import { type FuzzCase, generatedOps, generator, v2Ops } from '../../src/fuzz/generators.ts'
import { lookup } from '../../src/registry.ts'

const test = suite('fuzz generators, version-2 ops')
const sample = (op: string, domain: 'pytorch' | 'all', n = 60) => fc.sample(generator(op, domain)!, { numRuns: n, seed: 7 })

const V2 = ['add', 'mul', 'flatten', 'reshape', 'lr_schedule', 'ema_update', 'hflip', 'vflip', 'crop', 'interpolate', 'adjust_brightness', 'adjust_contrast',
  'adjust_saturation', 'adjust_hue', 'pca_lighting', 'affine', 'elastic', 'erase', 'mixup', 'cutmix', 'standardize', 'pca_whiten', 'maxout', 'fractional_max_pool2d', 'max_norm', 'gelu']

test('every version-2 op has a generator of its own (none falls back to golden variants)', () => {
  assert.equal(V2.filter((o) => !v2Ops().includes(o) || !generatedOps().includes(o)), [])
  assert.equal(V2.filter((o) => lookup(o) === undefined), [], 'each is in the catalogue')
})

test('every draw is valid for the oracle (attributes parse, forward and VJP succeed), under both domains', () => {
  const bad: string[] = []
  for (const domain of ['pytorch', 'all'] as const) {
    for (const name of V2) {
      const op = lookup(name)!
      for (const c of sample(name, domain, 40)) {
        const a = op.parseAttrs(c.attrs)
        const f = E.isRight(a) ? op.forward(a.right, c.inputs) : a
        if (E.isLeft(f)) { bad.push(`${domain} ${name}: ${f.left.arg}: ${f.left.expected}, got ${f.left.received}`); break }
        if (op.backward !== undefined && E.isRight(a)) {
          const g = vjp(op, a.right, c.inputs, {})
          if (E.isLeft(g)) { bad.push(`${domain} ${name} vjp: ${g.left.arg}: ${g.left.expected}, got ${g.left.received}`); break }
        }
      }
    }
  }
  assert.equal(bad, [])
})

const seen = (f: (c: FuzzCase) => unknown, cs: FuzzCase[]) => new Set(cs.map((c) => JSON.stringify(f(c))))

test('under pytorch: no gelu "sigmoid", no empty crop (torchvision refuses some), nearest interpolation without align_corners or antialias; under all: gelu "sigmoid" and empty crops', () => {
  assert.not.ok(sample('gelu', 'pytorch', 100).some((c) => c.attrs.approximate === 'sigmoid'))
  assert.ok(sample('gelu', 'all', 100).some((c) => c.attrs.approximate === 'sigmoid'))
  assert.ok(sample('crop', 'pytorch', 150).every((c) => (c.attrs.height as number) >= 1 && (c.attrs.width as number) >= 1))
  assert.ok(sample('crop', 'all', 150).some((c) => c.attrs.height === 0 || c.attrs.width === 0))
  assert.ok(sample('interpolate', 'pytorch', 150).filter((c) => c.attrs.mode === 'nearest').every((c) => !('align_corners' in c.attrs) && !('antialias' in c.attrs)))
  // Nearest elastic: no sample position within 1e-6 pixel of a half-integer (a knife edge where rounding decides).
  for (const c of sample('elastic', 'pytorch', 150).filter((c) => c.attrs.interpolation === 'nearest')) {
    const [, , h, w] = c.inputs.x.shape
    c.inputs.displacement.data.forEach((d, k) => {
      const off = (d * (k % 2 === 0 ? w : h)) / 2
      assert.ok(Math.abs(off - Math.floor(off) - 0.5) >= 1e-6, `displacement ${d} on a length ${k % 2 === 0 ? w : h} lands on a half-pixel`)
    })
  }
  for (const c of sample('fractional_max_pool2d', 'pytorch', 100)) {
    const [kh, kw] = c.attrs.kernel_size as number[], [oh, ow] = c.attrs.output_size as number[]
    assert.ok(oh + kh - 1 <= c.inputs.x.shape[2] && ow + kw - 1 <= c.inputs.x.shape[3])
    assert.ok(c.inputs.samples.data.every((u) => u >= 0 && u < 1))
  }
})

test('nearest affine: under pytorch no draw sits on a knife edge (a 1e-7 pixel shift changes no output); under all some do', () => {
  const op = lookup('affine')!
  const run = (c: FuzzCase, dt: number) => {
    const t = c.attrs.translate as number[]
    const a = op.parseAttrs({ ...c.attrs, translate: [t[0] + dt, t[1] + dt] })
    const f = E.isRight(a) ? op.forward(a.right, c.inputs) : a
    return E.isRight(f) ? Array.from(f.right.outputs.y.data) : []
  }
  const knife = (c: FuzzCase) => JSON.stringify(run(c, 1e-7)) !== JSON.stringify(run(c, -1e-7))
  const nearest = (d: 'pytorch' | 'all') => sample('affine', d, 300).filter((c) => c.attrs.interpolation === 'nearest')
  assert.equal(nearest('pytorch').filter(knife).map((c) => c.attrs), [])
  assert.ok(nearest('all').some(knife), 'the check can fail: knife edges exist among unfiltered draws')
})

test('the shape space is explored: broadcasting, flatten ranges, schedule kinds, modes, batch sizes, pieces, box positions all vary', () => {
  const add = sample('add', 'pytorch', 150)
  assert.ok(add.some((c) => c.inputs.a.shape.length !== c.inputs.b.shape.length), 'ranks differ (leading dims broadcast)')
  assert.ok(add.some((c) => c.inputs.a.shape.some((d, i) => d !== c.inputs.b.shape[i] && c.inputs.a.shape.length === c.inputs.b.shape.length)), 'size-1 dims broadcast')
  assert.ok(seen((c) => [c.attrs.start_dim, c.attrs.end_dim], sample('flatten', 'pytorch', 100)).size >= 6)
  assert.ok(sample('reshape', 'pytorch', 100).some((c) => (c.attrs.shape as number[]).includes(-1)))
  assert.is(seen((c) => c.attrs.kind, sample('lr_schedule', 'pytorch', 200)).size, 8, 'all eight scheduler kinds')
  const interp = sample('interpolate', 'pytorch', 200)
  assert.is(seen((c) => c.attrs.mode, interp).size, 3)
  assert.ok(interp.some((c) => c.attrs.antialias === true) && interp.some((c) => c.attrs.align_corners === true))
  assert.ok(seen((c) => c.inputs.x.shape[0], sample('hflip', 'pytorch', 100)).size >= 3, 'batch sizes 1..3')
  assert.ok(seen((c) => c.attrs.pieces, sample('maxout', 'pytorch', 100)).size >= 3)
  assert.ok(seen((c) => [c.attrs.top, c.attrs.left], sample('cutmix', 'pytorch', 100)).size >= 10, 'box positions, some outside')
  assert.ok(seen((c) => c.inputs.x.shape.length, sample('standardize', 'pytorch', 100)).size === 2, '[N, D] and [N, C, H, W]')
  assert.ok(seen((c) => c.attrs.interpolation, sample('affine', 'pytorch', 100)).size === 2)
  const images = sample('standardize', 'pytorch', 100).filter((c) => c.inputs.x.shape.length === 4)
  assert.ok(seen((c) => c.inputs.mean.shape.length, images).size === 2, 'images with per channel [C] and per feature [C, H, W] statistics')
  assert.ok(seen((c) => Array.from(c.inputs.perm.data), sample('mixup', 'pytorch', 100)).size >= 8, 'partners vary')
})

test.run()
