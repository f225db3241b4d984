/**
 * Side by side with PyTorch 1.13 (spec/crosscheck/export_train.py, float64):
 * an MLP and a small CNN, each trained 100 steps with SGD + momentum + weight
 * decay (biases in a weight-decay-0 group) and with Adam, from the same
 * initial parameters on the same batches; plus graph cases (batch norm, a
 * residual block, glue ops, dropout with a mask); and the train cases with a
 * schedule, EMA averaging or L-BFGS (spec/schedules/train-torch-1.13.jsonl).
 *
 * `check`'s own evaluation runs over the committed cases and every one must
 * pass; beyond the case tolerance, every per-step loss must agree within
 * relative 1e-9 (issue 12's bar). Why 1e-9 holds: both sides compute the same
 * float64 operations except the order of the sums inside matmul, conv and
 * the reductions, which differ by a few ulps per step; SGD and Adam at these
 * learning rates are contractive enough over 100 steps that such differences
 * stay near 1e-14 relative (observed: < 1e-15 for the losses, < 1e-13 for the
 * parameters), leaving four orders of magnitude of room.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseLine } from '../../src/cases/case.ts'
import type { TrainCase } from '../../src/cases/composite.ts'
import { evaluate } from '../../src/cases/evaluate.ts'
import { checkFiles } from '../../src/cli/check.ts'

const test = suite('training: side by side with PyTorch')

const fixture = (name: string) => fileURLToPath(new URL(name.includes('/') ? `../${name}` : `../crosscheck/${name}`, import.meta.url))
// The last: schedules, EMA averaging and L-BFGS (spec/crosscheck/export_train_schedules.py).
const FILES = ['graph-cases.jsonl', 'train-mlp.jsonl', 'train-cnn.jsonl', 'schedules/train-torch-1.13.jsonl']
const lines = (name: string) => readFileSync(fixture(name), 'utf8').split('\n').filter((l) => l.trim() !== '')

const LOSS_RTOL = 1e-9

for (const file of FILES) {
  test(`${file}: every case passes check's evaluation`, () => {
    for (const line of lines(file)) {
      const c = parseLine(line)
      assert.ok(E.isRight(c), E.isLeft(c) ? c.left.reason : '')
      if (E.isLeft(c)) continue
      const r = evaluate(c.right)
      assert.is(r.status, 'pass', `${c.right.id}: ${r.reason ?? JSON.stringify(r.mismatches)}`)
    }
  })
}

test('the four trainings: 100 steps each, every per-step loss within relative 1e-9 of PyTorch\'s', () => {
  const ids: string[] = []
  for (const file of ['train-mlp.jsonl', 'train-cnn.jsonl']) {
    for (const line of lines(file)) {
      const c = parseLine(line)
      if (E.isLeft(c)) throw new Error(c.left.reason)
      const t = c.right.composite as TrainCase
      assert.is(t.steps.length, 100)
      const r = evaluate(c.right)
      const expected = t.expected.losses!.data, actual = r.actual!.outputs.losses.data
      for (let i = 0; i < expected.length; i++) {
        const rel = Math.abs(actual[i] - expected[i]) / Math.abs(expected[i])
        assert.ok(rel <= LOSS_RTOL, `${c.right.id} step ${i}: loss ${actual[i]} vs PyTorch ${expected[i]} (rel ${rel})`)
      }
      assert.ok(Object.keys(t.expected.params).length === t.params.length, `${c.right.id}: every final parameter is compared`)
      ids.push(c.right.id)
    }
  }
  assert.equal(ids.sort(), ['cnn-adam/default-00', 'cnn-sgd/momentum-decay-00', 'mlp-adam/default-00', 'mlp-sgd/momentum-decay-00'])
})

test('nn-oracle check over the four files: all pass, exit status 0', async () => {
  const report = await checkFiles(FILES.map(fixture), () => {})
  assert.is(report.exitCode, 0)
  assert.equal(report.byOp.get('train')?.fail, 0)
  assert.ok(report.byOp.get('train')!.pass >= 14, `${report.byOp.get('train')!.pass} train cases passed`)
  assert.equal(report.byOp.get('graph'), { pass: 4, fail: 0, invalid: 0, unsupported: 0 })
})

test.run()
