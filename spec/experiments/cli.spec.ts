/**
 * `nn-oracle experiment activation-stats` (src/cli/experiment.ts): the --json
 * contract, the table, the SVG figure, and clean failures (exit 2, a message,
 * no stack trace) for bad usage. Output is captured through the command's IO
 * argument; small sizes keep each run to milliseconds.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as E from 'fp-ts/lib/Either.js'
import { experimentCommand } from '../../src/cli/experiment.ts'
import { activationStats, parseInit } from '../../src/experiments/activation-stats.ts'

const test = suite('experiments: the experiment command')

const capture = async (argv: string[]): Promise<{ code: number; out: string; err: string }> => {
  let out = '', err = ''
  const code = await experimentCommand(argv, { out: (s) => { out += s + '\n' }, err: (s) => { err += s + '\n' } })
  return { code, out, err }
}

const SMALL = ['--layers', '3', '--width', '20', '--batch', '30']

test('--json prints exactly {"layers": [{"layer", "mean", "std"}, ...]}, layer 1 first, the numbers of the pure function', async () => {
  const r = await capture(['activation-stats', ...SMALL, '--activation', 'relu', '--init', 'kaiming', '--seed', '5', '--json'])
  assert.is(r.code, 0)
  assert.is(r.err, '')
  const j = JSON.parse(r.out)
  assert.equal(Object.keys(j), ['layers'])
  const e = activationStats({ layers: 3, width: 20, batch: 30, activation: 'relu', init: { kind: 'kaiming' }, seed: 5 })
  if (E.isLeft(e)) throw new Error('run')
  assert.equal(j.layers, e.right.layers.map((l) => ({ layer: l.layer, mean: l.mean, std: l.std })))
  assert.equal(j.layers.map((l: { layer: number }) => l.layer), [1, 2, 3])
  for (const l of j.layers) assert.equal(Object.keys(l), ['layer', 'mean', 'std'])
  assert.is(r.out.trim().split('\n').length, 1)
})

test('defaults: 10 layers, tanh, xavier (checked on the parsed options, at a small width for speed)', async () => {
  const r = await capture(['activation-stats', '--width', '10', '--batch', '10', '--json'])
  assert.is(r.code, 0)
  assert.is(JSON.parse(r.out).layers.length, 10)
  const e = activationStats({ width: 10, batch: 10 })
  if (E.isLeft(e)) throw new Error('run')
  assert.equal(JSON.parse(r.out).layers[9].std, e.right.layers[9].std)
  assert.equal(e.right.options.init, E.getOrElseW(() => null)(parseInit('xavier')))
})

test('the table: a header, then per layer mean, std and a histogram of block characters', async () => {
  const r = await capture(['activation-stats', ...SMALL, '--init', 'normal:1.0', '--bins', '12'])
  assert.is(r.code, 0)
  const lines = r.out.trim().split('\n')
  assert.match(lines[0], 'init normal:1')
  const rows = lines.filter((l) => /^\s+\d+\s/.test(l))
  assert.is(rows.length, 3)
  for (const row of rows) {
    const bar = /\|(.*)\|/.exec(row)![1]
    assert.is([...bar].length, 12)
    assert.ok(/^[ \u2581-\u2588]+$/.test(bar))
    assert.ok(bar.includes('\u2588'), 'the fullest bin is a full block')
  }
})

test('--svg writes a figure with one panel per layer, axes and labels', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nn-oracle-svg-'))
  try {
    const file = join(dir, 'stats.svg')
    const r = await capture(['activation-stats', ...SMALL, '--layers', '7', '--svg', file, '--json'])
    assert.is(r.code, 0)
    assert.ok(JSON.parse(r.out).layers.length === 7, '--json stays exactly the JSON with --svg')
    const svg = readFileSync(file, 'utf8')
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"') && svg.trim().endsWith('</svg>'))
    assert.is((svg.match(/<g>/g) ?? []).length, 7)
    assert.is((svg.match(/<\/g>/g) ?? []).length, 7)
    for (let l = 1; l <= 7; l++) assert.ok(svg.includes(`layer ${l}: mean`))
    assert.ok(svg.includes('share of values per bin'))
    // every opened text element is closed, and no raw '<' or '&' leaks from labels
    assert.is((svg.match(/<text/g) ?? []).length, (svg.match(/<\/text>/g) ?? []).length)
    const bad = await capture(['activation-stats', ...SMALL, '--svg', join(dir, 'missing', 'x.svg')])
    assert.is(bad.code, 1)
    assert.match(bad.err, 'cannot write')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('bad usage: exit 2 with a message naming the option, and no stack trace', async () => {
  const cases: [string[], string][] = [
    [[], 'expected an experiment name'],
    [['nope'], 'unknown experiment'],
    [['activation-stats', 'extra'], 'unexpected argument'],
    [['activation-stats', '--frobnicate'], 'frobnicate'],
    [['activation-stats', '--layers'], 'layers'],
    [['activation-stats', '--layers', 'ten'], '--layers'],
    [['activation-stats', '--layers', '0'], '--layers'],
    [['activation-stats', '--width', '2.5'], '--width'],
    [['activation-stats', '--batch', '-3'], '--batch'],
    [['activation-stats', '--width', '4096', '--batch', '100000'], '--batch'],
    [['activation-stats', '--activation', 'gelu'], '--activation'],
    [['activation-stats', '--init', 'normal:abc'], '--init'],
    [['activation-stats', '--init', 'he'], '--init'],
    [['activation-stats', '--seed', '-1'], '--seed'],
    [['activation-stats', '--json=3'], 'json'],
  ]
  for (const [argv, text] of cases) {
    const r = await capture(argv)
    assert.is(r.code, 2, argv.join(' '))
    assert.is(r.out, '', argv.join(' '))
    assert.match(r.err, text)
    assert.not.match(r.err, /\n\s+at /)
  }
})

test('--help prints the usage and exits 0', async () => {
  const r = await capture(['activation-stats', '--help'])
  assert.is(r.code, 0)
  assert.match(r.out, 'usage: nn-oracle experiment activation-stats')
  assert.match(r.out, 'population standard deviation')
})

test.run()
