/**
 * The package as a user receives it: `npm run build`, then `npm pack`, then an
 * install of that tarball into a fresh project in a temporary folder, which has
 * no path back to this repository's node_modules (its own node_modules comes
 * from the registry, or from npm's cache when offline). Built once per process
 * and shared by the specs that need it.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { scratchDir } from '../support/scratch.ts'

export const ROOT = resolve(new URL('../..', import.meta.url).pathname)

export interface Run { readonly status: number | null; readonly out: string }

export const run = (cmd: string, args: readonly string[], cwd: string, input?: string): Run => {
  const r = spawnSync(cmd, [...args], {
    cwd, encoding: 'utf8', input, timeout: 300_000,
    // A consumer's environment: no NODE_OPTIONS from our runner (tsx), no colour.
    env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  })
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` }
}

const must = (r: Run, what: string): Run => {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.out.slice(-3000)}`)
  return r
}

let tarball: string | undefined

/** Build and pack once; the path of the .tgz. */
export const packed = (): string => {
  if (tarball !== undefined) return tarball
  must(run('npm', ['run', 'build'], ROOT), 'npm run build')
  const dest = scratchDir('nn-oracle-pack-')
  const r = must(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], ROOT), 'npm pack')
  const info = JSON.parse(r.out.slice(r.out.indexOf('['))) as { filename: string }[]
  tarball = join(dest, info[0].filename)
  return tarball
}

/** A fresh project (type module) with the tarball and `extra` packages installed. */
export const freshProject = (pkg: Record<string, unknown> = {}, extra: readonly string[] = []): string => {
  const dir = scratchDir('nn-oracle-consumer-')
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', ...pkg }, null, 2))
  must(run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', packed(), ...extra], dir), 'npm install of the tarball')
  return dir
}

/** Bytes under a folder (files only, links not followed). */
export const folderBytes = (dir: string): number =>
  readdirSync(dir).reduce((sum, f) => {
    const p = join(dir, f), s = statSync(p, { throwIfNoEntry: false })
    return s === undefined ? sum : sum + (s.isDirectory() ? folderBytes(p) : s.size)
  }, 0)

export const write = (dir: string, file: string, text: string): void => {
  mkdirSync(join(dir, file, '..'), { recursive: true })
  writeFileSync(join(dir, file), text)
}
