/**
 * `nn-oracle vectors --op graph,train` (src/vectors/composite.ts): every case
 * it writes passes `check`'s evaluation, in float64 and float32; one seed
 * gives byte-identical text; the committed seed-3 file (verified against
 * PyTorch by spec/crosscheck/crosscheck_graph.py) is what the writer writes.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { readFileSync } from 'node:fs'
import { parseCase } from '../../src/cases/case.ts'
import { evaluate } from '../../src/cases/evaluate.ts'
import { vectorCases } from '../../src/vectors/write.ts'

const test = suite('vectors: graph and train cases')

const text = (seed: number, dtype: 'float32' | 'float64') => {
  let out = ''
  for (const c of vectorCases(['graph', 'train'], seed, dtype)) out += JSON.stringify(c) + '\n'
  return out
}

for (const dtype of ['float64', 'float32'] as const) {
  test(`${dtype}: every written graph and train case passes check's evaluation`, () => {
    const lines = text(5, dtype).split('\n').filter(Boolean)
    assert.ok(lines.length >= 9)
    for (const l of lines) {
      const c = parseCase(JSON.parse(l))
      assert.ok(E.isRight(c), E.isLeft(c) ? c.left.reason : '')
      if (E.isRight(c)) assert.is(evaluate(c.right).status, 'pass', c.right.id)
    }
  })
}

test('one seed, one file; another seed differs', () => {
  const a = text(3, 'float64')
  assert.ok(a === text(3, 'float64'))
  assert.ok(a !== text(4, 'float64'))
})

test('the committed, PyTorch-verified seed-3 file is what the writer writes', () => {
  const committed = readFileSync(new URL('../crosscheck/vectors-graph-seed3.jsonl', import.meta.url), 'utf8')
  assert.ok(committed === text(3, 'float64'), 're-verify: node --import tsx src/cli/bin.ts vectors --op graph,train --seed 3 --out spec/crosscheck/vectors-graph-seed3.jsonl && /usr/bin/python3 spec/crosscheck/crosscheck_graph.py spec/crosscheck/vectors-graph-seed3.jsonl')
})

test.run()
