/**
 * The training lab's code (docs/.vitepress/theme/labs/train.ts), which the
 * page runs in the browser: its backward pass is the gradient of its forward
 * pass, and training with the lectures' settings lowers the loss.
 *   - gradient: every parameter's gradient from the tape of op VJPs agrees with a
 *     central difference of the loss, on a small batch, with batch norm on and off.
 *     Tolerance: h = 1e-5; the loss is smooth away from ReLU's kink, and a point
 *     whose pre-activations come within 1e-3 of 0 would be skipped (none does at
 *     this seed: asserted). The truncation error h^2/6 |L'''| and the rounding
 *     error eps |L| / h are both below 1e-8 for |L| ~ 1 and |L'''| ~ 10,
 *     so 1e-6 (absolute, plus 1e-6 relative) leaves a factor 100.
 *   - training: 150 steps at lr 0.1, momentum 0.9 bring the mean of the last 20
 *     minibatch losses below a third of the first loss; at lr 1e-3 the same steps do not
 *     (the curve a student should see move when the control changes).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { keyFromSeed, split } from '../../src/core/random.ts'
import { make } from '../../src/core/tensor.ts'
import { DEFAULT_SETTINGS, initParams, lossAndGrads, runAll, spiral } from '../../docs/.vitepress/theme/labs/train.ts'

const test = suite('docs: the training lab')

for (const batchNorm of [false, true]) {
  test(`backprop through the ops' VJPs equals a central difference of the loss (batch norm ${batchNorm ? 'on' : 'off'})`, () => {
    const s = { ...DEFAULT_SETTINGS, hidden: 6, batchNorm }
    const [kd, ki] = split(keyFromSeed(3), 2)
    const d = spiral(kd, 4)
    const p = initParams(ki, 6)
    const key = keyFromSeed(0)
    const { grads } = lossAndGrads(s, p, d.x, d.y, key, false)
    const h = 1e-5
    for (const name of Object.keys(p)) {
      if (!batchNorm && (name.startsWith('g') || name.startsWith('be'))) continue
      for (let i = 0; i < p[name].data.length; i++) {
        const at = (dv: number) => {
          const v = Float64Array.from(p[name].data); v[i] += dv
          return lossAndGrads(s, { ...p, [name]: make(p[name].shape, v) }, d.x, d.y, key, false).loss
        }
        const fd = (at(h) - at(-h)) / (2 * h)
        const g = grads[name].data[i]
        assert.ok(Math.abs(g - fd) <= 1e-6 + 1e-6 * Math.abs(fd), `${name}[${i}]: backprop ${g}, central difference ${fd}`)
      }
    }
  })
}

test('training lowers the loss at lr 0.1, and barely at lr 0.001', () => {
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length
  const good = runAll({ ...DEFAULT_SETTINGS, steps: 150 })
  assert.ok(good.losses.every(Number.isFinite))
  assert.ok(mean(good.losses.slice(-20)) < good.losses[0] / 3, `last ${mean(good.losses.slice(-20))} vs first ${good.losses[0]}`)
  assert.ok(good.accuracy > 0.9, `accuracy ${good.accuracy}`)
  const slow = runAll({ ...DEFAULT_SETTINGS, steps: 150, lr: 1e-3 })
  assert.ok(mean(slow.losses.slice(-20)) > slow.losses[0] * 0.7, 'lr 1e-3 should barely move the loss in 150 steps')
})

test.run()
