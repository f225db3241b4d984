/**
 * The kernel runtime's contract (kernels/runtime.ts): provenance on every
 * result, the no-adapter policy (a loud fallback to cpu, or an error under
 * NN_ORACLE_REQUIRE_WEBGPU=1), errors as values, and the LRU kernel cache
 * that destroys what it evicts.
 */
import { spawnSync } from 'node:child_process'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { fromArray } from '../../src/core/tensor.ts'
import { kernels } from '../../kernels/index.ts'
import * as Linear from '../../kernels/layers/linear.kernel.ts'
import * as Softmax from '../../kernels/activations/softmax.kernel.ts'
import { CACHE_SIZE, type Device, type KernelSpec, f32, run } from '../../kernels/runtime.ts'
import { registry } from '../../src/registry.ts'
import { BACKENDS, device } from './harness.ts'

const test = suite('kernels: runtime')

/** Open a webgpu device in a child process with `env`, print what came back. */
const childOpen = (env: Record<string, string>): { status: number | null; out: string } => {
  const code = `import { openDevice } from './kernels/runtime.ts'
const d = await openDevice('webgpu')
console.log('RESULT ' + JSON.stringify(d._tag === 'Right' ? { backend: d.right.backend, adapter: d.right.adapter } : d.left))`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, ...env } })
  return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') }
}

// A Vulkan loader pointed at a driver file that does not exist: dawn.node finds no adapter,
// which is what a laptop without Vulkan (or a CI image without kernels/setup-webgpu.sh) sees.
// The Vulkan loader reads VK_DRIVER_FILES first and VK_ICD_FILENAMES after it: hide the driver under both,
// or a machine that names its driver in VK_DRIVER_FILES (the H100 runs do) still finds it.
const NO_ADAPTER = { VK_DRIVER_FILES: '/nonexistent/nn-oracle-no-icd.json', VK_ICD_FILENAMES: '/nonexistent/nn-oracle-no-icd.json' }

test('no adapter: webgpu falls back to gpu.js cpu mode with a loud warning, and results say cpu', () => {
  const { out } = childOpen({ ...NO_ADAPTER, NN_ORACLE_REQUIRE_WEBGPU: '0' })
  assert.match(out, 'NO WEBGPU ADAPTER, FALLING BACK TO gpu.js CPU MODE')
  assert.match(out, 'RESULT {"backend":"cpu"')
})

test('no adapter with NN_ORACLE_REQUIRE_WEBGPU=1: an error value, no fallback', () => {
  const { out } = childOpen({ ...NO_ADAPTER, NN_ORACLE_REQUIRE_WEBGPU: '1' })
  assert.match(out, 'RESULT {"_tag":"BackendError"')
  assert.match(out, 'NN_ORACLE_REQUIRE_WEBGPU=1')
  assert.not.match(out, 'FALLING BACK')
})

test('every kernel mirrors a registered src op of the same name, and parses attributes with its parser', () => {
  for (const k of kernels) {
    const op = registry.get(k.name)
    assert.ok(op !== undefined, `${k.name} has no src op`)
    assert.equal(k.parseAttrs({}), op!.parseAttrs({}), `${k.name}: same defaults and the same errors`)
  }
})

for (const backend of BACKENDS) {
  test(`[${backend}] provenance: every result names the backend and adapter that computed it`, async () => {
    const dev = await device(backend)
    if (backend === 'webgpu' && dev.backend === 'webgpu') assert.match(dev.adapter, /\w/, 'the adapter describes itself')
    const r = await Softmax.op.forward(dev, { dim: -1 }, { x: fromArray([2, 3], [1, 2, 3, 4, 5, 6]) })
    assert.ok(E.isRight(r))
    if (E.isRight(r)) {
      assert.is(r.right.backend, dev.backend)
      assert.is(r.right.adapter, dev.adapter)
      const g = await Softmax.op.backward!(dev, { dim: -1 }, r.right.value.cache, { y: fromArray([2, 3], [1, 0, 0, 0, 1, 0]) })
      assert.ok(E.isRight(g) && g.right.backend === dev.backend && g.right.adapter === dev.adapter)
    }
  })

  test(`[${backend}] errors are values: a bad shape is the src op's Invalid error, a too-large buffer is Unsupported`, async () => {
    const dev = await device(backend)
    const bad = await Linear.op.forward(dev, {}, { x: fromArray([2, 3], [1, 2, 3, 4, 5, 6]), weight: fromArray([3, 2], [1, 2, 3, 4, 5, 6]) })
    assert.ok(E.isLeft(bad) && bad.left._tag === 'Invalid' && bad.left.arg === 'inputs.weight')
    const missing = await Linear.op.forward(dev, {}, { x: fromArray([2], [1, 2]) })
    assert.ok(E.isLeft(missing) && missing.left._tag === 'Invalid' && missing.left.arg === 'inputs.weight')
    const small: Device = { ...dev, maxElements: 4 }
    const big = await Linear.op.forward(small, {}, { x: fromArray([2, 3], [1, 2, 3, 4, 5, 6]), weight: fromArray([1, 3], [1, 2, 3]) })
    assert.ok(E.isLeft(big) && big.left._tag === 'Unsupported', 'a tensor over the binding limit is refused before upload')
  })

  test(`[${backend}] the kernel cache is an LRU of ${CACHE_SIZE} that destroys what it evicts`, async () => {
    const dev = await device(backend)
    const destroyed: string[] = []
    const spec = (i: number): KernelSpec => ({
      name: `runtime.lru${i}`,
      args: { a: 'Input' },
      // a distinct body per kernel (a distinct WGSL text, as distinct ops would have)
      fn: new Function('a', `return a[this.thread.x] + ${i}`),
    })
    const x = f32([1, 2], [2])
    const first = await run(dev, spec(0), [2], [x])
    assert.ok(E.isRight(first) && first.right[1] === 2)
    const [key0, entry0] = [...dev.cache.entries()].find(([k]) => k.startsWith('runtime.lru0|'))!
    const destroy0 = entry0.kernel.destroy.bind(entry0.kernel)
    Object.assign(entry0.kernel, { destroy: () => { destroyed.push(key0); destroy0() } })
    for (let i = 1; i <= CACHE_SIZE; i++) {
      const r = await run(dev, spec(i), [2], [x])
      assert.ok(E.isRight(r) && r.right[0] === 1 + i)
    }
    assert.ok(dev.cache.size <= CACHE_SIZE)
    assert.not.ok(dev.cache.has(key0), 'the least recently used kernel is gone')
    assert.equal(destroyed, [key0], 'and was destroyed')
  })
}

test.run()
