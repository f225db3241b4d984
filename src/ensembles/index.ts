/**
 * Ensembles: combining members, bagging, snapshot ensembles.
 *
 * API:
 *   Combine.averageProbabilities(logits[])   mean of softmax(z_j), [N, C]
 *   Combine.averageLogits(logits[])          softmax(mean z_j), [N, C]
 *   Combine.crossEntropyOfProbabilities(p, labels), Combine.accuracy(p, labels)
 *   Bagging.bootstrap(key, n) / bags(key, n, m)   bootstrap index samples from explicit keys
 *   Bagging.inclusionProbability(n)          1 - (1 - 1/n)^n
 *   Snapshot.snapshotSteps(T_0, T_mult, k)   the optimizer steps ending SGDR cycles
 *   Snapshot.snapshots(history, T_0, T_mult) the parameters to ensemble
 * From a training loop: train m members (bags from split keys, or snapshots of
 * one cosine_warm_restarts run), evaluate each member's logits on the test set,
 * combine with averageProbabilities.
 */
export * as Bagging from './bagging.ts'
export * as Combine from './combine.ts'
export * as Snapshot from './snapshot.ts'
