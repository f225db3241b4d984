/**
 * `experiment ensembles` end to end on a small synthetic run: members differ,
 * and the probability-averaged ensemble's cross-entropy is at most the
 * members' mean (Jensen; a property of the combination, so it holds for any
 * members). The accuracy gain on the digits is shown by the CLI, not asserted:
 * it is an empirical effect, not a law.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { ensembleExperiment } from '../../src/ensembles/experiment.ts'
import { ensemblesCommand } from '../../src/ensembles/command.ts'

const test = suite('ensembles: experiment')

test('three seeds on spirals: distinct members, ensemble CE <= mean member CE', () => {
  const r = ensembleExperiment({ data: 'spirals', epochs: 2, hidden: [8], probe: 8, limit: { train: 120, validation: 40, test: 120 } }, 3)
  if (E.isLeft(r)) return assert.unreachable(JSON.stringify(r.left))
  assert.is(r.right.members.length, 3)
  assert.ok(new Set(r.right.members.map((m) => m.loss)).size === 3, 'members should differ')
  assert.ok(r.right.byProbabilities.loss <= r.right.meanMember.loss + 1e-12)
})

test('the command rejects bad flags with exit code 2 and a message', () => {
  const err: string[] = []
  const io = { out: () => {}, err: (s: string) => { err.push(s) } }
  assert.is(ensemblesCommand(['--members', 'x'], io), 2)
  assert.is(ensemblesCommand(['--nope'], io), 2)
  assert.is(ensemblesCommand(['--data', 'nope', '--members', '1', '--epochs', '1'], io), 2)
  assert.ok(err.every((s) => s.includes('usage: nn-oracle experiment ensembles')))
})

test.run()
