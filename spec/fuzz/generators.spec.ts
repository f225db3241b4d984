/**
 * The fuzz generators (src/fuzz/generators.ts): every draw is a case the
 * oracle accepts, under both domains; under `pytorch` only what PyTorch
 * accepts is drawn; and the shape space is explored (batch sizes, groups,
 * dilation, padding forms, ceil mode, optional inputs all vary).
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type FuzzCase, generatedOps, generator } from '../../src/fuzz/generators.ts'
import { lookup } from '../../src/registry.ts'

const test = suite('fuzz generators: valid, framework-aware, exploring')
const sample = (op: string, domain: 'pytorch' | 'all', n = 60) => fc.sample(generator(op, domain)!, { numRuns: n, seed: 5 })

test('every op of the case format has a generator of its own', () => {
  const original = ['linear', 'matmul', 'conv2d', 'conv_transpose2d', 'max_pool2d', 'avg_pool2d', 'global_avg_pool2d', 'relu', 'sigmoid', 'tanh', 'softsign', 'silu', 'mish', 'log_sigmoid', 'selu',
    'leaky_relu', 'elu', 'gelu', 'softplus', 'prelu', 'softmax', 'log_softmax', 'batch_norm', 'layer_norm', 'instance_norm', 'group_norm', 'dropout', 'cross_entropy', 'nll_loss',
    'binary_cross_entropy_with_logits', 'multi_margin_loss', 'mse_loss', 'l1_penalty', 'l2_penalty', 'elastic_net_penalty', 'sgd_step', 'adam_step']
  assert.is(original.length, 37)
  assert.equal(original.filter((o) => !generatedOps().includes(o)), [])
})

test('every draw is a case the oracle accepts (attributes parse, forward succeeds), under both domains', () => {
  const bad: string[] = []
  for (const domain of ['pytorch', 'all'] as const) {
    for (const name of generatedOps()) {
      const op = lookup(name)!
      for (const c of sample(name, domain, 40)) {
        const a = op.parseAttrs(c.attrs)
        const f = E.isRight(a) ? op.forward(a.right, c.inputs) : a
        if (E.isLeft(f)) { bad.push(`${domain} ${name}: ${f.left.arg}: ${f.left.expected}, got ${f.left.received}`); break }
      }
    }
  }
  assert.equal(bad, [])
})

const pads = (c: FuzzCase) => c.attrs.padding as number[]
const kernel = (c: FuzzCase) => c.attrs.kernel_size as number[]

test('under pytorch: symmetric [ph, pw] padding, pooling padding at most half the kernel, no max-pool window wholly in the padding, output_padding below stride or dilation', () => {
  for (const op of ['max_pool2d', 'avg_pool2d']) {
    for (const c of sample(op, 'pytorch', 150)) {
      assert.is(pads(c).length, 2, JSON.stringify(c.attrs))
      assert.ok(pads(c)[0] <= kernel(c)[0] >> 1 && pads(c)[1] <= kernel(c)[1] >> 1, JSON.stringify(c.attrs))
    }
  }
  const pool = lookup('max_pool2d')!
  for (const c of sample('max_pool2d', 'pytorch', 150)) {
    const f = pool.forward(E.getOrElseW(() => { throw new Error('attrs') })(pool.parseAttrs(c.attrs)), c.inputs)
    assert.ok(E.isRight(f) && !f.right.outputs.indices.data.includes(-1), JSON.stringify(c.attrs))
  }
  for (const c of sample('conv2d', 'pytorch', 100)) assert.is(pads(c).length, 2)
  for (const c of sample('conv_transpose2d', 'pytorch', 100)) {
    const [s, d, o] = ['stride', 'dilation', 'output_padding'].map((k) => c.attrs[k] as number[])
    assert.ok(o.every((v, i) => v < Math.max(s[i], d[i])), JSON.stringify(c.attrs))
  }
  for (const c of sample('batch_norm', 'pytorch', 100)) {
    if (c.attrs.training) assert.ok(c.inputs.x.data.length / c.inputs.x.shape[1] >= 2, JSON.stringify(c.inputs.x.shape))
  }
})

test('under all: 4-element asymmetric padding and pooling padding beyond half the kernel, windows wholly in the padding', () => {
  const asym = sample('conv2d', 'all', 100).some((c) => pads(c).length === 4 && (pads(c)[0] !== pads(c)[2] || pads(c)[1] !== pads(c)[3]))
  assert.ok(asym)
  const pool = lookup('max_pool2d')!
  const cases = sample('max_pool2d', 'all', 200)
  assert.ok(cases.some((c) => pads(c).some((p, i) => p > kernel(c)[i % 2] >> 1)))
  assert.ok(cases.some((c) => { const f = pool.forward(E.getOrElseW(() => { throw new Error('attrs') })(pool.parseAttrs(c.attrs)), c.inputs); return E.isRight(f) && f.right.outputs.indices.data.includes(-1) }))
})

test('the shape space is explored: batch, groups, dilation, stride, bias, ceil mode, reductions, target kinds, mask dtypes all vary', () => {
  const conv = sample('conv2d', 'pytorch', 200)
  const seen = (f: (c: FuzzCase) => unknown, cs: FuzzCase[]) => new Set(cs.map((c) => JSON.stringify(f(c))))
  assert.ok(seen((c) => c.inputs.x.shape[0], conv).size >= 4, 'batch sizes 1..4')
  assert.ok(seen((c) => c.attrs.groups, conv).size >= 3, 'groups 1..3')
  assert.ok(seen((c) => c.attrs.dilation, conv).size >= 6, 'dilations')
  assert.ok(seen((c) => c.attrs.stride, conv).size >= 6, 'strides')
  assert.ok(seen((c) => 'bias' in c.inputs, conv).size === 2, 'with and without bias')
  assert.ok(seen((c) => c.attrs.ceil_mode, sample('max_pool2d', 'pytorch', 100)).size === 2)
  assert.ok(seen((c) => c.attrs.stride === undefined, sample('avg_pool2d', 'pytorch', 100)).size === 2, 'stride given and defaulted')
  assert.is(seen((c) => c.attrs.reduction, sample('cross_entropy', 'pytorch', 100)).size, 3)
  assert.is(seen((c) => c.inputs.target.dtype, sample('cross_entropy', 'pytorch', 100)).size, 2, 'class and probability targets')
  assert.ok(seen((c) => c.inputs.mask?.dtype, sample('dropout', 'pytorch', 100)).size >= 4, 'float, bool, int64 masks and none')
  assert.ok(seen((c) => c.inputs.x.shape.length, sample('batch_norm', 'pytorch', 100)).size >= 3, 'ranks 2..4')
})

test.run()
