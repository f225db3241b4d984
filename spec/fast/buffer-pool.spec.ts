/**
 * When the recycler asks for a collection (src/fast/buffer-pool.ts `dry`,
 * src/fast/shared-array.ts `askForCollection`). What the collection then
 * does is V8's, and its timing is the host's: docs/performance.md measures
 * it (session 8) and nothing here waits on it. What is checked is the
 * decision, which is ours and deterministic:
 *   - a take reports `dry` exactly when it leaves its size's free list empty
 *     while another buffer of that size is still out (maybe dead, waiting for
 *     a full collection), and only from the pressure size up;
 *   - buffers that came back are no longer counted as out;
 *   - the allocator asks at most once per task, and again in a later task.
 * Sizes are odd multiples of 8 bytes that nothing else allocates, so that
 * each test sees only its own buffers.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { setPressureMin, setRecycleMin, takeBuffer } from '../../src/fast/buffer-pool.ts'
import { allocate, collectionRequests } from '../../src/fast/shared-array.ts'
import { setWorkThreshold } from '../../src/fast/threads.ts'

const test = suite('fast: when the recycler asks for a collection')

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
setFlagsFromString('--no-expose-gc')

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0))
/** The next check phase: immediates run in the order they were queued, so the allocator's, queued first, has run. */
const afterImmediates = (): Promise<void> => new Promise((r) => setImmediate(r))

let recycleMin = 0, pressureMin = 0, threshold = 0
test.before(() => {
  recycleMin = setRecycleMin(0)
  pressureMin = setPressureMin(0)
  threshold = setWorkThreshold(1)
})
test.after(() => {
  setRecycleMin(recycleMin)
  setPressureMin(pressureMin)
  setWorkThreshold(threshold)
})

test('dry: only when the take empties the free list while another buffer of its size is out', () => {
  const bytes = 8 * 1231
  const a = takeBuffer(bytes)
  assert.is(a.dry, false, 'the first buffer of a size: nothing else out')
  const b = takeBuffer(bytes)
  assert.is(b.dry, true, 'a second while the first is still held')
  const was = setPressureMin(bytes + 1)
  try {
    assert.is(takeBuffer(bytes).dry, false, 'below the pressure size')
  } finally {
    setPressureMin(was)
  }
  assert.is(a.buffer.byteLength + b.buffer.byteLength, 2 * bytes)
})

test('a buffer that came back is no longer out: one taken alone again is not dry', async () => {
  const bytes = 8 * 1237
  ;(() => { takeBuffer(bytes) })() // taken and dropped at once
  for (let i = 0; i < 5; i++) { gc(); await tick() } // collected; its finalizer returns it to the free list
  const again = takeBuffer(bytes)
  assert.is(again.reused, true, 'the dropped buffer came back (else this test proves nothing)')
  assert.is(again.dry, false, 'nothing else of this size is out')
})

test('the allocator asks once per task, and again in a later task', async () => {
  const n = 1249
  const before = collectionRequests()
  const kept = [allocate(n), allocate(n), allocate(n)] // the second and the third are dry
  assert.is(collectionRequests() - before, 1, 'one request for the task')
  await afterImmediates()
  kept.push(allocate(n))
  assert.is(collectionRequests() - before, 2, 'a later task asks again')
  assert.is(kept.length, 4)
})

test.run()
