/**
 * The command line's rough edges (src/cli): one-line messages with the
 * closest valid name for a mistyped command or option, no parseArgs text,
 * `--json PATH` meaning the same in every command, output files opened before
 * any work (exit 2 with a message on a bad path), standard input for
 * `check -`, errors and progress on standard error only.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { main } from '../../src/cli/main.ts'
import { OPS_HELP } from '../../src/cli/ops-help.ts'
import { closest } from '../../src/cli/args.ts'
import { renderProgress } from '../../src/cli/progress.ts'
import { scratchDir } from '../support/scratch.ts'

const test = suite('cli: messages, --json, stdin, stderr')
const tmp = scratchDir('nn-oracle-cli-')
const SAMPLE = 'docs/examples/pytorch-sample.jsonl'

const cli = async (argv: string[]) => {
  const out: string[] = [], err: string[] = []
  const log = console.log, error = console.error, write = process.stdout.write
  console.log = (...a: unknown[]) => { out.push(a.join(' ')) }
  console.error = (...a: unknown[]) => { err.push(a.join(' ')) }
  process.stdout.write = ((s: string) => { out.push(String(s).replace(/\n$/, '')); return true }) as typeof process.stdout.write
  try {
    const code = await main(argv)
    return { code, out: out.join('\n'), err: err.join('\n') }
  } finally { console.log = log; console.error = error; process.stdout.write = write }
}

test('a mistyped command or option gets one line naming the closest valid one, and no parseArgs text', async () => {
  const cases: [string[], string][] = [
    [['chek', 'x.jsonl'], 'nn-oracle: unknown command "chek" (did you mean check?)'],
    [['check', '--jsn', 'r.json', SAMPLE], 'nn-oracle check: unknown option --jsn (did you mean --json?)'],
    [['vectors', '--seeed', '1'], 'nn-oracle vectors: unknown option --seeed (did you mean --seed?)'],
    [['fuzz', '--imp', 'x', '--op', 'relu'], 'nn-oracle fuzz: unknown option --imp (did you mean --impl?)'],
    [['ops', '--jsno', 'x'], 'nn-oracle ops: unknown option --jsno (did you mean --json?)'],
    [['fuzz', '--impl', 'x', '--op', 'rleu'], '(did you mean relu?)'],
    [['check', '--profile', 'pytroch', SAMPLE], '(did you mean pytorch?)'],
    [['check', '--json'], 'nn-oracle check: --json needs a value'],
    [['help', 'fuz'], '(did you mean fuzz?)'],
  ]
  for (const [argv, text] of cases) {
    const r = await cli(argv)
    assert.is(r.code, 2, argv.join(' '))
    assert.is(r.out, '', `${argv.join(' ')}: nothing on standard output`)
    assert.is(r.err.split('\n').length, 1, `${argv.join(' ')}: one line, got\n${r.err}`)
    assert.ok(r.err.includes(text), `${argv.join(' ')}: ${r.err}`)
    assert.not.match(r.err, /To specify|ERR_PARSE_ARGS|at .*\.ts/)
  }
  assert.is(closest('xyzzy', ['check', 'vectors']), undefined)
})

test('--json PATH means a path in every command; "-" is standard output', async () => {
  const checkJson = join(tmp, 'check.json'), vecJson = join(tmp, 'vec.json'), vecOut = join(tmp, 'vec.jsonl'), opsJson = join(tmp, 'ops.json')
  assert.is((await cli(['check', '--quiet', '--json', checkJson, SAMPLE])).code, 0)
  assert.is(JSON.parse(readFileSync(checkJson, 'utf8')).exit, 0)
  assert.is((await cli(['vectors', '--op', 'relu', '--out', vecOut, '--json', vecJson])).code, 0)
  assert.equal(JSON.parse(readFileSync(vecJson, 'utf8')), { cases: readFileSync(vecOut, 'utf8').trim().split('\n').length, ops: { relu: readFileSync(vecOut, 'utf8').trim().split('\n').length } })
  assert.is((await cli(['ops', '--json', opsJson])).code, 0)
  const ops = JSON.parse(readFileSync(opsJson, 'utf8'))
  const conv = ops.find((o: { name: string }) => o.name === 'conv2d')
  assert.equal(conv.inputs.map((i: { name: string; optional: boolean }) => [i.name, i.optional]), [['x', false], ['weight', false], ['bias', true]])
  assert.equal(conv.attributes.find((a: { name: string }) => a.name === 'groups'), { name: 'groups', default: 1 })
  assert.equal(conv.outputs, [{ name: 'y', gradient: true }])
  const pool = ops.find((o: { name: string }) => o.name === 'max_pool2d')
  assert.ok(pool.attributes.find((a: { name: string }) => a.name === 'kernel_size').required)
  assert.equal(pool.outputs.map((o: { name: string }) => o.name), ['y', 'indices'])
  const viaStdout = await cli(['ops', '--json', '-'])
  assert.equal(JSON.parse(viaStdout.out), ops)
  const fuzzJson = join(tmp, 'fuzz.json')
  assert.is((await cli(['fuzz', '--impl', 'node docs/examples/impl/impl.mjs', '--op', 'relu', '--runs', '5', '--json', fuzzJson])).code, 0)
  assert.is(JSON.parse(readFileSync(fuzzJson, 'utf8')).kind, 'pass')
})

test('an unwritable --json/--out path is exit 2 with a message, before any work and without a stack trace', async () => {
  const nowhere = join(tmp, 'no', 'such', 'dir', 'r.json')
  for (const argv of [['check', '--json', nowhere, SAMPLE], ['vectors', '--out', nowhere], ['vectors', '--json', nowhere, '--out', join(tmp, 'v.jsonl')], ['ops', '--json', nowhere], ['fuzz', '--impl', 'node docs/examples/impl/impl.mjs', '--op', 'relu', '--json', nowhere]]) {
    const r = await cli(argv)
    assert.is(r.code, 2, argv.join(' '))
    assert.match(r.err, `cannot write ${nowhere}: no such directory`)
    assert.is(r.out, '', `${argv[0]} did work before failing: ${r.out.slice(0, 200)}`)
    assert.not.match(r.err, /\n\s+at /)
  }
  assert.not.ok(existsSync(join(tmp, 'v.jsonl')) && readFileSync(join(tmp, 'v.jsonl'), 'utf8').length > 0)
})

test('ops --help works, and help ops says what ops prints', async () => {
  const a = await cli(['ops', '--help']), b = await cli(['help', 'ops'])
  assert.is(a.code, 0)
  assert.is(a.out, OPS_HELP)
  assert.is(b.out, OPS_HELP)
  const table = await cli(['ops'])
  assert.match(table.out.split('\n')[0], /op\s+inputs\s+attributes \(default\)\s+outputs/)
  assert.match(table.out, /conv2d\s+x, weight, bias\?\s+stride=\[1,1\], padding=\[0,0,0,0\], dilation=\[1,1\], groups=1\s+y/)
})

test('file problems go to standard error; the report to standard output', async () => {
  const r = await cli(['check', join(tmp, 'missing.jsonl')])
  assert.is(r.code, 2)
  assert.match(r.err, 'missing.jsonl: cannot read: no such file')
  assert.not.match(r.out, 'cannot read')
})

test('check - reads standard input; progress goes to standard error only, with count, total, percent and ETA', () => {
  const lines = readFileSync(SAMPLE, 'utf8').split('\n').slice(0, 5).join('\n')
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'check', '-', '--progress'], { input: lines, encoding: 'utf8', timeout: 30000 })
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stdout, /total\s+5\s+0\s+0\s+0/)
  assert.not.match(r.stdout, 'check:')
  assert.match(r.stderr, 'check: ')
  const v = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'vectors', '--op', 'relu,sigmoid', '--progress', '--out', join(tmp, 'p.jsonl')], { encoding: 'utf8', timeout: 30000 })
  assert.is(v.status, 0, v.stderr)
  assert.is(v.stdout, '')
  assert.match(v.stderr, /vectors \[[#.]+\] 1\/\d+ \d+% ETA/)
  assert.is(renderProgress('fuzz relu', 40, 100, 10_000), 'fuzz relu [########............] 40/100 40% ETA 15s')
  assert.is(renderProgress('check', 7, undefined, 1_000, 'cases', 100, 0.25), 'check [#####...............] 7 25% ETA 3s cases')
})

test('bench-cpu --no-torch times ours alone and prints its table: every column, a row per workload, no verdict without PyTorch', async () => {
  const r = await cli(['bench-cpu', '--no-torch', '--only', 'max_pool2d', '--reps', '1'])
  assert.is(r.code, 0, r.err)
  assert.match(r.out, '| workload | ours, ms | PyTorch, ms | PyTorch / ours | target | met | ours, CPU ms | PyTorch, CPU ms | ours, sys ms | PyTorch, sys ms |')
  assert.match(r.out, /\| max-pool 2x2 \[8,64,64,64\], fwd\+bwd \| \d+\.\d \| - \| - \| >= 1 \| - \| \d+\.\d \| - \| \d+\.\d \| - \|/)
  assert.match(r.out, /ours with \d+ threads? \(NN_ORACLE_THREADS\), no PyTorch; 1 round of 2 counted runs per side \(blocks of 3 after 50 ms of quiet\), 3 warm-up/)
  assert.not.match(r.out, 'targets met')
  assert.match(r.out, 'one pass: max_pool2d took their one-pass product')
})

test('bench-cpu --two-pass times forward then backward, and says so: no one-pass line', async () => {
  const r = await cli(['bench-cpu', '--no-torch', '--two-pass', '--only', 'max_pool2d', '--reps', '1'])
  assert.is(r.code, 0, r.err)
  assert.match(r.out, 'fast path, forward then backward (--two-pass)')
  assert.match(r.out, /\| max-pool 2x2 \[8,64,64,64\], fwd\+bwd \| \d+\.\d \| - \|/)
  assert.not.match(r.out, 'one pass:')
})

test.run()
