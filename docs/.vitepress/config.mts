// The docs site: VitePress 1.6.4 with server-side MathJax (markdown-it-mathjax3),
// code included from src/ by region (`<<< @/../src/...#name`), derivations
// included from docs/generated/proofs (written by the proofs' renderer, never by
// hand), figures from docs/tools/figures.ts in docs/public/figures.
// docs/tools/docs-check.ts fails on a missing region or include (VitePress itself
// silently inlines the whole file or drops the include); docs/tools/docs-test.mjs
// opens every page in Chromium.
import { defineConfig } from 'vitepress'

/** The chapters, in the order of the course; the sidebar and the pager follow this list. */
export const chapters = [
  { text: 'Notation', link: '/notation' },
  { text: '1. Activation functions', link: '/activations' },
  { text: '2. Fully connected and convolution layers', link: '/layers' },
  { text: '3. Pooling', link: '/pooling' },
  { text: '4. Losses', link: '/losses' },
  { text: '5. Weight initialization', link: '/initialization' },
  { text: '6. Normalization', link: '/normalization' },
  { text: '7. Regularization', link: '/regularization' },
  { text: '8. Optimization', link: '/optimization' },
]

export const reference = [
  { text: 'Using nn-oracle as an oracle', link: '/oracle' },
  { text: 'Conventions (generated)', link: '/conventions' },
  { text: 'Performance of the kernels', link: '/performance' },
]

/** Display and inline math removed (for the search index only). */
const stripMath = (src: string): string => src.replace(/\$\$[\s\S]*?\$\$/g, ' ').replace(/\$[^$\n]+\$/g, ' ')

export default defineConfig({
  title: 'nn-oracle',
  description: 'Neural-network building blocks in float64, with hand-derived backward passes, checked derivations and property-based tests.',
  lang: 'en',
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  // Included fragments are not pages of their own.
  srcExclude: ['generated/**', 'examples/**', 'tools/**'],
  markdown: {
    math: true,
    // MathJax writes every formula as inline SVG (about 8 MB of markup over the
    // chapters). Compiled as Vue template nodes, that markup cost about 20 s of
    // CPU per build; handed to Vue as one v-html string per formula it is
    // copied, not compiled. The HTML that is served is the same.
    config: (md) => {
      for (const rule of ['math_inline', 'math_block'] as const) {
        const render = md.renderer.rules[rule]
        if (render === undefined) continue
        md.renderer.rules[rule] = (...args) => {
          const tag = rule === 'math_block' ? 'div' : 'span'
          const html = JSON.stringify(render(...args)).replace(/&/g, '&amp;').replace(/"/g, '&quot;')
          return `<${tag} class="math" v-html="${html}"></${tag}>`
        }
      }
    },
  },
  // Each chapter's page chunk carries its formulas as SVG (up to about 1.7 MB);
  // that is expected, not a bundling problem worth a warning.
  vite: { build: { chunkSizeWarningLimit: 4096 } },
  themeConfig: {
    nav: [
      { text: 'Chapters', link: '/notation' },
      { text: 'Oracle guide', link: '/oracle' },
      { text: 'Conventions', link: '/conventions' },
    ],
    sidebar: [
      { text: 'Introduction', items: [{ text: 'How to read this book', link: '/' }] },
      { text: 'Chapters', items: chapters },
      { text: 'Reference', items: reference },
    ],
    outline: { level: [2, 3] },
    search: {
      provider: 'local',
      // The index needs the words, not the math: rendering every formula a second
      // time through MathJax for the index cost about 16 s of CPU per build.
      options: { _render: (src: string, env: any, md: any) => md.render(stripMath(src), env) },
    },
  },
})
