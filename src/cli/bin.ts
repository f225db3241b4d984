#!/usr/bin/env node
// The nn-oracle command. Published as compiled JavaScript (dist/src/cli/bin.js);
// from a clone, `npm ci` builds it (the `prepare` script), and the specs run the
// same `main` from the TypeScript sources through tsx.
import { main } from './main.ts'

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (e) {
  // Last line of defence: an internal error is reported as one line, not a stack trace.
  console.error(`nn-oracle: internal error (please report): ${e instanceof Error ? e.message : String(e)}`)
  process.exitCode = 70
}
