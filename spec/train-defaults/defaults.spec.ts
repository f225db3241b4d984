/**
 * The defaults of `nn-oracle train` live in one place (DEFAULTS,
 * MLP_DEFAULTS and CNN_DEFAULTS of src/experiments/training-run.ts) and are restated in two:
 * the PyTorch side of the digits comparison (spec/crosscheck/
 * train_digits_torch.py, which must train the same network on the same
 * schedule) and the results page (docs/training-results.md, which says what
 * the numbers were measured with). These checks keep the three in step, so a
 * changed default cannot leave the page describing, or PyTorch training, a
 * network the oracle no longer trains by default. They compare text and
 * resolved options, never accuracies or times.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { CNN_DEFAULTS, DEFAULTS, MLP_DEFAULTS, type TrainOptions, type TrainResult, trainRun } from '../../src/experiments/training-run.ts'

const test = suite('train defaults')

const root = new URL('../../', import.meta.url)
const read = (p: string): string => readFileSync(new URL(p, root), 'utf8')
const mlp: TrainOptions = { ...DEFAULTS, ...MLP_DEFAULTS }
const cnn: TrainOptions = { ...DEFAULTS, ...CNN_DEFAULTS }

/** The run with nothing but the model (and a tiny size) given: what `--model M --data digits` resolves to. */
const resolved = (model: 'mlp' | 'cnn'): TrainResult => {
  const r = trainRun({ model, epochs: 1, limit: { train: 8, validation: 4, test: 4 }, overfit: null, probe: 4 })
  if (E.isLeft(r)) throw new Error(`${r.left.op} ${r.left.arg}: ${r.left.expected}, got ${r.left.received}`)
  return r.right
}

/** The steps a run of `model` with no --epochs would take: its progress report names them; the first report stops it. */
const plannedSteps = (model: 'mlp' | 'cnn'): number => {
  let steps = NaN
  try {
    trainRun({ model, limit: { train: 8, validation: 4, test: 4 }, overfit: null, probe: 4 }, (p) => { steps = p.steps; throw new Error('planned') })
  } catch (e) { if ((e as Error).message !== 'planned') throw e }
  return steps
}

test('trainRun resolves --model cnn to CNN_DEFAULTS and --model mlp to MLP_DEFAULTS over DEFAULTS', () => {
  const c = resolved('cnn').options, m = resolved('mlp').options
  assert.equal([c.conv, c.hidden], [cnn.conv, cnn.hidden])
  assert.equal(m.hidden, mlp.hidden)
  // 8 training samples make one minibatch per epoch, so the planned steps are the epochs
  assert.is(plannedSteps('cnn'), cnn.epochs * Math.ceil(8 / cnn.batch))
  assert.is(plannedSteps('mlp'), mlp.epochs * Math.ceil(8 / mlp.batch))
  for (const k of ['data', 'lr', 'momentum', 'weightDecay', 'schedule', 'batch', 'shift', 'preprocess', 'optimizer'] as const) {
    assert.is(c[k], cnn[k], `cnn ${k}`)
    assert.is(m[k], mlp[k], `mlp ${k}`)
  }
})

test('the PyTorch comparison script defaults to the same networks and schedule', () => {
  const py = read('spec/crosscheck/train_digits_torch.py')
  const grab = (re: RegExp): string[] => {
    const m = py.match(re)
    assert.ok(m, `train_digits_torch.py has no line matching ${re}`)
    return m!.slice(1)
  }
  assert.equal(grab(/args\.hidden = '([\d,]+)' if args\.model == 'mlp' else '([\d,]+)'/), [mlp.hidden.join(','), cnn.hidden.join(',')])
  assert.equal(grab(/args\.conv = '([\d,]+)'/), [cnn.conv.join(',')])
  assert.equal(grab(/args\.epochs = (\d+) if args\.model == 'mlp' else (\d+)/).map(Number), [mlp.epochs, cnn.epochs])
  assert.is(Number(grab(/args\.lr = ([\d.e-]+)/)[0]), cnn.lr)
  assert.is(Number(grab(/args\.shift = (\d+)/)[0]), cnn.shift)
  assert.is(Number(grab(/'--batch', type=int, default=(\d+)/)[0]), cnn.batch)
  assert.is(Number(grab(/'--momentum', type=float, default=([\d.e-]+)/)[0]), cnn.momentum)
  assert.is(Number(grab(/'--weight-decay', type=float, default=([\d.e-]+)/)[0]), cnn.weightDecay)
  assert.equal(grab(/'--schedule', default='(\w+)'/), [cnn.schedule])
  assert.equal(grab(/'--preprocess', default='(\w+)'/), [cnn.preprocess])
  // the MLP-only and CNN-only values are shared by both models here; a per-model default would need a per-model line above
  for (const k of ['lr', 'shift', 'batch', 'momentum', 'weightDecay', 'schedule', 'preprocess'] as const) assert.is(mlp[k], cnn[k], k)
})

test('docs/training-results.md describes the defaults it was measured with', () => {
  const md = read('docs/training-results.md')
  const row = (label: string, a: string, b: string) => `| ${label} | ${a} | ${b} |`
  const net = cnn.conv.map((c) => `conv 3x3 ${c} ch, ReLU, max-pool 2`).concat(cnn.hidden.map((h) => `fc ${h}, ReLU`), ['fc 10']).join('; ')
  const params = (r: TrainResult) => r.parameters.toLocaleString('en-US')
  for (const want of [
    row('network', `784-${mlp.hidden.join('-')}-10, ReLU`, net),
    row('parameters', params(resolved('mlp')), params(resolved('cnn'))),
    row('optimizer', `SGD, momentum ${mlp.momentum}, lr ${mlp.lr}, weight decay ${mlp.weightDecay.toExponential()} on weights only`, 'the same'),
    row('augmentation', `random translations of up to ${mlp.shift} pixels (\`--shift ${mlp.shift}\`)`, 'the same'),
    row('batch, epochs', `${mlp.batch}, ${mlp.epochs}`, `${cnn.batch}, ${cnn.epochs}`),
  ]) assert.ok(md.includes(want), `docs/training-results.md lacks the row\n  ${want}`)
})

test.run()
