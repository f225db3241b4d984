/**
 * `nn-oracle bench-cpu`: the float64 side-by-side of issue 13, run in one
 * process against PyTorch float64 on the same machine.
 *
 * Each workload is set up once on both sides (untimed), warmed up WARM_UP
 * times alternating (untimed: the JIT, the worker pool and the buffer pool
 * reach their steady state, as they do in a training loop), then
 * timed in `--reps` rounds, each a block of BLOCK runs of PyTorch then a
 * block of ours, so that the load of a shared machine falls on both alike;
 * the table gives medians and the ratio PyTorch time / ours (above 1: faster
 * than PyTorch). PyTorch runs in one persistent child interpreter fed one
 * workload name per line.
 *
 * Why blocks, with a pause before each: PyTorch's OpenMP threads spin on the
 * cores for some milliseconds after each parallel region (libgomp's default
 * wait policy) and a run of ours started at once shares both cores with them
 * (measured: our layer norm 26.5 ms straight after PyTorch, 20-21 ms with
 * OMP_WAIT_POLICY=PASSIVE or a pause, PyTorch's own time unchanged). So each
 * block starts after SETTLE_MS of quiet, runs back to back as a training
 * loop does (PyTorch's threads stay hot, ours await one event-loop turn),
 * and its first run, which pays the waking of threads and caches, is not
 * counted: each side is timed in its own steady state on an otherwise idle
 * machine.
 *
 * Ours is the library's public path, `apply` (the fast kernels, on every
 * core unless NN_ORACLE_THREADS says otherwise, or the reference with
 * NN_ORACLE_REFERENCE=1 or --reference). Run it from the
 * compiled build (`npm run bench:cpu`): under tsx every typed-array loop in the
 * process is about a third slower (docs/performance.md, issue 13 item 6).
 */
import { spawn, spawnSync } from 'node:child_process'
import { createInterface } from 'node:readline'
import { parseCommandArgs } from './args.ts'
import * as E from 'fp-ts/lib/Either.js'
import { apply } from '../index.ts'
import { type Tensor, make } from '../core/tensor.ts'
import { vjp } from '../core/op.ts'
import { lookup } from '../registry.ts'
import { keyFromSeed, normal, split } from '../core/random.ts'
import { setReference } from '../fast/mode.ts'
import { poolReady, threadCount } from '../fast/threads.ts'

/**
 * glibc's malloc tunables that keep freed large blocks in the heap for reuse
 * (mmap threshold and trim threshold at their maximum). A process-wide
 * setting, read by glibc at start-up: `--tuned-malloc` re-executes the command
 * with it, and the PyTorch child inherits the same environment.
 */
export const TUNED_MALLOC = 'GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295'

/** Runs per side and round; the first of each block is not counted (see the header). */
export const BLOCK = 3

/** Quiet before each block, ms: far longer than libgomp's spin after a parallel region (a few ms here, by what it cost our runs). */
export const SETTLE_MS = 50

export const BENCH_HELP = `usage: nn-oracle bench-cpu [--reps N] [--only NAME,...] [--python PATH] [--reference] [--two-pass] [--no-torch] [--tuned-malloc]

Times the float64 workloads of issue 13 (forward + backward through apply)
against PyTorch float64 in one run, interleaved, and prints medians and the
ratio PyTorch time / ours (above 1: faster than PyTorch).

  --reps N       rounds per workload (default 5); each round times a block of
                 ${BLOCK} runs per side after ${SETTLE_MS} ms of quiet, the first
                 run of each block not counted
  --only LIST    comma-separated workload names (default all): matmul, conv2d,
                 batch_norm, layer_norm, cross_entropy, gelu, max_pool2d, adam_step
  --python PATH  interpreter with torch (default /usr/bin/python3, then python3)
  --reference    time the readable reference instead of the fast path
  --two-pass     time ours as forward, then backward on its cache (what a
                 graph or a training loop does), never an op's one-pass
                 product (apply with cotangents takes it: cross_entropy,
                 max_pool2d)
  --no-torch     time ours only
  --tuned-malloc run both sides under ${TUNED_MALLOC}
                 (glibc then serves large blocks from its heap and reuses them
                 instead of mapping fresh pages: no page fault per fresh output
                 array); the command re-executes itself with that environment,
                 and the PyTorch child inherits it

PyTorch on Debian, with OpenBLAS: apt-get install python3-torch (it pulls in
libopenblas0); or pip install torch --index-url https://download.pytorch.org/whl/cpu
(that wheel brings its own BLAS).`

