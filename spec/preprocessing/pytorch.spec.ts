/**
 * Pinned against PyTorch 1.13 in float64: spec/preprocessing/torch-cases.jsonl
 * (written by spec/crosscheck/preprocessing_torch.py) fixes the conventions a
 * law cannot choose: eps added to the std outside any root (torchvision's
 * Normalize has no eps; the Data table's default 0), per-channel broadcasting
 * on axis 1, components as rows, eps inside the root when whitening.
 * Evaluated as `nn-oracle check` evaluates any case, at the case format's
 * float64 default |a - e| <= 1e-9 + 1e-7 |e|: both sides compute in float64
 * with sums of at most 12 terms, so they agree to ~1e-14.
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { parseLine } from '../../src/cases/case.ts'
import { evaluate } from '../../src/cases/evaluate.ts'

const test = suite('preprocessing ops against PyTorch 1.13 (float64)')

const lines = readFileSync(new URL('./torch-cases.jsonl', import.meta.url), 'utf8').split('\n').filter((l) => l.trim() !== '')

test('every golden case passes `check`', () => {
  assert.is(lines.length, 7)
  for (const line of lines) {
    const c = parseLine(line)
    if (E.isLeft(c)) { assert.unreachable(JSON.stringify(c.left)); return }
    const r = evaluate(c.right)
    assert.is(r.status, 'pass', `${c.right.id}: ${JSON.stringify((r as { reason?: string; mismatches?: unknown }).reason ?? (r as { mismatches?: unknown }).mismatches)}`)
  }
})

test.run()
