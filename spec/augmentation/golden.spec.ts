/**
 * The golden cases of spec/crosscheck/augmentation-cases.jsonl, exported from
 * PyTorch 1.13 / torchvision 0.14 (float64) by
 * spec/crosscheck/export_augmentation.py, run through `check`'s own path
 * (parseLine, then evaluate: the registry, attribute parsing, forward, vjp,
 * compare). Each case carries its tolerance, rtol 1e-9 and atol 1e-12, argued
 * in the script's header.
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { parseLine } from '../../src/cases/case.ts'
import { evaluate } from '../../src/cases/evaluate.ts'

const test = suite('augmentation: golden cases from PyTorch and torchvision')

const lines = readFileSync(new URL('../crosscheck/augmentation-cases.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '')

/** Every op of the issue has golden cases, forward and (where the case format gives them) gradients. */
const OPS = ['hflip', 'vflip', 'crop', 'interpolate', 'adjust_brightness', 'adjust_contrast', 'adjust_saturation', 'adjust_hue',
  'pca_lighting', 'affine', 'elastic', 'erase', 'mixup', 'cutmix', 'maxout', 'fractional_max_pool2d', 'max_norm', 'gelu']
const WITH_GRADIENTS = ['hflip', 'vflip', 'crop', 'interpolate', 'adjust_brightness', 'adjust_contrast', 'adjust_saturation',
  'pca_lighting', 'erase', 'mixup', 'maxout', 'fractional_max_pool2d', 'max_norm', 'gelu']

const cases = lines.map((l, i) => {
  const c = parseLine(l)
  if (E.isLeft(c)) throw new Error(`line ${i + 1}: ${c.left.reason}`)
  return c.right
})

test('the fixture covers every op, with gradients where the case format has them', () => {
  for (const op of OPS) assert.ok(cases.some((c) => c.op === op), `no golden case for ${op}`)
  for (const op of WITH_GRADIENTS) assert.ok(cases.some((c) => c.op === op && c.gradients !== undefined), `no gradient case for ${op}`)
  assert.ok(cases.length >= 100, `${cases.length} cases`)
})

for (const op of OPS) {
  test(`${op}: check passes every golden case`, () => {
    for (const c of cases.filter((k) => k.op === op)) {
      const r = evaluate(c)
      assert.is(r.status, 'pass', `${c.id}: ${r.status} ${r.reason ?? ''} ${JSON.stringify(r.mismatches?.[0] ?? '')}`)
    }
  })
}

test.run()
