/**
 * Train cases through check's parse and evaluate (case format v2, "Train
 * cases"): the committed PyTorch case perturbed in one number fails; every
 * way of breaking the format is `invalid`; L-BFGS, schedules and averaging
 * are `unsupported` (their own modules follow), never silently ignored.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseCase } from '../../src/cases/case.ts'
import { evaluate } from '../../src/cases/evaluate.ts'

const test = suite('train cases')

const path = fileURLToPath(new URL('../crosscheck/train-mlp.jsonl', import.meta.url))
const sgdLine = readFileSync(path, 'utf8').split('\n')[0]
/** The SGD case cut to its first 5 steps, with only the quantities that do not depend on later steps. */
const small = (): any => {
  const c = JSON.parse(sgdLine)
  c.steps = c.steps.slice(0, 5)
  c.outputs = { losses: { ...c.outputs.losses, shape: [5], data: c.outputs.losses.data.slice(0, 5) } }
  return c
}
const run = (v: unknown) => {
  const c = parseCase(v)
  return E.isLeft(c) ? { status: 'invalid', reason: c.left.reason } : evaluate(c.right)
}
const mk = (f: (c: any) => void) => { const c = small(); f(c); return c }

test('the first 5 steps of the PyTorch SGD case pass; one loss off by 1e-6 relative fails, naming outputs.losses', () => {
  assert.is(run(small()).status, 'pass')
  const r = run(mk((c) => { c.outputs.losses.data[3] *= 1 + 1e-6 }))
  assert.is(r.status, 'fail')
  assert.is((r as any).mismatches[0].name, 'outputs.losses')
  assert.equal((r as any).mismatches[0].index, [3])
})

test('a final parameter off by 1e-6 relative fails; a frozen parameter is compared against its start', () => {
  const full = JSON.parse(sgdLine)
  full.outputs.params['fc2.bias'].data[0] *= 1 + 1e-6
  const r = run(full)
  assert.is(r.status, 'fail')
  assert.is((r as any).mismatches[0].name, 'outputs.params.fc2.bias')
  // fc1 frozen: only fc2 trained (the group names fc2.bias only); fc1's final value is its initial one.
  const frozen = mk((c) => {
    c.params = ['fc2.weight', 'fc2.bias']
    c.param_groups = [{ params: ['fc2.bias'], attrs: { weight_decay: 0 } }]
    c.outputs = { params: { 'fc1.weight': c.inputs['fc1.weight'], 'fc1.bias': c.inputs['fc1.bias'] } }
  })
  assert.is(run(frozen).status, 'pass')
  const moved = mk((c) => {
    c.outputs = { params: { 'fc1.weight': c.inputs['fc1.weight'] } }
  })
  assert.is(run(moved).status, 'fail', 'fc1.weight is trained in the full case, so its start is not its end')
})

test('amsgrad is unsupported; schedules, averaging and L-BFGS run (spec/training/pytorch.spec.ts checks them against PyTorch)', () => {
  assert.is(run(mk((c) => { c.optimizer = { op: 'adam', attrs: { amsgrad: true } }; delete c.param_groups })).status, 'unsupported')
  for (const c of [
    mk((c) => { c.optimizer = { op: 'lbfgs', attrs: { max_iter: 3 } }; delete c.param_groups }),
    mk((c) => { c.schedule = { kind: 'step', attrs: { step_size: 2 } } }),
    mk((c) => { c.averaging = { kind: 'ema', attrs: { decay: 0.9 } }; c.outputs.averaged = { 'fc1.bias': c.inputs['fc1.bias'] } }),
  ]) {
    const r = run(c) as any
    assert.ok(r.status === 'pass' || r.status === 'fail', `${r.status} ${r.reason ?? ''}`)
    assert.is(r.actual.outputs.losses.data.length, 5)
  }
  // A schedule changes the run: the losses after the first scheduler step differ from the plain case's.
  const sched = run(mk((c) => { c.schedule = { kind: 'step', attrs: { step_size: 1, gamma: 0.1 } } })) as any
  assert.is(sched.status, 'fail')
  assert.is(run(mk((c) => { c.schedule = { kind: 'no_such_schedule', attrs: {} } })).status, 'invalid')
})

test('every way of breaking a train case is invalid', () => {
  const x = (c: any) => c.steps[0].inputs.x
  const cases: [string, any][] = [
    ['steps with different input names', mk((c) => { c.steps[2].inputs = { x: x(c) } })],
    ['a step input that is also a case input', mk((c) => { c.inputs.x = x(c) })],
    ['a param not in inputs', mk((c) => { c.params.push('fc9.weight') })],
    ['an int param', mk((c) => { c.inputs.k = { dtype: 'int64', shape: [1], data: [1] }; c.params.push('k') })],
    ['a group naming a param not in params', mk((c) => { c.param_groups = [{ params: ['x'], attrs: {} }] })],
    ['a param in two groups', mk((c) => { c.param_groups = [{ params: ['fc1.bias'] }, { params: ['fc1.bias'] }] })],
    ['a loss that is not a node output', mk((c) => { c.loss = 'fc1.weight' })],
    ['a loss that is not scalar', mk((c) => { c.loss = 'logits' })],
    ['losses of the wrong length', mk((c) => { c.outputs.losses.shape = [4]; c.outputs.losses.data.pop() })],
    ['an unknown optimizer', mk((c) => { c.optimizer.op = 'nadam' })],
    ['an unknown optimizer attribute', mk((c) => { c.optimizer.attrs.betas = [0.9, 0.99] })],
    ['sgd without lr', mk((c) => { delete c.optimizer.attrs.lr })],
    ['nesterov with dampening', mk((c) => { c.optimizer.attrs.nesterov = true; c.optimizer.attrs.dampening = 0.1 })],
    ['lbfgs with param groups', mk((c) => { c.optimizer = { op: 'lbfgs', attrs: {} } })],
    ['ema without decay', mk((c) => { c.averaging = { kind: 'ema', attrs: {} } })],
    ['averaged naming a non-param', mk((c) => { c.outputs.averaged = { x: x(c) } })],
    ['no outputs at all', mk((c) => { c.outputs = {} })],
    ['an unknown outputs field', mk((c) => { c.outputs.grads = {} })],
    ['an unknown field', mk((c) => { c.epochs = 3 })],
    ['a graph input never given', mk((c) => { delete c.inputs['fc2.bias']; c.params = c.params.filter((p: string) => p !== 'fc2.bias'); c.param_groups[0].params = ['fc1.bias'] })],
    ['attrs on a train case', mk((c) => { c.attrs = { lr: 1 } })],
  ]
  for (const [why, c] of cases) {
    const r = run(c)
    assert.is(r.status, 'invalid', `${why}: ${r.status} ${r.reason ?? ''}`)
  }
})

test('full-batch training: no step inputs, the data in inputs', () => {
  const c = small()
  const expected0 = c.outputs.losses.data[0]
  const fb = { ...c, inputs: { ...c.inputs, ...c.steps[0].inputs }, steps: c.steps.map(() => ({ inputs: {} })), outputs: { losses: { dtype: 'float64', shape: [5], data: [0, 0, 0, 0, 0] } } }
  const r = run(fb) as any
  assert.is(r.status, 'fail') // the losses are real numbers, not zeros: the run happened
  assert.is(r.actual.outputs.losses.data[0], expected0) // step 0 sees the same batch as the minibatch case
})

test.run()
