/**
 * Convention profiles: each convention pinned by a named test ("convention
 * <id>"), each profile shown to have cases that pass under it, fail under
 * pytorch, and are explained by the diagnosis.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { type Case, parseCase } from '../../src/cases/case.ts'
import { evaluate } from '../../src/cases/evaluate.ts'
import { CONVENTIONS } from '../../src/profiles/conventions.ts'
import { diagnose } from '../../src/profiles/diagnose.ts'
import { PROFILES, profileConventions } from '../../src/profiles/profiles.ts'
import { lookup } from '../../src/registry.ts'
import { VARIANTS } from '../../src/vectors/variants.ts'
import { makeCase } from '../../src/vectors/write.ts'

const test = suite('convention profiles')

const asCase = (v: unknown): Case => {
  const r = parseCase(JSON.parse(JSON.stringify(v)))
  if (E.isLeft(r)) throw new Error(r.left.reason)
  return r.right
}

/** Every variant of the op, computed under the given conventions. */
const casesUnder = (op: string, ks: typeof CONVENTIONS) =>
  VARIANTS[op].map((variant, k) => asCase(makeCase(lookup(op)!, variant, k, 11, 'float64', ks)))

for (const conv of CONVENTIONS) {
  test(`convention ${conv.id}`, () => {
    const cases = casesUnder(conv.op, [conv])
    for (const c of cases) assert.is(evaluate(c, [conv]).status, 'pass', `${c.id} under its own convention`)
    // The convention must change some numbers, and the diagnosis must name it.
    const differing = cases.filter((c) => evaluate(c).status === 'fail')
    assert.ok(differing.length > 0, `no variant of ${conv.op} tells ${conv.id} from PyTorch's convention`)
    for (const c of differing) {
      const d = diagnose(c)
      const named = d.some((x) => x.id === conv.id || (x.kind === 'profile' && PROFILES[x.id].includes(conv.id)))
      assert.ok(named, `${c.id}: diagnosis ${JSON.stringify(d.map((x) => x.id))} does not name ${conv.id}`)
    }
  })
}

for (const [name, ids] of Object.entries(PROFILES)) {
  if (ids.length === 0) continue
  test(`profile ${name}: its cases pass under it, some fail under pytorch, and the diagnosis points into the profile`, () => {
    const ks = profileConventions(name)!
    const ops = [...new Set(ks.map((k) => k.op))]
    let failing = 0
    for (const op of ops) {
      for (const c of casesUnder(op, ks)) {
        assert.is(evaluate(c, ks).status, 'pass', `${c.id} under ${name}`)
        if (evaluate(c).status !== 'fail') continue
        failing++
        const d = diagnose(c)
        assert.ok(d.some((x) => (x.kind === 'profile' ? PROFILES[x.id].some((id) => ids.includes(id)) || x.id === name : ids.includes(x.id))),
          `${c.id}: diagnosis ${JSON.stringify(d.map((x) => x.id))} names nothing in ${name}`)
      }
    }
    assert.ok(failing > 0, `no case tells ${name} from pytorch`)
  })
}

test('pytorch is the default: a case passes with no conventions exactly when it passes under the pytorch profile', () => {
  const c = casesUnder('batch_norm', [])[1]
  assert.is(evaluate(c).status, 'pass')
  assert.is(evaluate(c, profileConventions('pytorch')!).status, 'pass')
})

test.run()
