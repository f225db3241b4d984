/**
 * The PyTorch-verified golden files stay what the oracle produces.
 *
 * spec/crosscheck/vectors-seed3.jsonl is `nn-oracle vectors --op all --seed 3`
 * (float64, every built-in variant once) and edge-cases-seed3.jsonl the edge
 * variants of ./edge-cases.ts at seed 3; both were recomputed by PyTorch 1.13
 * in float64 with spec/crosscheck/crosscheck_pytorch.py and agreed case by case within
 * the case format's float64 tolerance (rtol 1e-7, atol 1e-9), the documented
 * intentional differences aside (./pytorch-crosscheck.md). Torch is not
 * available here, so instead of rerunning it this spec pins the files: the
 * oracle must still write them byte for byte, which makes any change to an
 * op's numbers, a variant, the generator or the writer show up as a diff to
 * re-verify with the script.
 */
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { lookup } from '../../src/registry.ts'
import { vectorCases, vectorOps } from '../../src/vectors/write.ts'
import { EDGE_SEED, edgeCases } from './edge-cases.ts'

const test = suite('crosscheck: PyTorch-verified vectors are what the oracle writes')
const DIR = 'spec/crosscheck'

/** What `nn-oracle vectors --op all --seed S` writes (src/cli/vectors.ts): one JSON line per case. */
const vectorsText = (seed: number): string => {
  const ops = vectorOps().filter((o) => lookup(o) !== undefined)
  let out = ''
  for (const c of vectorCases(ops, seed, 'float64')) out += JSON.stringify(c) + '\n'
  return out
}

const edgeText = (): string => {
  let out = ''
  for (const c of edgeCases(EDGE_SEED)) out += JSON.stringify(c) + '\n'
  return out
}

/** The first differing line, for a readable failure instead of two 300 KB strings. */
const firstDiff = (a: string, b: string): string => {
  const x = a.split('\n'), y = b.split('\n')
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1} differs:\n  committed: ${(x[i] ?? '<none>').slice(0, 300)}\n  now:       ${(y[i] ?? '<none>').slice(0, 300)}`
  }
  return 'identical'
}

test('vectors --op all --seed 3 is byte-identical to the committed, PyTorch-verified file', () => {
  const committed = readFileSync(`${DIR}/vectors-seed3.jsonl`, 'utf8')
  const now = vectorsText(3)
  assert.ok(committed === now, `${firstDiff(committed, now)}\nre-verify: node --import tsx src/cli/bin.ts vectors --seed 3 --out ${DIR}/vectors-seed3.jsonl && /usr/bin/python3 spec/crosscheck/crosscheck_pytorch.py ${DIR}/vectors-seed3.jsonl`)
})

test('the committed file covers every op the vectors writer knows', () => {
  const ops = new Set(readFileSync(`${DIR}/vectors-seed3.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { op: string }).op))
  const missing = vectorOps().filter((o) => lookup(o) !== undefined && !ops.has(o))
  assert.equal(missing, [])
})

test('the edge cases are byte-identical to the committed, PyTorch-verified file', () => {
  const committed = readFileSync(`${DIR}/edge-cases-seed3.jsonl`, 'utf8')
  const now = edgeText()
  assert.ok(committed === now, `${firstDiff(committed, now)}\nre-verify: node --import tsx ${DIR}/edge-cases.ts > ${DIR}/edge-cases-seed3.jsonl && /usr/bin/python3 spec/crosscheck/crosscheck_pytorch.py ${DIR}/edge-cases-seed3.jsonl`)
})

test('one seed, one file: two runs are byte-identical, and another seed differs', () => {
  const a = vectorsText(3), b = vectorsText(3)
  assert.ok(a === b, firstDiff(a, b))
  assert.ok(vectorsText(4) !== a, 'seed 4 writes the same file as seed 3: the seed is not reaching the inputs')
})

test.run()
