/**
 * Every checked derivation: the files proofs/<family>/<name>.proof.ts, each
 * exporting `derivations` (and optionally a `title` for the file when it holds
 * more than one). The docs include one fragment per file,
 * docs/generated/proofs/<family>/<name>.md, and spec/proofs/<name>.spec.ts
 * checks the file's derivations; both paths are fixed by family and name.
 */
import { readdirSync, statSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Derivation } from './derivation.ts'

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const PROOFS = join(ROOT, 'proofs')

export interface ProofFile {
  /** `family/name` */
  readonly id: string
  readonly family: string
  readonly name: string
  readonly title: string
  /** repository-relative paths */
  readonly source: string
  readonly fragment: string
  readonly spec: string
  readonly derivations: readonly Derivation[]
}

const walk = (d: string): string[] => readdirSync(d).sort().flatMap((f) => {
  const p = join(d, f)
  return statSync(p).isDirectory() ? walk(p) : f.endsWith('.proof.ts') ? [p] : []
})

export const proofFiles = (): string[] => walk(PROOFS)

export const loadProofs = async (): Promise<ProofFile[]> => {
  const out: ProofFile[] = []
  for (const file of proofFiles()) {
    const rel = relative(PROOFS, file).split(sep)
    if (rel.length !== 2) throw new Error(`${file}: proofs live at proofs/<family>/<name>.proof.ts`)
    const [family, base] = rel
    const name = base.replace(/\.proof\.ts$/, '')
    const mod = (await import(pathToFileURL(file).href)) as { derivations?: readonly Derivation[]; title?: string }
    const derivations = mod.derivations
    if (derivations === undefined || derivations.length === 0) throw new Error(`${file} exports no derivations`)
    out.push({
      id: `${family}/${name}`, family, name,
      title: mod.title ?? derivations[0].title,
      source: `proofs/${family}/${base}`,
      fragment: `docs/generated/proofs/${family}/${name}.md`,
      spec: `spec/proofs/${name}.spec.ts`,
      derivations,
    })
  }
  return out
}
