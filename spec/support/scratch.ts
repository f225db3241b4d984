/**
 * Scratch folders for specs: made under the system temp folder and removed
 * when the test process exits, so a run leaves nothing behind in /tmp.
 * One exit listener serves every folder (uvu runs all specs in one process).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []
let listening = false

const removeAll = (): void => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** A fresh, empty folder named `prefix` plus a random suffix; removed at exit. */
export const scratchDir = (prefix: string): string => {
  if (!listening) { process.once('exit', removeAll); listening = true }
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}
