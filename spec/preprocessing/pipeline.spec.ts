import { suite } from 'uvu'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type Tensor, make } from '../../src/core/tensor.ts'
import type { Dataset } from '../../src/data/dataset.ts'
import { type Preprocess, fit, fitOnSplits, transform } from '../../src/preprocessing/pipeline.ts'
import { type Verdict, all, failed, ok } from '../laws/result.ts'
import { property } from '../support/property.ts'
import { tensorOf } from '../laws/arbitraries.ts'

const test = suite('preprocessing: fit on the training split only')

const set = (x: Tensor): Dataset => ({ name: 'drawn', x, y: make([x.shape[0]], new Float64Array(x.shape[0]), 'int64'), classes: 1 })

const bitwise = (name: string, a: Tensor, b: Tensor): Verdict =>
  a.data.length === b.data.length && a.data.every((v, i) => Object.is(v, b.data[i])) ? ok : failed(`${name} differs from the expected bits`)

const kinds: fc.Arbitrary<Preprocess> = fc.constantFrom<Preprocess>(
  { kind: 'center', per: 'feature' }, { kind: 'standardize', per: 'feature' }, { kind: 'pca', whiten: false }, { kind: 'pca', whiten: true })

/**
 * The law: fitOnSplits fits on train alone (the fitted statistics equal
 * fit(train), whatever validation and test hold) and transforms every split
 * with that one fitted value (bitwise what transform(fit(train), split) gives).
 */
property(test, 'preprocessing fitted on train is applied unchanged to validation and test',
  fc.record({ kind: kinds, d: fc.integer({ min: 1, max: 3 }), n: fc.integer({ min: 5, max: 10 }), nv: fc.integer({ min: 1, max: 4 }), nt: fc.integer({ min: 1, max: 4 }) })
    .chain(({ kind, d, n, nv, nt }) => fc.tuple(fc.constant(kind), tensorOf([n, d]), tensorOf([nv, d], { min: 0, max: 9 }), tensorOf([nt, d], { min: -9, max: 0 }))),
  ([kind, tr, va, te]) => {
    const splits = { train: set(tr), validation: set(va), test: set(te) }
    const r = fitOnSplits(kind, splits)
    const alone = fit(kind, tr)
    if (E.isLeft(r) || E.isLeft(alone)) return failed('a valid fit was refused')
    const checks: Verdict[] = []
    for (const k of ['train', 'validation', 'test'] as const) {
      const t = transform(alone.right, splits[k].x)
      if (E.isLeft(t)) return failed(t.left.expected)
      checks.push(bitwise(`${k} after fitOnSplits`, r.right.splits[k].x, t.right))
    }
    return all(...checks, JSON.stringify(r.right.fitted, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v)) ===
      JSON.stringify(alone.right, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v)) ? ok : failed('the fitted statistics differ from fit(train)'))
  }, 60)

test.run()
