/**
 * Snapshot ensembles (Huang et al. 2017): one run with cosine warm restarts
 * (SGDR, ../schedules) and a snapshot of the parameters at the end of every
 * cycle, where the rate is at its minimum and the model sits in a (different)
 * basin; the snapshots are the ensemble's members, for the price of one run.
 * With PyTorch's CosineAnnealingWarmRestarts, optimizer step i runs at the rate
 * after i scheduler calls, and cycle c (length T_0 T_mult^c) covers steps
 *   (1) a_c = T_0 (T_mult^c - 1) / (T_mult - 1)   (T_0 c when T_mult = 1)  ..  a_c + T_0 T_mult^c - 1
 * The snapshot of cycle c is taken after its last step (the parameters that
 * step produced), i.e. after step a_(c+1) - 1.
 */

// #region snapshot-steps
/** The steps (0-based optimizer steps) after which a snapshot is taken, for a run of `steps` steps: complete cycles only. */
export const snapshotSteps = (T_0: number, T_mult: number, steps: number): number[] => {
  const out: number[] = []
  let start = 0, len = T_0
  while (start + len <= steps) {
    out.push(start + len - 1) // (1)
    start += len
    len *= T_mult
  }
  return out
}
// #endregion snapshot-steps

/** Pick the snapshots from a run's history (history[i] = parameters after step i). */
export const snapshots = <P>(history: readonly P[], T_0: number, T_mult: number): P[] =>
  snapshotSteps(T_0, T_mult, history.length).map((i) => history[i])
