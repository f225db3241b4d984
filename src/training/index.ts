/**
 * Training as a pure fold: `step(objective, optimizer)(carry, key, batch)`
 * returns the next `{params, state, buffers}` and the step's metrics (loss
 * before the update, gradients, every forward value); `fold` runs it over
 * explicit batches, `train` over batches drawn from keys. Optimizers by
 * torch.optim name (`fromAttrs('sgd', {lr: 0.1, momentum: 0.9})`) and PyTorch
 * parameter groups with frozen parameters (`paramGroups([{params, optimizer}])`,
 * src/optimizers/param-groups.ts).
 *
 *   const opt = paramGroups([{ params: weights, optimizer: sgdWithDecay }, { params: biases, optimizer: sgdNoDecay }])
 *   const obj = { compiled, loss: 'loss', fixed: buffers, trainable: [...weights, ...biases] }
 *   const r = fold(obj, opt.right, start(opt.right, params), batches, key)   // Either<OpError, {carry, losses}>
 *
 * Parameters in no group are frozen (bitwise unchanged); a parameter the loss
 * never reaches gets no update at all.
 */
export { type Objective, type Carry, type Metrics, type FoldResult, lossAndGrads, step, fold, train, start } from './fold.ts'
export { OPTIMIZERS, type OptimizerName, schemas as optimizerSchemas, isOptimizerName, fromAttrs, baseLr } from './optimizers.ts'
export { type Group, type State as GroupState, paramGroups, membership } from '../optimizers/param-groups.ts'
export { groupsFor, type GroupSpec } from './groups.ts'
