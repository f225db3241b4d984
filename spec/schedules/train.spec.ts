/**
 * Train cases with a schedule, averaging or L-BFGS, exported from PyTorch 1.13
 * (spec/crosscheck/export_train_schedules.py), run through ./train-loop.ts on
 * src/training's fold, directly and through `check`'s evaluation
 * (src/cases/train-case.ts hands these cases to runTrain).
 *
 * Tolerance: the case's own (rtol 1e-9, atol 1e-11). The MLP runs are 10-14
 * steps of first-order optimizers on O(1) numbers: PyTorch and the oracle
 * differ only in summation order inside each op (a few ulps per op), and
 * these contractive updates carry that at the 1e-15 level; the L-BFGS runs
 * are at most 3 steps of 6 iterations (measured against PyTorch: < 1e-13
 * relative, spec/second-order/lbfgs-torch.spec.ts).
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { parseComposite, type TrainCase } from '../../src/cases/composite.ts'
import { compareTensor } from '../../src/cases/compare.ts'
import { parseLine } from '../../src/cases/case.ts'
import { evaluate } from '../../src/cases/evaluate.ts'
import { fromArray, type Tensor } from '../../src/core/tensor.ts'
import { compile } from '../../src/graph/graph.ts'
import { runTrain } from '../../src/schedules/train-loop.ts'

const test = suite('schedules: train cases with schedule, averaging, lbfgs (PyTorch 1.13)')

const lines = readFileSync(new URL('./train-torch-1.13.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '')

for (const line of lines) {
  const raw = JSON.parse(line)
  test(raw.id, () => {
    const c = parseComposite(raw, raw.id, 'train')
    if (E.isLeft(c)) return assert.unreachable(c.left)
    const t = c.right.composite as TrainCase
    const stepNames = Object.keys(t.steps[0] ?? {})
    const compiled = compile(t.graph, [...Object.keys(c.right.inputs), ...stepNames])
    if (E.isLeft(compiled)) return assert.unreachable(JSON.stringify(compiled.left))
    const fixed = Object.fromEntries(Object.entries(c.right.inputs).filter(([k]) => !t.params.includes(k)))
    const r = runTrain({ compiled: compiled.right, loss: t.loss, fixed, trainable: t.params }, c.right.inputs, t)
    if (E.isLeft(r)) return assert.unreachable(JSON.stringify(r.left))
    const tol = c.right.tolerance!
    const check = (what: string, e: Tensor, a: Tensor | undefined) => {
      const m = compareTensor(what, e, a, tol)
      assert.ok(m === undefined, `${raw.id}: ${JSON.stringify(m)}`)
    }
    check('losses', t.expected.losses!, fromArray([r.right.losses.length], r.right.losses))
    for (const [k, e] of Object.entries(t.expected.params)) check(`params.${k}`, e, r.right.params[k])
    for (const [k, e] of Object.entries(t.expected.averaged)) check(`averaged.${k}`, e, r.right.averaged[k])
    if (t.averaging !== undefined) assert.ok(Object.keys(t.expected.averaged).length > 0)
  })
}

test('every case passes check (the train-case evaluator runs schedules, averaging and lbfgs)', () => {
  for (const line of lines) {
    const c = parseLine(line)
    if (E.isLeft(c)) return assert.unreachable(c.left.reason)
    const r = evaluate(c.right)
    assert.is(r.status, 'pass', `${c.right.id}: ${r.reason ?? JSON.stringify(r.mismatches)}`)
  }
})

test.run()
