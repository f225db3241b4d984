/**
 * Writes spec/crosscheck/occlusion-fixture.json: a small CNN (conv 4, fc to
 * 10) trained for one epoch on 200 digits, two preprocessed test images with
 * their labels, and the occlusion options. occlusion_torch.py recomputes the
 * occlusion maps from these numbers with PyTorch; spec/training-run/
 * occlusion.spec.ts checks ours against them.
 *   node --import tsx spec/crosscheck/occlusion-fixture.ts
 */
import { writeFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { prepareData, trainRun } from '../../src/experiments/training-run.ts'

const options = { model: 'cnn' as const, conv: [4], hidden: [], epochs: 1, limit: { train: 200, validation: 50, test: 50 }, overfit: null, probe: 16, seed: 1 }
const r = trainRun(options)
if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
const s = prepareData(r.right.options)
if (E.isLeft(s)) throw new Error(JSON.stringify(s.left))
const images = [0, 1].map((i) => ({ label: s.right.test.y.data[i], pixels: Array.from(s.right.test.x.data.subarray(784 * i, 784 * (i + 1))) }))
const params = Object.fromEntries(Object.entries(r.right.params).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.data) }]))
writeFileSync(new URL('./occlusion-fixture.json', import.meta.url), JSON.stringify({
  note: 'nn-oracle CNN (conv2d 1->4 3x3 pad 1, relu, max_pool2d 2, flatten, linear 784->10), trained 1 epoch on 200 digits (seed 1)',
  options, occlusion: { patch: 6, stride: 2, fill: 0 }, params, images,
}) + '\n')
