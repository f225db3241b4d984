// The docs site: VitePress 1.6.4 with server-side MathJax (markdown-it-mathjax3),
// code included from src/ by region (`<<< @/../src/...#name`), derivations
// included from docs/generated/proofs (written by the proofs' renderer, never by
// hand), figures from docs/tools/figures.ts in docs/public/figures.
// docs/tools/docs-check.ts fails on a missing region or include (VitePress itself
// silently inlines the whole file or drops the include); docs/tools/docs-test.mjs
// opens every page in Chromium.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitepress'

/** Pages other parts of the project add; each is linked only once it exists. */
const ifPage = (text: string, page: string) => (existsSync(fileURLToPath(new URL(`../${page}.md`, import.meta.url))) ? [{ text, link: `/${page}` }] : [])

/** The chapters, in the order of the lectures; the sidebar and the pager follow these lists. */
export const lectures = [
  {
    text: 'Loss functions and optimization',
    items: [{ text: '1. Losses', link: '/losses' }],
  },
  {
    text: 'Neural networks and backpropagation',
    items: [{ text: '2. Networks and backpropagation', link: '/networks' }, ...ifPage('Training results', 'training-results')],
  },
  {
    text: 'Convolutional neural networks',
    items: [
      { text: '3. Fully connected and convolution layers', link: '/layers' },
      { text: '4. Pooling', link: '/pooling' },
    ],
  },
  {
    text: 'Training neural networks I',
    items: [
      { text: '5. Activation functions', link: '/activations' },
      { text: '6. Data preprocessing', link: '/preprocessing' },
      { text: '7. Weight initialization', link: '/initialization' },
      { text: '8. Normalization', link: '/normalization' },
      { text: '9. Babysitting and hyperparameter search', link: '/tuning' },
    ],
  },
  {
    text: 'Training neural networks II',
    items: [
      { text: '10. Optimization', link: '/optimization' },
      ...ifPage('Schedules and averaging', 'schedules-and-averaging'),
      { text: '11. Ensembles and parameter averaging', link: '/ensembles' },
      { text: '12. Regularization', link: '/regularization' },
      ...ifPage('Data augmentation', 'augmentation'),
      { text: '13. Transfer learning', link: '/transfer' },
    ],
  },
]

/** Maintainer material, apart from the student's path. */
export const reference = [
  { text: 'Using nn-oracle as an oracle', link: '/oracle' },
  ...ifPage('The case format', 'case-format'),
  ...ifPage('Defaults', 'defaults'),
  { text: 'How the laws are tested', link: '/testing' },
  { text: 'Conventions by chapter', link: '/chapter-conventions' },
  { text: 'Conventions (generated)', link: '/conventions' },
  ...ifPage('Augmentation conventions', 'augmentation-conventions'),
  ...ifPage('Experiments against PyTorch', 'experiments-crosscheck'),
  { text: 'GPU notes', link: '/gpu' },
  { text: 'Performance of the kernels', link: '/performance' },
  ...ifPage('House style', 'style'),
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
      { text: 'The book', link: '/losses' },
      { text: 'For maintainers', link: '/oracle' },
    ],
    sidebar: [
      { text: 'Introduction', items: [{ text: 'How to read this book', link: '/' }, { text: 'Notation', link: '/notation' }] },
      ...lectures,
      { text: 'For maintainers', items: reference },
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
