/**
 * Parameter averaging (EMA / Polyak, SWA's running mean).
 *
 * API:
 *   EmaUpdate.op                          catalogue op `ema_update` (average, param; decay 0.999)
 *   EmaUpdate.step(decay, a, p)           a' = decay a + (1 - decay) p on one tensor
 *   Averaged.config(kind, attrs)          a train case's `averaging` {kind: "ema", attrs: {decay}} -> Config
 *   Averaged.update(config, avg, params)  one AveragedModel.update_parameters (first call copies)
 *   Averaged.averaged(optimizer, config)  wrap any {init, update}: state.average.average is the average
 * For a train case: after optimizer step i (i = 0..k-1) call
 *   avg = Averaged.update(cfg, avg, params)   starting from Averaged.empty;
 * `averaged` in the case is avg.average after the last step.
 */
import type { Op } from '../core/op.ts'
import * as EmaUpdate from './ema-update.ts'

export * as Averaged from './averaged.ts'
export * as EmaUpdate from './ema-update.ts'

export const ops: readonly Op[] = [EmaUpdate.op]
