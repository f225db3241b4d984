/**
 * The gpu.js traps of kernels/gpujs-notes.md, each shown on a bare
 * kernel where it bites, next to the kernel layer (kernels/runtime.ts and the
 * kernels) getting it right. Run on both backends; where the backends differ
 * (gpujs §7.12), each test says what each one does.
 *
 *   - a loop bound from an argument stops silently at loopMaxIterations = 1000 (gpujs §3)
 *   - an index held in a declared local is f32 on webgpu: wrong past 2^24 (gpujs §3, §7.6)
 *   - Math.max with 3 arguments is invalid WGSL (gpujs §3)
 *   - Math.expm1 and Math.log1p are naive near 0 on webgpu (gpujs §5.3)
 *   - more than 7 array arguments fail on webgpu (gpujs §7.1)
 *   - mode 'async' silently stays on webasm when WGSL fails (gpujs §4)
 *   - gpu.js cpu mode with dynamicArguments indexes 2-D inputs with the output's strides (found here)
 *   - NaN handling on webgpu is undefined (gpujs §5.4)
 */
import * as E from 'fp-ts/lib/Either.js'
import { createRequire } from 'node:module'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { fromArray } from '../../src/core/tensor.ts'
import { expm1_32 } from '../../kernels/math/expm1.ts'
import { log1p32 } from '../../kernels/math/log1p.ts'
import * as Relu from '../../kernels/activations/relu.kernel.ts'
import { type Device, type KernelSpec, type KernelThis, LOOP_CAP, f32, run } from '../../kernels/runtime.ts'
import * as Bd from './bounds.ts'
import { BACKENDS, device } from './harness.ts'

const test = suite('kernels: gpu.js traps')

interface BareKernel { (...a: unknown[]): unknown; kernel: { constructor: { mode: string } }; destroy(): void }
const gpujs = createRequire(import.meta.url)('gpu.js') as {
  GPU: new (s: { mode: string }) => { createKernel(f: Function, s: object): BareKernel }
  input: (v: Float32Array, size: number[]) => unknown
}

/** A bare gpu.js GPU in the device's mode, outside our runtime (its own instance: its kernels are its own). */
const bare = (dev: Device) => new gpujs.GPU({ mode: dev.backend })

const unwrap = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left).slice(0, 500))
  return r.right
}

const sumOnes: KernelSpec = {
  name: 'trap.sumOnes',
  args: { a: 'Input', n: 'Integer' },
  fn: function (this: KernelThis, a: number[], n: number): number {
    let s = 0
    for (let i = 0; i < n; i++) s += a[i]
    return s
  },
}

