import type { Op } from '../core/op.ts'
import * as AdjustBrightness from './adjust-brightness.ts'
import * as AdjustContrast from './adjust-contrast.ts'
import * as AdjustHue from './adjust-hue.ts'
import * as AdjustSaturation from './adjust-saturation.ts'
import * as Affine from './affine.ts'
import * as Crop from './crop.ts'
import * as Cutmix from './cutmix.ts'
import * as Elastic from './elastic.ts'
import * as Erase from './erase.ts'
import * as Flip from './flip.ts'
import * as Interpolate from './interpolate.ts'
import * as Mixup from './mixup.ts'
import * as PcaLighting from './pca-lighting.ts'

// The random side (./random.ts, ./pipeline.ts) draws these ops' attributes from a key;
// only the deterministic ops are catalogue ops.
export const ops: readonly Op[] = [
  Flip.hflip, Flip.vflip, Crop.op, Interpolate.op,
  AdjustBrightness.op, AdjustContrast.op, AdjustSaturation.op, AdjustHue.op, PcaLighting.op,
  Affine.op, Elastic.op, Erase.op, Mixup.op, Cutmix.op,
]
