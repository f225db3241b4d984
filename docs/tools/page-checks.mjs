// The verdicts of the browser test (docs/tools/docs-test.mjs), as pure
// functions of what the page reported, so that spec/docs/page-checks.spec.ts
// can show each one failing on a bad page without a browser.

/** The smallest text a figure may show, in CSS pixels, at the size it is displayed. */
export const MIN_FIGURE_TEXT_PX = 11

/** TeX left as text: the page's text with rendered math, code and scripts removed. */
export const texProblems = (text) => {
  const tex = text.match(/\$\$|\\(?:frac|begin|end|mathrm|operatorname|partial|sum|sqrt|hat|left|right|cdot|odot|text|mathbb|lvert|rvert|tfrac|dfrac)\b|\\[()[\]]/)
  if (!tex) return []
  const i = text.indexOf(tex[0])
  return [`raw TeX on the page: ${JSON.stringify(text.slice(Math.max(0, i - 40), i + 40).replace(/\s+/g, ' '))}`]
}

/**
 * Horizontal overflow of the page: the document is wider than the viewport.
 * `offenders` are elements that stick out past the right edge with no
 * scrolling or clipping ancestor, as { what, right } (for the message).
 */
export const overflowProblems = (viewport, scrollWidth, offenders) => {
  if (scrollWidth <= viewport + 1) return []
  const worst = [...offenders].sort((a, b) => b.right - a.right).slice(0, 3).map((o) => `${o.what} (right edge ${Math.round(o.right)} px)`)
  return [`the page scrolls sideways at ${viewport} px: ${scrollWidth} px wide${worst.length ? `; widest: ${worst.join(', ')}` : ''}`]
}

/** Figure text as displayed: items { figure, text, px } (font size times the figure's display scale). */
export const smallTextProblems = (items, min = MIN_FIGURE_TEXT_PX) => {
  const small = items.filter((t) => !(t.px >= min - 0.05))
  if (small.length === 0) return []
  const byFigure = new Map()
  for (const t of small) if (!byFigure.has(t.figure) || t.px < byFigure.get(t.figure).px) byFigure.set(t.figure, t)
  return [...byFigure.values()].map((t) => `figure text under ${min} px: ${t.figure}: "${t.text.slice(0, 30)}" at ${t.px.toFixed(1)} px`)
}

/**
 * An interactive page: the lab reached "done" with a result, a control was
 * changed, and the lab computed again to a different, finite result.
 */
export const labProblems = (lab) => {
  const p = []
  if (lab.before.state !== 'done' || !lab.before.result) p.push(`lab ${lab.name}: did not compute on load (state ${lab.before.state}${lab.before.error ? `, ${lab.before.error}` : ''})`)
  else if (lab.after.state !== 'done' || !lab.after.result) p.push(`lab ${lab.name}: did not compute after changing ${lab.control} (state ${lab.after.state})`)
  else if (lab.after.result === lab.before.result) p.push(`lab ${lab.name}: changing ${lab.control} did not change the result ("${lab.before.result}")`)
  else if (/NaN|Infinity|undefined/.test(lab.before.result + lab.after.result)) p.push(`lab ${lab.name}: a result is not a number: "${lab.after.result}"`)
  return p
}

/** A link into the site: the target page must exist and hold the #fragment's id. */
export const linkProblem = (href, ids, fragment) => {
  if (ids === undefined) return `broken link: ${href} (no such page)`
  if (fragment !== '' && !ids.has(fragment)) return `broken link: ${href} (no element with id "${fragment}")`
  return undefined
}
