/**
 * The browser test's verdicts (docs/tools/page-checks.mjs), without a browser:
 * each check passes a good page and fails a bad one, so that
 * `npm run test:docs` cannot go green by a check that accepts everything.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
// @ts-expect-error: a plain ES module without types (docs/tools/docs-test.mjs imports it)
import { MIN_FIGURE_TEXT_PX, labProblems, linkProblem, overflowProblems, smallTextProblems, texProblems } from '../../docs/tools/page-checks.mjs'

const test = suite('docs: the browser checks')

test('raw TeX is found; prose is not', () => {
  assert.equal(texProblems('The slope is at most one quarter.'), [])
  assert.is(texProblems('so that \\frac{r}{m} is the factor').length, 1)
  assert.is(texProblems('a display $$x$$ left unrendered').length, 1)
  assert.is(texProblems('an inline \\(x\\) left unrendered').length, 1)
})

test('horizontal overflow: a page wider than the viewport fails, one that fits passes', () => {
  assert.equal(overflowProblems(390, 390, []), [])
  assert.equal(overflowProblems(390, 391, []), [], 'one pixel of rounding is allowed')
  const p = overflowProblems(390, 520, [{ what: '<table>', right: 520 }])
  assert.is(p.length, 1)
  assert.ok(p[0].includes('<table>') && p[0].includes('390'))
})

test('figure text: 11 px passes, 10.9 px fails, and the smallest label per figure is named', () => {
  assert.is(MIN_FIGURE_TEXT_PX, 11)
  assert.equal(smallTextProblems([{ figure: 'a.svg', text: 'x', px: 11 }, { figure: 'a.svg', text: 'y', px: 14 }]), [])
  const p = smallTextProblems([{ figure: 'a.svg', text: 'tick', px: 6.5 }, { figure: 'a.svg', text: 'label', px: 9 }, { figure: 'b.svg', text: 'ok', px: 12 }])
  assert.is(p.length, 1)
  assert.ok(p[0].includes('a.svg') && p[0].includes('6.5'))
  assert.is(smallTextProblems([{ figure: 'c.svg', text: 'NaN size', px: NaN }]).length, 1, 'an unmeasurable size fails')
})

test('a lab must compute on load, compute again after a control changes, and change its result', () => {
  const done = (result: string) => ({ state: 'done', result })
  const lab = (before: object, after: object) => ({ name: 'training', control: 'lr', before, after })
  assert.equal(labProblems(lab(done('loss 0.07'), done('loss 0.92'))), [])
  assert.is(labProblems(lab({ state: 'running', result: '' }, done('x'))).length, 1, 'never finished')
  assert.is(labProblems(lab(done('loss 0.07'), { state: 'error', result: '' })).length, 1, 'broke after the change')
  assert.is(labProblems(lab(done('loss 0.07'), done('loss 0.07'))).length, 1, 'the control changed nothing')
  assert.is(labProblems(lab(done('loss NaN'), done('loss 0.1'))).length, 1, 'not a number')
})

test('links: a missing page or a missing anchor fails', () => {
  const ids = new Set(['why', 'a-sanity-run'])
  assert.is(linkProblem('/losses#why', ids, 'why'), undefined)
  assert.is(linkProblem('/losses', ids, ''), undefined)
  assert.ok(linkProblem('/nope', undefined, '')?.includes('no such page'))
  assert.ok(linkProblem('/losses#gone', ids, 'gone')?.includes('no element with id'))
})

test.run()