for (const backend of BACKENDS) {
  test(`[${backend}] a loop bound from an argument: a bare kernel stops at 1000, ours runs to n`, async () => {
    const dev = await device(backend)
    const ones = new Float32Array(1500).fill(1)
    const k = bare(dev).createKernel(sumOnes.fn, { output: [1], argumentTypes: { a: 'Input', n: 'Integer' } })
    const capped = (await k(gpujs.input(ones, [1500]), 1500)) as Float32Array
    assert.is(capped[0], 1000, 'gpu.js default loopMaxIterations: the sum stops at 1000 terms, silently')
    k.destroy()
    const ours = unwrap(await run(dev, sumOnes, [1], [f32(ones, [1500]), 1500]))
    assert.is(ours[0], 1500, 'the runtime sets loopMaxIterations to LOOP_CAP')
    const over = await run(dev, sumOnes, [1], [f32(ones, [1500]), LOOP_CAP + 1])
    assert.ok(E.isLeft(over) && over.left._tag === 'Unsupported', 'a bound past LOOP_CAP is refused, not truncated')
  })

  test(`[${backend}] an index past 2^24: a declared local goes wrong on webgpu, inline indexing (our kernels) does not`, async () => {
    const dev = await device(backend)
    const n = 2 ** 24 + 64
    // neighbouring values differ, so a read from the wrong index shows
    const data = new Float32Array(n)
    for (let i = 0; i < n; i++) data[i] = (i % 4093) + 1
    const viaLocal = bare(dev).createKernel(function (this: KernelThis, a: number[]): number {
      const i = this.thread.x
      return a[i]
    }, { output: [n], argumentTypes: { a: 'Input' } })
    const got = (await viaLocal(gpujs.input(data, [n]))) as Float32Array
    viaLocal.destroy()
    let wrong = 0
    for (let i = 2 ** 24; i < n; i++) if (got[i] !== data[i]) wrong++
    if (dev.backend === 'webgpu') assert.ok(wrong > 0, 'webgpu: `const i = this.thread.x` is an f32 local, odd indices past 2^24 round')
    else assert.is(wrong, 0, 'cpu: locals are float64 numbers, every index exact')
    // our relu reads x[this.thread.x] inline: exact everywhere (values are > 0, so relu is the identity)
    const x = fromArray([n], data)
    const y = unwrap(await Relu.op.forward(dev, {}, { x })).value.outputs.y.data
    let bad = 0
    for (let i = 2 ** 24 - 64; i < n; i++) if (y[i] !== data[i]) bad++
    assert.is(bad, 0, 'inline indexing is i32 and exact past 2^24')
  })

  test(`[${backend}] Math.max with three arguments: invalid WGSL on webgpu, an error value from run(), never a throw`, async () => {
    const dev = await device(backend)
    const max3: KernelSpec = {
      name: 'trap.max3',
      args: { a: 'Input' },
      fn: function (this: KernelThis, a: number[]): number {
        return Math.max(a[0], a[1], a[2])
      },
    }
    const r = await run(dev, max3, [1], [f32([1, 3, 2], [3])])
    if (dev.backend === 'webgpu') {
      assert.ok(E.isLeft(r) && r.left._tag === 'BackendError' && /WGSL|max/i.test(r.left.message), 'a rejected promise becomes a Left naming the WGSL failure')
    } else {
      assert.equal(unwrap(r)[0], 3, 'cpu accepts it (the backends drift, gpujs §7.12)')
    }
  })

  test(`[${backend}] expm1 and log1p near 0: gpu.js's are naive on webgpu, ours stay within their derived bound`, async () => {
    const dev = await device(backend)
    const ts = Array.from({ length: 64 }, (_, i) => Math.fround((i % 2 ? -1 : 1) * 10 ** (-2 - (i % 16) / 3)))
    const both = (fn: Function, name: string): KernelSpec => ({ name, args: { t: 'Input' }, fn, functions: [expm1_32, log1p32] })
    const naiveExpm1 = both(function (this: KernelThis, t: number[]): number { return Math.expm1(t[this.thread.x]) }, 'trap.naiveExpm1')
    const naiveLog1p = both(function (this: KernelThis, t: number[]): number { return Math.log1p(t[this.thread.x]) }, 'trap.naiveLog1p')
    const oursExpm1 = both(function (this: KernelThis, t: number[]): number { return expm1_32(t[this.thread.x]) }, 'trap.expm1')
    const oursLog1p = both(function (this: KernelThis, t: number[]): number { return log1p32(t[this.thread.x]) }, 'trap.log1p')
    const arg = f32(ts, [ts.length])
    const rel = (got: Float32Array, f: (t: number) => number) => Math.max(...ts.map((t, i) => Math.abs(got[i] - f(t)) / Math.abs(f(t))))
    const naive = Math.max(rel(unwrap(await run(dev, naiveExpm1, [ts.length], [arg])), Math.expm1), rel(unwrap(await run(dev, naiveLog1p, [ts.length], [arg])), Math.log1p))
    if (dev.backend === 'webgpu') assert.ok(naive > 1e-2, `webgpu: exp(t) - 1 and log(1 + t) lose digits near 0 (worst relative error ${naive.toExponential(2)})`)
    else assert.ok(naive < 1e-6, 'cpu: JavaScript\'s Math.expm1 and Math.log1p are accurate')
    const e1 = unwrap(await run(dev, oursExpm1, [ts.length], [arg])), l1 = unwrap(await run(dev, oursLog1p, [ts.length], [arg]))
    ts.forEach((t, i) => {
      for (const [got, bound, ref, name] of [[e1[i], Bd.expm1_32(Bd.exact(t)), Math.expm1(t), 'expm1'], [l1[i], Bd.log1p32(Bd.exact(t)), Math.log1p(t), 'log1p']] as const) {
        const msg = Bd.check(`${name}(${t})`, got, ref, bound)
        assert.is(msg, undefined, msg)
      }
    })
  })

  test(`[${backend}] eight array arguments: over webgpu's 8 storage buffers (7 + the output), a Left; cpu runs it`, async () => {
    const dev = await device(backend)
    const eight: KernelSpec = {
      name: 'trap.eightArrays',
      args: { a: 'Input', b: 'Input', c: 'Input', d: 'Input', e: 'Input', f: 'Input', g: 'Input', h: 'Input' },
      fn: function (this: KernelThis, a: number[], b: number[], c: number[], d: number[], e: number[], f: number[], g: number[], h: number[]): number {
        return a[0] + b[0] + c[0] + d[0] + e[0] + f[0] + g[0] + h[0]
      },
    }
    const one = f32([1], [1])
    const r = await run(dev, eight, [1], [one, one, one, one, one, one, one, one])
    if (dev.backend === 'webgpu') assert.ok(E.isLeft(r) && r.left._tag === 'BackendError', 'the pipeline limit surfaces as an error value')
    else assert.is(unwrap(r)[0], 8)
  })

  test(`[${backend}] NaN: cpu mode propagates it through relu as src/ does; webgpu does what this driver does (undefined)`, async () => {
    const dev = await device(backend)
    const y = unwrap(await Relu.op.forward(dev, {}, { x: fromArray([3], [NaN, -1, 2]) })).value.outputs.y.data
    assert.equal([y[1], y[2]], [0, 2])
    if (dev.backend === 'cpu') assert.ok(Number.isNaN(y[0]), 'cpu: NaN <= 0 is false, NaN passes')
    else assert.ok(Number.isNaN(y[0]) || y[0] === 0, `webgpu gives ${y[0]}: fast-math may fold the comparison either way (gpujs §5.4)`)
  })
}