interface Workload {
  readonly name: string
  readonly label: string
  /** the issue's "Done when" ratio */
  readonly target: number
  readonly op: string
  readonly attrs: Record<string, unknown>
  readonly inputs: (t: (shape: number[], scale?: number) => Tensor) => Record<string, Tensor>
  /** true: forward and backward (a cotangent of ones-like noise for every float output) */
  readonly backward: boolean
  /** the same workload in PyTorch: setup code that defines run() */
  readonly torch: string
}

const classes = (n: number, c: number): Tensor => {
  const d = new Float64Array(n)
  for (let i = 0; i < n; i++) d[i] = (i * 7919) % c
  return make([n], d, 'int64')
}

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'matmul', label: 'matmul 1024, fwd+bwd', target: 0.25, op: 'matmul', attrs: {}, backward: true,
    inputs: (t) => ({ a: t([1024, 1024]), b: t([1024, 1024]) }),
    torch: `a = T(1024, 1024); b = T(1024, 1024); g = T(1024, 1024, grad=False)
def run():
    a.grad = None; b.grad = None
    (a @ b).backward(g)`,
  },
  {
    name: 'conv2d', label: 'conv2d N8 C64 32x32 K64 3x3 p1, fwd+bwd', target: 0.5, op: 'conv2d', attrs: { padding: 1 }, backward: true,
    inputs: (t) => ({ x: t([8, 64, 32, 32]), weight: t([64, 64, 3, 3], 0.05), bias: t([64]) }),
    torch: `x = T(8, 64, 32, 32); w = T(64, 64, 3, 3); b = T(64); g = T(8, 64, 32, 32, grad=False)
def run():
    x.grad = None; w.grad = None; b.grad = None
    F.conv2d(x, w, b, padding=1).backward(g)`,
  },
  {
    name: 'batch_norm', label: 'batch norm train [64,256,16,16], fwd+bwd', target: 1, op: 'batch_norm', attrs: { training: true }, backward: true,
    inputs: (t) => ({ x: t([64, 256, 16, 16]), weight: t([256]), bias: t([256]) }),
    torch: `x = T(64, 256, 16, 16); w = T(256); b = T(256); g = T(64, 256, 16, 16, grad=False)
def run():
    x.grad = None; w.grad = None; b.grad = None
    F.batch_norm(x, None, None, w, b, training=True).backward(g)`,
  },
  {
    name: 'layer_norm', label: 'layer norm [4096,1024], fwd+bwd', target: 1, op: 'layer_norm', attrs: { normalized_shape: [1024] }, backward: true,
    inputs: (t) => ({ x: t([4096, 1024]), weight: t([1024]), bias: t([1024]) }),
    torch: `x = T(4096, 1024); w = T(1024); b = T(1024); g = T(4096, 1024, grad=False)
def run():
    x.grad = None; w.grad = None; b.grad = None
    F.layer_norm(x, (1024,), w, b).backward(g)`,
  },
  {
    name: 'cross_entropy', label: 'softmax cross-entropy [4096,1000], fwd+bwd', target: 1, op: 'cross_entropy', attrs: {}, backward: true,
    inputs: (t) => ({ input: t([4096, 1000]), target: classes(4096, 1000) }),
    torch: `x = T(4096, 1000); y = torch.tensor([(i * 7919) % 1000 for i in range(4096)])
def run():
    x.grad = None
    F.cross_entropy(x, y).backward()`,
  },
  {
    name: 'gelu', label: 'GELU 4M, fwd+bwd', target: 1, op: 'gelu', attrs: {}, backward: true,
    inputs: (t) => ({ x: t([4 * 1024 * 1024]) }),
    torch: `x = T(4 * 1024 * 1024); g = T(4 * 1024 * 1024, grad=False)
def run():
    x.grad = None
    F.gelu(x).backward(g)`,
  },
  {
    name: 'max_pool2d', label: 'max-pool 2x2 [8,64,64,64], fwd+bwd', target: 1, op: 'max_pool2d', attrs: { kernel_size: 2 }, backward: true,
    inputs: (t) => ({ x: t([8, 64, 64, 64]) }),
    torch: `x = T(8, 64, 64, 64); g = T(8, 64, 32, 32, grad=False)
def run():
    x.grad = None
    F.max_pool2d(x, 2).backward(g)`,
  },
  {
    name: 'adam_step', label: 'Adam step, 4M params, fwd', target: 1, op: 'adam_step', attrs: { step: 1 }, backward: false,
    inputs: (t) => ({ param: t([4 * 1024 * 1024]), grad: t([4 * 1024 * 1024]), exp_avg: t([4 * 1024 * 1024], 0), exp_avg_sq: t([4 * 1024 * 1024], 0) }),
    torch: `p = torch.nn.Parameter(T(4 * 1024 * 1024, grad=False)); p.grad = T(4 * 1024 * 1024, grad=False)
opt = torch.optim.Adam([p], lr=1e-3)
def run():
    with torch.no_grad():
        opt.step()`,
  },
]

