#!/usr/bin/env node
// The nn-oracle command. The library is TypeScript run in place through tsx
// (no build step), so what runs is exactly what the docs include and the
// tests check.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
try {
  process.exitCode = await main(process.argv.slice(2))
} catch (e) {
  // Last line of defence: an internal error is reported as one line, not a stack trace.
  console.error(`nn-oracle: internal error (please report): ${e instanceof Error ? e.message : String(e)}`)
  process.exitCode = 70
}
