/**
 * The catalogue of docs/case-format.md: op name -> op value. Families
 * register their ops in their own index; this file only gathers them.
 */
import type { Op } from './core/op.ts'
import { ops as activations } from './activations/index.ts'
import { ops as augmentation } from './augmentation/index.ts'
import { ops as averaging } from './averaging/index.ts'
import { ops as convolution } from './convolution/index.ts'
import { ops as glue } from './graph/glue/index.ts'
import { ops as layers } from './layers/index.ts'
import { ops as losses } from './losses/index.ts'
import { ops as normalization } from './normalization/index.ts'
import { ops as optimizers } from './optimizers/index.ts'
import { ops as penalties } from './penalties/index.ts'
import { ops as pooling } from './pooling/index.ts'
import { ops as preprocessing } from './preprocessing/index.ts'
import { ops as regularization } from './regularization/index.ts'
import { ops as schedules } from './schedules/index.ts'

export const allOps: readonly Op[] = [
  ...layers, ...activations, ...losses, ...penalties, ...regularization,
  ...convolution, ...pooling, ...normalization, ...optimizers, ...glue, ...preprocessing,
  ...schedules, ...averaging, ...augmentation,
]

export const registry: ReadonlyMap<string, Op> = new Map(allOps.map((o) => [o.name, o]))

export const lookup = (name: string): Op | undefined => registry.get(name)
