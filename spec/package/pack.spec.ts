/**
 * nn-oracle as an npm dependency, tried as a new user would: the packed
 * tarball installed into an empty project (no access to this repository's
 * node_modules). Plain `node` imports the root and `nn-oracle/laws` and runs
 * an op and a law; TypeScript type-checks a file importing both under
 * moduleResolution NodeNext and Bundler; `npx nn-oracle check` passes the
 * shipped sample; the install stays under 15 MB; the kernels entry says how
 * to install its optional peers instead of crashing.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ROOT, folderBytes, freshProject, packed, run, write } from './tarball.ts'

const test = suite('package: the packed tarball in a fresh project')

let app = ''
test.before(() => { app = freshProject() })

test('the tarball ships dist (with the case format\'s schema), the case format page, README and LICENSE, nothing else', () => {
  const list = spawnSync('tar', ['tzf', packed()], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '' && !l.endsWith('/'))
  const outside = list.filter((f) => !/^package\/(dist\/.*\.(js|d\.ts)|dist\/docs\/case-format\.schema\.json|docs\/case-format\.md|README\.md|LICENSE|package\.json)$/.test(f))
  assert.equal(outside, [], 'unexpected files in the tarball')
  for (const f of ['package/dist/src/index.js', 'package/dist/src/index.d.ts', 'package/dist/spec/laws/index.js', 'package/dist/kernels/index.js',
    'package/dist/src/cli/bin.js', 'package/dist/src/fast/worker.js', 'package/dist/docs/case-format.schema.json', 'package/docs/case-format.md', 'package/LICENSE']) {
    assert.ok(list.includes(f), `${f} is missing from the tarball`)
  }
})

test('installing it into an empty project takes under 15 MB of node_modules', () => {
  const mb = folderBytes(join(app, 'node_modules')) / 2 ** 20
  assert.ok(mb < 15, `node_modules is ${mb.toFixed(1)} MB`)
  // The heavy optional peers stay out unless asked for.
  assert.not.ok(spawnSync('ls', [join(app, 'node_modules', 'gpu.js')]).status === 0, 'gpu.js was installed')
  assert.not.ok(spawnSync('ls', [join(app, 'node_modules', 'webgpu')]).status === 0, 'webgpu was installed')
})

test('plain node imports nn-oracle and nn-oracle/laws and runs an op and a law', () => {
  write(app, 'use.mjs', `
import { apply, Tensor, formatError } from 'nn-oracle'
import { assertLaw, gradientLaw, agreesWithOracle } from 'nn-oracle/laws'
import { createRequire } from 'node:module'
const x = Tensor.fromArray([2, 3], [1, -2, 3, -4, 5, -6])
const r = apply('tanh', {}, { x }, { y: Tensor.ones([2, 3]) })
if (r._tag !== 'Right') throw new Error(formatError(r.left))
const tanh = {
  forward: ({ x }) => ({ y: Tensor.fromArray(x.shape, Array.from(x.data, Math.tanh)) }),
  vjp: ({ x }, { y: g }) => ({ x: Tensor.fromArray(x.shape, Array.from(x.data, (v, i) => g.data[i] * (1 - Math.tanh(v) ** 2))) }),
}
assertLaw(gradientLaw(tanh, { x }, { y: Tensor.ones([2, 3]) }, { wrt: ['x'] }))
assertLaw(agreesWithOracle('tanh', {}, { x }, { outputs: tanh.forward({ x }), gradients: tanh.vjp({ x }, { y: Tensor.ones([2, 3]) }) }, { y: Tensor.ones([2, 3]) }))
const bad = apply('tanh', {}, { x: null })
const schema = createRequire(import.meta.url).resolve('nn-oracle/case-format.schema.json')
console.log('ok', r.right.outputs.y.data[0].toFixed(6), bad._tag, schema.endsWith('case-format.schema.json'))
`)
  const r = run(process.execPath, ['use.mjs'], app)
  assert.is(r.status, 0, r.out)
  assert.match(r.out, 'ok 0.761594 Left true')
})

const typeCheck = (module: string, resolution: string) => {
  write(app, 'use.mts', `
import { apply, Tensor, type OpError } from 'nn-oracle'
import { gradientLaw, type Verdict } from 'nn-oracle/laws'
const r = apply('relu', {}, { x: Tensor.fromArray([2], [1, -1]) })
const e: OpError | undefined = r._tag === 'Left' ? r.left : undefined
const v: (typeof gradientLaw) extends (...a: any[]) => Verdict ? true : false = true
export { e, v }
`)
  write(app, `tsconfig.${resolution}.json`, JSON.stringify({
    compilerOptions: { module, moduleResolution: resolution, target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['ES2022'] },
    files: ['use.mts'],
  }))
  // The repository's TypeScript compiler, run on the consumer's folder: it resolves
  // nn-oracle from the consumer's node_modules, never from this repository.
  return run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${resolution}.json`], app)
}

test('a TypeScript file importing both type-checks under moduleResolution NodeNext', () => {
  const r = typeCheck('NodeNext', 'NodeNext')
  assert.is(r.status, 0, r.out)
})

test('... and under moduleResolution Bundler', () => {
  const r = typeCheck('ESNext', 'Bundler')
  assert.is(r.status, 0, r.out)
})

test('npx nn-oracle check passes the shipped PyTorch sample', () => {
  const r = run('npx', ['--no-install', 'nn-oracle', 'check', join(ROOT, 'docs/examples/pytorch-sample.jsonl'), '--quiet'], app)
  assert.is(r.status, 0, r.out.slice(-2000))
  assert.match(r.out, /161\s+0\s+0\s+0/)
})

/** node_modules folders above `dir` that would hand the consumer packages it did not install. */
const ancestorModules = (dir: string, pkg: string): string[] => {
  const found: string[] = []
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', pkg))) found.push(join(d, 'node_modules', pkg))
    if (dirname(d) === d) return found
  }
}

test('nn-oracle/kernels without its optional peers returns an error value naming the install command', () => {
  // Node resolves a bare import through every node_modules above the project, so a
  // gpu.js installed in a parent folder of the temp dir would mask the missing peer.
  const masking = ancestorModules(app, 'gpu.js')
  assert.equal(masking, [], `cannot test a missing gpu.js here: ${masking.join(', ')} is visible to the consumer project`)
  write(app, 'kernels.mjs', `
import { openDevice } from 'nn-oracle/kernels'
const d = await openDevice('cpu')
console.log(d._tag, d._tag === 'Left' ? d.left.message : '')
`)
  const r = run(process.execPath, ['kernels.mjs'], app)
  assert.is(r.status, 0, r.out)
  assert.match(r.out, 'Left')
  assert.match(r.out, 'npm install gpu.js')
})

test.run()