/** The PyTorch side: reads a workload name per line, answers with the seconds one run took. */
const torchServer = (workloads: readonly Workload[]): string => `
import os, resource, sys, time, torch
import torch.nn.functional as F
torch.set_num_threads(os.cpu_count() or 1)  # every core, as PyTorch's default would use with no other limit
torch.manual_seed(0)
def T(*shape, grad=True):
    return torch.randn(*shape, dtype=torch.float64).requires_grad_(grad)
runs = {}
${workloads.map((w) => `def setup_${w.name}():\n${w.torch.split('\n').map((l) => '    ' + l).join('\n')}\n    return run\n`).join('\n')}
print('ready', torch.__version__, torch.get_num_threads(), flush=True)
for line in sys.stdin:
    name = line.strip()
    if not name:
        continue
    if name not in runs:
        runs[name] = globals()['setup_' + name]()
    k = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    c = time.process_time(); t = time.perf_counter(); runs[name](); dt = time.perf_counter() - t; dc = time.process_time() - c
    print(dt, dc, resource.getrusage(resource.RUSAGE_SELF).ru_stime - k, flush=True)
`

/** One turn of the event loop: what a training loop that awaits between steps gives the recycler (src/fast/buffer-pool.ts). */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r))

/** Untimed runs per side before the timed ones. */
const WARM_UP = 3

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** The first interpreter that imports torch, or undefined. */
const findPython = (asked: string | undefined): string | undefined => {
  for (const p of asked !== undefined ? [asked] : ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' })
    if (r.status === 0) return p
  }
  return undefined
}

/**
 * One timed run, ms: wall-clock, CPU time (every thread of the process, user
 * and system) and the system part alone (the kernel's: mostly page faults on
 * fresh memory, whose cost swings with the host on a virtual machine).
 */
interface Timing { readonly wall: number; readonly cpu: number; readonly sys: number }

interface Torch { readonly version: string; readonly threads: string; readonly time: (name: string) => Promise<Timing>; readonly close: () => void }

