/**
 * `npm run bench` (reduced sizes) or `npm run bench -- --full` (the sizes of
 * kernels/gpujs-notes.md §6). Prints, per workload, the median wall time of
 * each contender and its speed relative to the float64 reference of src/
 * (ratio = reference ms / contender ms: above 1 is faster), all measured in
 * this one run, interleaved round-robin so that host load hits every
 * contender alike. Timings include what a caller pays: upload, launches and
 * readback for kernels (float64 tensors in and out), tensor creation and
 * data() for TF.js. No assertions: timings are reported, never tested.
 *
 * Contenders: src (float64 reference), our kernels on webgpu (host tensors in
 * and out), the device-resident variant on webgpu where the workload is a
 * chain (`resident`: upload once, chain on the device, read back once,
 * kernels/device-tensor.ts), our kernels on gpu.js cpu mode, and TF.js 4.22 (cpu, wasm, webgpu on the same dawn.node adapter) when
 * its packages are installed (devDependencies). Options: --full, --reps N
 * (default 5 reduced, 3 full), --only NAME (a substring of workload names),
 * --contenders A,B (substrings of contender names, e.g. "webgpu" on a GPU
 * machine where the float64 reference and TF.js cpu would take minutes;
 * ratios then show only when the reference ran).
 */
import { performance } from 'node:perf_hooks'
import * as E from 'fp-ts/lib/Either.js'
import { type Device, formatKernelError, openDevice } from '../runtime.ts'
import { type Tf, type Workload, workloads } from './workloads.ts'

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined }
const full = args.includes('--full')
const reps = Number(flag('--reps') ?? (full ? 3 : 5))
const only = flag('--only')
const picked = flag('--contenders')?.split(',').map((s) => s.trim()).filter(Boolean)

interface Contender { readonly name: string; readonly run: (w: Workload) => Promise<void> | void; readonly has: (w: Workload) => boolean }

const device = async (b: 'webgpu' | 'cpu'): Promise<Device> => {
  const d = await openDevice(b)
  if (E.isLeft(d)) throw new Error(formatKernelError(d.left))
  return d.right
}

/** TF.js, if installed; undefined otherwise (the table says so). */
const loadTfjs = async (): Promise<Tf | undefined> => {
  try {
    const tf = await import('@tensorflow/tfjs-core')
    await import('@tensorflow/tfjs-backend-cpu')
    await import('@tensorflow/tfjs-backend-wasm')
    await import('@tensorflow/tfjs-backend-webgpu')
    return tf
  } catch {
    return undefined
  }
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }

const main = async (): Promise<void> => {
  const gpu = await device('webgpu') // also installs navigator.gpu, which TF.js's webgpu backend reads
  const cpu = await device('cpu')
  const tf = await loadTfjs()
  const contenders: Contender[] = [
    { name: 'src f64', run: (w) => w.reference(), has: () => true },
    { name: `kernel ${gpu.backend}`, run: (w) => w.kernel(gpu), has: () => true },
    { name: `resident ${gpu.backend}`, run: (w) => w.resident!(gpu), has: (w) => w.resident !== undefined },
    { name: 'kernel gpu.js-cpu', run: (w) => w.kernel(cpu), has: () => true },
  ]
  if (tf !== undefined) {
    for (const b of ['cpu', 'wasm', 'webgpu']) {
      contenders.push({
        name: `tfjs ${b}`,
        has: (w) => w.tfjs !== undefined,
        run: async (w) => { if (tf.getBackend() !== b) { await tf.setBackend(b); await tf.ready() } await w.tfjs!(tf) },
      })
    }
  }
  if (picked !== undefined) {
    const keep = contenders.filter((c) => picked.some((p) => c.name.includes(p)))
    contenders.splice(0, contenders.length, ...keep)
  }
  const ws = workloads(full).filter((w) => only === undefined || w.name.includes(only))
  console.log(`nn-oracle bench (${full ? 'full' : 'reduced'} sizes, ${reps} timed reps after 1 warm-up, medians in ms)`)
  console.log(`webgpu adapter: ${gpu.adapter}${gpu.backend !== 'webgpu' ? '  (NO ADAPTER: the webgpu column ran on cpu)' : ''}`)
  console.log(`TF.js: ${tf === undefined ? 'not installed (npm install to get the devDependencies)' : `tfjs-core ${tf.version_core}`}\n`)
  const header = ['workload', 'size', ...contenders.map((c) => c.name)]
  const rows: string[][] = []
  const summary: string[][] = []
  for (const w of ws) {
    const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]))
    for (let r = 0; r <= reps; r++) {
      for (const c of contenders) {
        if (!c.has(w)) continue
        const t0 = performance.now()
        await c.run(w)
        const dt = performance.now() - t0
        if (r > 0) times.get(c.name)!.push(dt) // rep 0 warms up (kernel compiles, TF.js shader builds)
      }
    }
    const ref = times.has('src f64') ? median(times.get('src f64')!) : undefined
    const cell = (c: Contender): string => {
      if (!c.has(w)) return '-'
      const t = median(times.get(c.name)!)
      return c.name === 'src f64' || ref === undefined ? `${fmt(t)}` : `${fmt(t)} (${(ref / t).toFixed(2)}x)`
    }
    rows.push([w.name, w.size, ...contenders.map(cell)])
    const ours = [`kernel ${gpu.backend}`, `resident ${gpu.backend}`].filter((n) => (times.get(n)?.length ?? 0) > 0).map((n) => [n, median(times.get(n)!)] as const)
    const tfw = times.get('tfjs webgpu')
    if (ours.length > 0 && tfw !== undefined && tfw.length > 0) {
      const [who, t] = ours.reduce((a, b) => (b[1] < a[1] ? b : a))
      const speed = median(tfw) / t
      summary.push([w.name, who, fmt(t), fmt(median(tfw)), `${speed.toFixed(2)}x`, speed >= 1 ? 'yes' : 'no'])
    }
    console.log(`  measured ${w.name}`)
  }
  console.log('\n' + table([header, ...rows]))
  console.log('\n(ratio) = src f64 ms / contender ms, from this run; above 1 is faster than the float64 reference.')
  if (summary.length > 0) {
    console.log('\nOurs against TF.js webgpu on the same adapter (ours = the faster of kernel and resident; speed-up = TF.js ms / ours ms):\n')
    console.log(table([['workload', 'ours', 'ms', 'tfjs webgpu ms', 'speed-up', '>= 1x'], ...summary]))
  }
}

const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(3))

/** A Markdown table (pastes into docs/performance.md as is). */
const table = (rows: string[][]): string => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
  return [line(rows[0]), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.slice(1).map(line)].join('\n')
}

await main()