test('[webgpu] mode "async": a kernel whose WGSL fails silently stays on webasm; the runtime checks the mode it built in', async () => {
  const dev = await device('webgpu')
  if (dev.backend !== 'webgpu') return // no adapter here: nothing to upgrade to (the fallback warning said so)
  const max3 = function (this: KernelThis, a: number[]): number { return Math.max(a[0], a[1], a[2]) }
  const k = new gpujs.GPU({ mode: 'async' }).createKernel(max3, { output: [1], argumentTypes: { a: 'Input' } })
  const r = (await k(gpujs.input(new Float32Array([1, 3, 2]), [3]))) as Float32Array
  assert.is(r[0], 3, 'it answers')
  assert.is.not(k.kernel.constructor.mode, 'webgpu', 'but not on webgpu: no warning, no error')
  k.destroy()
  // the same kernel through the runtime on a GPU in mode 'async': the mode check turns it into a Left
  const asyncDev: Device = { ...dev, gpu: new gpujs.GPU({ mode: 'async' }) as unknown as Device['gpu'], cache: new Map() }
  const viaRuntime = await run(asyncDev, { name: 'trap.asyncMax3', args: { a: 'Input' }, fn: max3 }, [1], [f32([1, 3, 2], [3])])
  assert.ok(E.isLeft(viaRuntime) && viaRuntime.left._tag === 'BackendError' && /mode/.test(viaRuntime.left.message), 'built in the wrong mode: an error value')
})

test('[cpu] gpu.js cpu mode with dynamicArguments reads a 2-D input with the output\'s strides; the runtime keys cpu kernels by shape instead', async () => {
  const rowSum = function (this: KernelThis, x: number[][], k: number): number {
    let s = 0
    for (let p = 0; p < k; p++) s += x[this.thread.x][p]
    return s
  }
  const k = new gpujs.GPU({ mode: 'cpu' }).createKernel(rowSum, { output: [2], argumentTypes: { x: 'Input', k: 'Integer' }, dynamicArguments: true, dynamicOutput: true })
  const x = new Float32Array([1, 2, 3, 4, 5, 6]) // rows [1, 2, 3] and [4, 5, 6]
  const wrong = (await k(gpujs.input(x, [3, 2]), 3)) as Float32Array
  assert.equal(Array.from(wrong), [6, 12], 'row 1 read from offset 2 (the output width), not 3: 3 + 4 + 5')
  const dev = await device('cpu')
  const ours = unwrap(await run(dev, { name: 'trap.rowSum', args: { x: 'Input', k: 'Integer' }, fn: rowSum }, [2], [f32(x, [2, 3]), 3]))
  assert.equal(Array.from(ours), [6, 15])
})

test.run()