const startTorch = (python: string, workloads: readonly Workload[]): Promise<Torch> => new Promise((resolve, reject) => {
  const child = spawn(python, ['-u', '-c', torchServer(workloads)], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const waiting: ((l: string) => void)[] = []
  lines.on('line', (l) => waiting.shift()?.(l))
  child.on('error', reject)
  child.on('exit', (code) => { for (const w of waiting.splice(0)) w(`exit ${code}`) })
  const next = (): Promise<string> => new Promise((r) => waiting.push(r))
  void next().then((first) => {
    const [tag, version, threads] = first.split(' ')
    if (tag !== 'ready') { reject(new Error(`PyTorch side did not start: ${first}`)); return }
    resolve({
      version, threads,
      time: async (name) => {
        child.stdin.write(name + '\n')
        const l = await next()
        const [s, c, k] = l.split(' ').map(Number)
        if (!Number.isFinite(s) || !Number.isFinite(c) || !Number.isFinite(k)) throw new Error(`PyTorch side failed on ${name}: ${l}`)
        return { wall: s * 1e3, cpu: c * 1e3, sys: k * 1e3 }
      },
      close: () => { child.stdin.end() },
    })
  })
})

/**
 * One run of ours: apply (fast path unless the reference is forced), forward
 * and backward; with `twoPass`, the same through an op without its one-pass
 * product (core/op.ts `Fused`), so forward then backward.
 */
const oursRunner = (w: Workload, twoPass: boolean): (() => Timing) => {
  let key = keyFromSeed(13)
  const t = (shape: number[], scale = 1): Tensor => {
    const [k1, k2] = split(key)
    key = k2
    return normal(k1, shape, 0, scale)
  }
  const inputs = w.inputs(t)
  let cot: Record<string, Tensor> | undefined
  if (w.backward) {
    const fwd = apply(w.op, w.attrs, inputs)
    if (E.isLeft(fwd)) throw new Error(`bench: ${w.op}: ${JSON.stringify(fwd.left)}`)
    cot = {}
    for (const [name, y] of Object.entries(fwd.right.outputs)) if (y.dtype !== 'int64' && !name.startsWith('running')) cot[name] = t([...y.shape])
  }
  const op = lookup(w.op)!, attrs = op.parseAttrs(w.attrs)
  const run = twoPass && cot !== undefined && E.isRight(attrs)
    ? () => vjp({ ...op, fused: undefined }, attrs.right, inputs, cot)
    : () => apply(w.op, w.attrs, inputs, cot)
  return () => {
    const cpu = process.cpuUsage(), start = performance.now()
    const r = run()
    const wall = performance.now() - start, used = process.cpuUsage(cpu)
    if (E.isLeft(r)) throw new Error(`bench: ${w.op}: ${JSON.stringify(r.left)}`)
    return { wall, cpu: (used.user + used.system) / 1e3, sys: used.system / 1e3 }
  }
}

export const benchCommand = async (argv: readonly string[]): Promise<number> => {
  const p = parseCommandArgs('bench-cpu', argv, { reps: { type: 'string', default: '5' }, only: { type: 'string' }, python: { type: 'string' }, reference: { type: 'boolean' }, 'two-pass': { type: 'boolean' }, 'no-torch': { type: 'boolean' }, 'tuned-malloc': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } })
  if (!p.ok) { console.error(p.message); return 2 }
  const parsed = p.parsed as unknown as { values: { reps: string; only?: string; python?: string; reference?: boolean; 'two-pass'?: boolean; 'no-torch'?: boolean; 'tuned-malloc'?: boolean; help?: boolean } }
  if (parsed.values.help) { console.log(BENCH_HELP); return 0 }
  const tunables = TUNED_MALLOC.slice('GLIBC_TUNABLES='.length)
  if (parsed.values['tuned-malloc'] && process.env.GLIBC_TUNABLES !== tunables) {
    // glibc reads its tunables once, at start-up: run this command again under them (one extra process start).
    const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, GLIBC_TUNABLES: tunables } })
    return r.status ?? 1
  }
  const reps = Number(parsed.values.reps)
  if (!Number.isInteger(reps) || reps < 1) { console.error('nn-oracle bench-cpu: --reps: expected an integer >= 1'); return 2 }
  const names = parsed.values.only?.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = names?.filter((n) => !WORKLOADS.some((w) => w.name === n)) ?? []
  if (unknown.length > 0) { console.error(`nn-oracle bench-cpu: --only: unknown workload ${unknown.join(', ')}; known: ${WORKLOADS.map((w) => w.name).join(', ')}`); return 2 }
  const chosen = WORKLOADS.filter((w) => names === undefined || names.includes(w.name))
  if (parsed.values.reference) setReference(true)

  let torch: Torch | undefined
  if (!parsed.values['no-torch']) {
    const python = findPython(parsed.values.python)
    if (python === undefined) {
      console.error('nn-oracle bench-cpu: no python with torch found (tried /usr/bin/python3, python3); timing ours only.\n' +
        'Install on Debian: apt-get install python3-torch (float64 through OpenBLAS), or pass --python PATH.')
    } else {
      torch = await startTorch(python, chosen)
    }
  }
  const os = await import('node:os')
  const twoPass = parsed.values['two-pass'] === true
  console.log(`nn-oracle bench-cpu: ${parsed.values.reference ? 'reference' : 'fast path'}${twoPass ? ', forward then backward (--two-pass)' : ''}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ` +
    `ours with ${threadCount()} thread${threadCount() === 1 ? '' : 's'} (NN_ORACLE_THREADS), ${torch ? `PyTorch ${torch.version} with ${torch.threads} threads` : 'no PyTorch'}; ${reps} round${reps === 1 ? '' : 's'} of ${BLOCK - 1} counted runs per side (blocks of ${BLOCK} after ${SETTLE_MS} ms of quiet), ${WARM_UP} warm-up, medians, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ` +
    `malloc: ${process.env.GLIBC_TUNABLES ? `GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES} (both sides)` : 'glibc defaults (both sides)'}`)
  const rows: string[] = []
  let met = 0
  for (const w of chosen) {
    const ours = oursRunner(w, twoPass)
    ours() // the first call also starts the worker pool, whose threads come up in the background
    await poolReady()
    if (torch) await torch.time(w.name) // set-up
    for (let r = 1; r < WARM_UP; r++) {
      await turn()
      ours()
      if (torch) await torch.time(w.name)
    }
    const a: Timing[] = [], b: Timing[] = []
    for (let r = 0; r < reps; r++) {
      if (torch) {
        await pause(SETTLE_MS)
        for (let i = 0; i < BLOCK; i++) { const t = await torch.time(w.name); if (i > 0) b.push(t) }
      }
      await pause(SETTLE_MS)
      for (let i = 0; i < BLOCK; i++) {
        await turn() // as with PyTorch in the loop: finalizers run, and the buffer recycler gets last run's outputs back
        const t = ours()
        if (i > 0) a.push(t)
      }
    }
    const ma = median(a.map((t) => t.wall)), mb = torch ? median(b.map((t) => t.wall)) : NaN
    const ca = median(a.map((t) => t.cpu)), cb = torch ? median(b.map((t) => t.cpu)) : NaN
    const sa = median(a.map((t) => t.sys)), sb = torch ? median(b.map((t) => t.sys)) : NaN
    const ratio = mb / ma
    const ok = ratio >= w.target
    if (ok) met++
    rows.push(`| ${w.label} | ${ma.toFixed(1)} | ${torch ? mb.toFixed(1) : '-'} | ${torch ? ratio.toFixed(2) : '-'} | >= ${w.target} | ${torch ? (ok ? 'yes' : 'no') : '-'} | ${ca.toFixed(1)} | ${torch ? cb.toFixed(1) : '-'} | ${sa.toFixed(1)} | ${torch ? sb.toFixed(1) : '-'} |`)
    console.log(rows[rows.length - 1])
  }
  torch?.close()
  console.log('\n| workload | ours, ms | PyTorch, ms | PyTorch / ours | target | met | ours, CPU ms | PyTorch, CPU ms | ours, sys ms | PyTorch, sys ms |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n' + rows.join('\n'))
  console.log('sys: kernel time, mostly page faults on fresh memory; where one side\'s sys swells between runs, its wall time says more about the host than about the code (docs/performance.md)')
  const fusedOnes = chosen.filter((w) => w.backward && lookup(w.op)?.fused !== undefined).map((w) => w.op)
  if (!twoPass && !parsed.values.reference && fusedOnes.length > 0) console.log(`one pass: ${fusedOnes.join(', ')} took their one-pass product (apply with the cotangent; the same values as forward then backward); --two-pass times forward then backward`)
  console.log(`load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  if (torch) console.log(`\n${met} of ${chosen.length} targets met`)
  return 0
}
