/**
 * Each convention against an independent statement of the other framework's
 * formula or a value it was seen to produce (spec/profiles/conventions-notes.md,
 * "[run]" rows), so that a convention cannot agree with itself and be wrong.
 * Tolerance: float64 evaluation of a few operations, 1e-12 relative; the
 * framework values quoted to 4-5 digits compare at their own precision.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { type Case } from '../../src/cases/case.ts'
import { compute } from '../../src/cases/evaluate.ts'
import { conventionById } from '../../src/profiles/conventions.ts'
import { profileConventions } from '../../src/profiles/profiles.ts'
import { fromArray, type Tensor } from '../../src/core/tensor.ts'
import { lookup } from '../../src/registry.ts'

const test = suite('conventions pinned to the frameworks')

const run = (op: string, attrs: Record<string, unknown>, inputs: Record<string, Tensor>, conv: string[], cot: Record<string, Tensor> = {}) => {
  const c: Case = { id: 'pin', op, attrs, inputs, outputs: {}, cotangents: cot, gradients: {} }
  const r = compute(lookup(op)!, c, conv.map((id) => conventionById(id)!))
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}
const close = (a: number, b: number, rel = 1e-12) => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${a} vs ${b}`)
const T = (shape: number[], data: number[], dtype: 'float64' | 'int64' = 'float64') => fromArray(shape, data, dtype)

test("Keras/TF Adam 'epsilon hat': theta -= lr sqrt(1 - b2^t)/(1 - b1^t) * m/(sqrt(v) + eps)", () => {
  const lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-3, t = 3
  const p = 0.5, g = 0.2, m0 = 0.05, v0 = 0.01
  const m = b1 * m0 + (1 - b1) * g, v = b2 * v0 + (1 - b2) * g * g
  const expected = p - (lr * Math.sqrt(1 - b2 ** t) / (1 - b1 ** t)) * m / (Math.sqrt(v) + eps)
  const r = run('adam_step', { lr, beta1: b1, beta2: b2, eps, step: t }, { param: T([1], [p]), grad: T([1], [g]), exp_avg: T([1], [m0]), exp_avg_sq: T([1], [v0]) }, ['adam.epsilon-hat'])
  close(r.outputs.param.data[0], expected)
})

test('Adam one step, g = 1e-3, lr = 1, eps = 1: PyTorch -9.99001e-4, epsilon-hat form -3.1622e-5 (conventions.md [run])', () => {
  const ins = { param: T([1], [0]), grad: T([1], [1e-3]), exp_avg: T([1], [0]), exp_avg_sq: T([1], [0]) }
  close(run('adam_step', { lr: 1, eps: 1, step: 1 }, ins, []).outputs.param.data[0], -9.99001e-4, 1e-5)
  close(run('adam_step', { lr: 1, eps: 1, step: 1 }, ins, ['adam.epsilon-hat']).outputs.param.data[0], -3.1622e-5, 1e-4)
})

test('ONNX AdamW: X_final = (1 - norm_coefficient_post) X_new, decay not scaled by lr', () => {
  const ins = { param: T([1], [1]), grad: T([1], [0]), exp_avg: T([1], [0]), exp_avg_sq: T([1], [0]) }
  // zero gradient: the Adam step is 0 and only the decay moves the parameter
  close(run('adam_step', { lr: 0.1, weight_decay: 0.5, decoupled: true, step: 1 }, ins, ['adamw.decay-not-lr-scaled']).outputs.param.data[0], 0.5)
  close(run('adam_step', { lr: 0.1, weight_decay: 0.5, decoupled: true, step: 1 }, ins, []).outputs.param.data[0], 0.95) // PyTorch/Optax [run]
})

test('Keras batch norm: running = 0.99 old + 0.01 batch, variance biased, eps 1e-3', () => {
  const x = [1, 2, 4, 7] // one channel, N = 4
  const mean = 3.5, biased = ((2.5 ** 2) + (1.5 ** 2) + (0.5 ** 2) + (3.5 ** 2)) / 4
  const r = run('batch_norm', { training: true }, { x: T([4, 1], x), running_mean: T([1], [1]), running_var: T([1], [2]) }, profileConventions('keras')!.map((k) => k.id))
  close(r.outputs.running_mean.data[0], 0.99 * 1 + 0.01 * mean)
  close(r.outputs.running_var.data[0], 0.99 * 2 + 0.01 * biased)
  close(r.outputs.y.data[0], (1 - mean) / Math.sqrt(biased + 1e-3))
})

test('Crammer-Singer hinge: optax multiclass_hinge_loss gives 2.0 for s = [1, 2, 0.5], y = 0', () => {
  const r = run('multi_margin_loss', { reduction: 'sum' }, { input: T([1, 3], [1, 2, 0.5]), target: T([1], [0], 'int64') }, ['multi_margin.crammer-singer'])
  close(r.outputs.loss.data[0], 2.0)
})

test('Crammer-Singer squared hinge (p = 2): loss h^2 with h = 1 + max_wrong - s_y, gradient 2h at the max and -2h at the target', () => {
  const r = run('multi_margin_loss', { reduction: 'sum', p: 2 }, { input: T([1, 3], [1, 2, 0.5]), target: T([1], [0], 'int64') }, ['multi_margin.crammer-singer'], { loss: T([], [1]) })
  close(r.outputs.loss.data[0], 4)
  assert.equal(Array.from(r.gradients.input.data), [-4, 4, 0])
})

test('Weston-Watkins hinge (cs231n): sum over wrong classes of max(0, s_j - s_y + 1), no 1/C', () => {
  const r = run('multi_margin_loss', { reduction: 'sum' }, { input: T([1, 3], [1, 2, 0.5]), target: T([1], [0], 'int64') }, ['multi_margin.no-divide-by-C'])
  close(r.outputs.loss.data[0], Math.max(0, 2 - 1 + 1) + Math.max(0, 0.5 - 1 + 1))
})

test('leaky ReLU default slopes: Keras layer 0.3, TF.js op 0.2; JAX takes the positive branch at 0', () => {
  close(run('leaky_relu', {}, { x: T([1], [-1]) }, ['leaky_relu.slope-0.3']).outputs.y.data[0], -0.3)
  close(run('leaky_relu', {}, { x: T([1], [-1]) }, ['leaky_relu.slope-0.2']).outputs.y.data[0], -0.2)
  const g = run('leaky_relu', { negative_slope: 0.1 }, { x: T([1], [0]) }, ['leaky_relu.grad-1-at-0'], { y: T([1], [1]) }).gradients.x.data[0]
  close(g, 1.0) // JAX [run]: 1.0; PyTorch 0.1
})

test('JAX GELU defaults to tanh: gelu(1) = 0.8411919906082768 (erf form 0.841344746068543)', () => {
  close(run('gelu', {}, { x: T([1], [1]) }, ['gelu.tanh-default']).outputs.y.data[0], 0.8411919906082768)
  close(run('gelu', {}, { x: T([1], [1]) }, []).outputs.y.data[0], 0.841344746068543)
})

test('average pooling without padding in the count: PyTorch/ORT values for arange(1..16), k3, s2, p1, ceil_mode (conventions.md [run])', () => {
  const x = T([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i + 1))
  const include = run('avg_pool2d', { kernel_size: 3, stride: 2, padding: 1, ceil_mode: true }, { x }, []).outputs.y.data
  const exclude = run('avg_pool2d', { kernel_size: 3, stride: 2, padding: 1, ceil_mode: true }, { x }, ['avg_pool2d.exclude-pad']).outputs.y.data
  ;[1.5556, 3.3333, 2.0, 6.3333, 11.0, 6.0, 4.5, 7.5, 4.0].forEach((v, i) => close(include[i], v, 1e-4))
  ;[3.5, 5, 6, 9.5, 11, 12, 13.5, 15, 16].forEach((v, i) => close(exclude[i], v, 1e-12))
})

test('layer norm eps defaults: Keras/TF.js 1e-3, Flax 1e-6', () => {
  const x = T([1, 2], [0, 1e-3]) // variance 2.5e-7, comparable to the eps values
  const at = (eps: number) => 0.5e-3 / Math.sqrt(2.5e-7 + eps)
  close(run('layer_norm', { normalized_shape: [2] }, { x }, ['layer_norm.eps-1e-3']).outputs.y.data[1], at(1e-3))
  close(run('layer_norm', { normalized_shape: [2] }, { x }, ['layer_norm.eps-1e-6']).outputs.y.data[1], at(1e-6))
})

test('label smoothing as soft targets: -(sum_j ((1-e) onehot_j + e/C) log p_j), mean over positions, class weights on the soft target', () => {
  const logits = [1, 2, 0.5], e = 0.1, C = 3
  const lse = Math.log(logits.reduce((s, v) => s + Math.exp(v), 0))
  const expected = -logits.reduce((s, v, j) => s + ((j === 1 ? 1 - e : 0) + e / C) * (v - lse), 0)
  const r = run('cross_entropy', { label_smoothing: e }, { input: T([1, 3], logits), target: T([1], [1], 'int64') }, ['cross_entropy.smoothing-as-soft-targets'])
  close(r.outputs.loss.data[0], expected)
})

test.run()
