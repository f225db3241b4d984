import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { trainCommand } from '../../src/cli/train.ts'
import { experimentCommand } from '../../src/cli/experiment.ts'
import { scratchDir } from '../support/scratch.ts'

const test = suite('nn-oracle train and the training experiments (CLI)')

const capture = () => {
  const out: string[] = [], err: string[] = []
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err }
}

test('train: a tiny spirals run writes the JSON (per-epoch metrics, test accuracy, time, babysitting) and the SVG', async () => {
  const dir = scratchDir('nn-oracle-train-')
  const c = capture()
  const code = await trainCommand(['--data', 'spirals', '--hidden', '8', '--epochs', '2', '--limit', '60', '--overfit-steps', '20', '--quiet',
    '--json', join(dir, 'r.json'), '--svg', join(dir, 'r.svg')], c.io)
  assert.is(code, 0, c.err.join('\n'))
  const j = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'))
  assert.is(j.epochs.length, 2)
  for (const k of ['trainLoss', 'trainAccuracy', 'valLoss', 'valAccuracy', 'gap', 'updateRatio', 'layers']) assert.ok(k in j.epochs[0], k)
  assert.ok(j.test.accuracy >= 0 && j.test.accuracy <= 1)
  assert.ok(typeof j.wallSeconds === 'number' && typeof j.cpuSeconds === 'number')
  assert.is(j.babysit.logC, Math.log(3))
  assert.is(j.babysit.overfit.steps, 20)
  const svg = readFileSync(join(dir, 'r.svg'), 'utf8')
  assert.ok(svg.startsWith('<svg') && svg.includes('update / weight ratio') && svg.includes('dead ReLU'))
  assert.ok(c.out.some((l) => l.startsWith('test accuracy')))
})

test('train: bad flags and unavailable data exit 2 with a message, never a stack trace', async () => {
  for (const argv of [['--model', 'rnn'], ['--epochs', 'x'], ['--hidden', '0'], ['--data', 'fashion'], ['--optimizer', 'lbfgs'], ['--preprocess', 'zca']]) {
    const c = capture()
    assert.is(await trainCommand([...argv, '--quiet', '--limit', '20'], c.io), 2, argv.join(' '))
    assert.ok(c.err.join('\n').startsWith('nn-oracle train: '), c.err.join('\n'))
    assert.not.ok(/\n\s+at /.test(c.err.join('\n')))
  }
})

test('experiment activations --json: one run per activation, per-epoch losses, in seconds', async () => {
  const c = capture()
  const code = await experimentCommand(['activations', '--epochs', '1', '--limit', '40', '--json'], c.io)
  assert.is(code, 0, c.err.join('\n'))
  const j = JSON.parse(c.out.join('\n'))
  assert.equal(j.runs.map((r: { activation: string }) => r.activation), ['sigmoid', 'tanh', 'relu'])
  assert.is(j.runs[0].epochs.length, 1)
  const c2 = capture()
  assert.is(await experimentCommand(['nonesuch'], c2.io), 2)
})

test.run()
