/**
 * Defaults that live in code rather than in an attribute schema: the library's
 * optimizer values (src/optimizers/) and the initializers (src/initializers/).
 * Each is built once from nothing and once from the explicit defaults of
 * docs/defaults.md (docs/tools/defaults-table.ts), and the two must give the
 * same numbers, bit for bit, on inputs where every default matters: so the
 * page states what the code does, and ./defaults.spec.ts holds the page to the
 * frameworks' documentation.
 *
 * And the residual initializer's options reach the layers they are meant
 * for (not only the shapes come out right): each layer but the last is
 * exactly Kaiming normal with those options from its own key, the last is 0.
 */
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { INITIALIZERS, LIBRARY_OPTIMIZERS } from '../../docs/tools/defaults-table.ts'
import { type Key, keyFromSeed, split } from '../../src/core/random.ts'
import { type Tensor, fromArray } from '../../src/core/tensor.ts'
import { initializers } from '../../src/initializers/index.ts'
import { kaimingNormal } from '../../src/initializers/kaiming.ts'
import { residualBlock } from '../../src/initializers/residual.ts'
import { adagrad } from '../../src/optimizers/adagrad.ts'
import { adam, adamW } from '../../src/optimizers/adam.ts'
import type { Optimizer, Params } from '../../src/optimizers/optimizer.ts'
import { rmsprop } from '../../src/optimizers/rmsprop.ts'
import { sgd } from '../../src/optimizers/sgd.ts'

const test = suite('defaults: library optimizers and initializers, empty options = the documented ones')

const get = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Make = (c: any) => E.Either<unknown, Optimizer<any>>
const MAKERS: Readonly<Record<string, Make>> = { sgd, adam, adamW, rmsprop, adagrad }

/**
 * Three steps from parameters of mixed signs and sizes, with gradients that are
 * large, tiny (1e-9, where eps decides), zero (where only weight decay moves a
 * parameter) and changing from step to step (momentum, lr_decay, beta2): each
 * default of the table changes at least one of the numbers returned.
 */
const trajectory = (o: Optimizer<unknown>): number[] => {
  let params: Params = { w: fromArray([5], [1, -2, 0.5, 3, -0.25]) }
  let state = o.init(params)
  const out: number[] = []
  const grads = [[0.3, -1e-9, 0, 2, -1], [0.1, 1e-9, 0, -2, 0.5], [-0.2, 0, 0, 1, 1]]
  for (const g of grads) {
    const r = get(o.update({ w: fromArray([5], g) }, state, params))
    params = r.params
    state = r.state
    out.push(...params.w.data)
  }
  return out
}

for (const [name, values] of Object.entries(LIBRARY_OPTIMIZERS)) {
  test(`${name}: built from {} it steps exactly as from the documented defaults`, () => {
    const make = MAKERS[name]
    assert.ok(make !== undefined, `no optimizer ${name}`)
    const lr = name === 'sgd' ? { lr: 0.1 } : {} // SGD's lr is required
    const a = trajectory(get(make({ ...lr })) as Optimizer<unknown>)
    const b = trajectory(get(make({ ...lr, ...values })) as Optimizer<unknown>)
    assert.equal(a, b)
  })
}

test('sgd: the momentum defaults (dampening 0, nesterov false) once momentum is on', () => {
  // dampening and nesterov only act with momentum > 0: build both with momentum 0.9
  const a = trajectory(get(sgd({ lr: 0.1, momentum: 0.9 })) as Optimizer<unknown>)
  const b = trajectory(get(sgd({ lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false })) as Optimizer<unknown>)
  assert.equal(a, b)
})

const same = (x: Tensor, y: Tensor): boolean => x.data.length === y.data.length && x.data.every((v, i) => Object.is(v, y.data[i]))

for (const [name, values] of Object.entries(INITIALIZERS)) {
  test(`init ${name}: {} draws exactly what the documented defaults draw (fan_in 3 != fan_out 5)`, () => {
    const init = initializers[name]
    assert.ok(init !== undefined, `no initializer ${name}`)
    const key = keyFromSeed(16)
    // [5, 3]: fan_in 3, fan_out 5, so a changed mode changes the scale
    assert.ok(same(get(init(key, [5, 3], {})), get(init(key, [5, 3], values))))
  })
}

const kaimingFrom = (k: Key, shape: readonly number[], o: object): Tensor => get(kaimingNormal(k, shape, o))

test('residualBlock: every layer but the last is Kaiming normal with the given options, from its own key; the last is 0', () => {
  const key = keyFromSeed(7)
  const shapes = [[6, 4], [6, 6], [4, 6]]
  const keys = split(key, shapes.length)
  const cases: readonly (readonly [object, object])[] = [
    [{}, { nonlinearity: 'relu' }], // the default: ReLU's gain sqrt 2, fan_in
    [{ mode: 'fan_out' }, { nonlinearity: 'relu', mode: 'fan_out' }],
    [{ nonlinearity: 'leaky_relu', a: 0.1 }, { nonlinearity: 'leaky_relu', a: 0.1 }],
    [{ nonlinearity: 'tanh' }, { nonlinearity: 'tanh' }],
  ]
  const firsts: Tensor[] = []
  for (const [options, expected] of cases) {
    const ws = get(residualBlock(key, shapes, options))
    assert.is(ws.length, 3)
    for (let l = 0; l < 2; l++) assert.ok(same(ws[l], kaimingFrom(keys[l], shapes[l], expected)), `layer ${l} with ${JSON.stringify(options)}`)
    assert.equal(ws[2].shape, [4, 6])
    assert.ok(ws[2].data.every((v) => v === 0), 'the last layer is not 0')
    firsts.push(ws[0])
  }
  // and the options matter: each case draws a different first layer
  for (let i = 0; i < firsts.length; i++) for (let j = i + 1; j < firsts.length; j++) assert.not.ok(same(firsts[i], firsts[j]), `cases ${i} and ${j} agree`)
})

test('residualBlock: bad options are an error value naming the layer, not a throw', () => {
  const r = residualBlock(keyFromSeed(1), [[4, 4], [4, 4]], { mode: 'fan_sideways' as 'fan_in' })
  assert.ok(E.isLeft(r))
  if (E.isLeft(r)) assert.is(r.left.op, 'init.residual')
})

test.run()
