/**
 * Weight initializers: pure functions (key, shape, options) -> Either<OpError,
 * Tensor>, with keys from src/core/random.ts (no hidden generator). One
 * variance-scaling core (./variance-scaling.ts) that the fan-based ones
 * specialise; fans follow PyTorch (./fans.ts), gains torch.nn.init.calculate_gain
 * (./gain.ts). The name table is what `nn-oracle experiment --init` and other
 * callers look initializers up by.
 */
import type * as E from 'fp-ts/lib/Either.js'
import type { OpError } from '../core/errors.ts'
import type { Key } from '../core/random.ts'
import type { Shape, Tensor } from '../core/tensor.ts'
import { constant, zeros } from './constant.ts'
import { glorotNormal, glorotUniform } from './glorot.ts'
import { kaimingNormal, kaimingUniform } from './kaiming.ts'
import { normal } from './normal.ts'
import { orthogonal } from './orthogonal.ts'
import { uniform } from './uniform.ts'
import { varianceScaling } from './variance-scaling.ts'
import { xavier } from './xavier.ts'

export { calculateGain, NONLINEARITIES, type Nonlinearity } from './gain.ts'
export { fans, type Fans } from './fans.ts'
export { householderQR } from './qr.ts'
export { lsuv, calibrate as lsuvCalibrate } from './lsuv.ts'
export { residualBlock } from './residual.ts'
export { constant, zeros, normal, uniform, xavier, glorotNormal, glorotUniform, kaimingNormal, kaimingUniform, orthogonal, varianceScaling }

export type Initializer = (key: Key, shape: Shape, options?: any) => E.Either<OpError, Tensor>

export const initializers: Readonly<Record<string, Initializer>> = {
  zeros, constant, normal, uniform, xavier,
  glorot_normal: glorotNormal, glorot_uniform: glorotUniform,
  kaiming_normal: kaimingNormal, kaiming_uniform: kaimingUniform,
  orthogonal, variance_scaling: varianceScaling,
}
