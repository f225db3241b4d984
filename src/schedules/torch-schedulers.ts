/**
 * PyTorch 1.13's `torch.optim.lr_scheduler`, replayed. A scheduler there is an
 * object that mutates `optimizer.param_groups[i]['lr']`; most of its
 * `get_lr()` are "chainable": they read the group's CURRENT lr and multiply it,
 * so the value after n calls is a product of n factors, not the closed form
 * the documentation prints. The two agree in exact arithmetic and differ in
 * the last bits in floating point (cosine: by up to ~n ulps of the base rate),
 * and in behaviour where several schedulers share a group (SequentialLR). We
 * follow PyTorch: this module replays the same objects on one parameter group
 * (every formula is per group) and reports what `get_last_lr()` would.
 *
 * Chainable rules, n = last_epoch after the call, lr the group's current rate,
 * b the base (`initial_lr`):
 *   (1) step          lr' = lr * gamma        when n > 0 and n % step_size == 0, else lr
 *   (2) multistep     lr' = lr * gamma^c      c = how often n is a milestone (0 or 1)
 *   (3) exponential   lr' = lr * gamma        n > 0
 *   (4) linear        n == 0: lr * start_factor;  n > total_iters: lr;  else
 *                     lr * (1 + (e - s) / (total_iters s + (n - 1)(e - s)))
 *   (5) cosine        n == 0: lr;  (n - 1 - T) mod 2T == 0: lr + (b - m)(1 - cos(pi/T))/2;
 *                     else (1 + cos(pi n / T)) / (1 + cos(pi (n - 1) / T)) (lr - m) + m
 * Closed forms (the schedulers' own; not chainable):
 *   (6) cosine_warm_restarts  m + (b - m)(1 + cos(pi T_cur / T_i)) / 2, T_cur += 1 and
 *                     when T_cur >= T_i: T_cur -= T_i, T_i *= T_mult
 *   (7) cyclic        c = floor(1 + n / (up + down)), x = 1 + n / (up + down) - c,
 *                     s = x / r if x <= r else (x - 1) / (r - 1), r = up / (up + down),
 *                     lr = base_lr + (max_lr - base_lr) s scale(c or n)
 *   (8) one_cycle     phase k from step a_k to a_(k+1): anneal(start_k, end_k, (n - a_k) / (a_(k+1) - a_k)),
 *                     cos: end + (start - end) / 2 (cos(pi pct) + 1);  linear: (end - start) pct + start
 * Operations are written in PyTorch's order (left to right, as Python
 * evaluates them) so that the arithmetic is the same; Math.cos and Math.pow
 * may still differ from glibc's by an ulp, which is why the golden spec
 * compares with a tolerance derived there rather than bit for bit.
 */
import type { KindAttrs } from './kinds.ts'

/** One optimizer parameter group as the schedulers see it. */
interface Group {
  lr: number
  initial_lr?: number
  max_lr?: number
  min_lr?: number
}

/** A replayed scheduler: `step(epoch?)` as `_LRScheduler.step`, `lastLr` as `get_last_lr()[0]`. */
interface Replayed {
  lastEpoch: number
  lastLr: number
  readonly step: (epoch?: number) => void
  readonly initialStep: () => void
}

/** Python's `a % b` for b > 0: the result has b's sign. */
const pyMod = (a: number, b: number): number => ((a % b) + b) % b

const bisectRight = (xs: readonly number[], v: number): number => {
  let i = 0
  while (i < xs.length && xs[i] <= v) i++
  return i
}

/**
 * `_LRScheduler.__init__` + `step`: `getLr` is the chainable form, `closed`
 * the `_get_closed_form_lr` used when `step(epoch)` is given one (only
 * SequentialLR does, with 0). `setBase` runs where the subclass sets
 * `self.base_lrs` after the base constructor (CyclicLR).
 */
const replay = (
  group: Group,
  getLr: (s: { lastEpoch: number; stepCount: number; base: number }) => number,
  closed?: (s: { lastEpoch: number; base: number }) => number,
  afterInit?: (s: { base: number }) => void,
): Replayed => {
  if (group.initial_lr === undefined) group.initial_lr = group.lr // setdefault
  const st = { lastEpoch: -1, stepCount: 0, base: group.initial_lr, lastLr: group.lr }
  const r: Replayed = {
    get lastEpoch() { return st.lastEpoch },
    set lastEpoch(v: number) { st.lastEpoch = v },
    get lastLr() { return st.lastLr },
    set lastLr(v: number) { st.lastLr = v },
    step: (epoch) => {
      st.stepCount += 1
      let v: number
      if (epoch === undefined) {
        st.lastEpoch += 1
        v = getLr(st)
      } else {
        st.lastEpoch = epoch
        v = closed !== undefined ? closed(st) : getLr(st)
      }
      group.lr = v
      st.lastLr = v
    },
    initialStep: () => { st.stepCount = 0; r.step() },
  }
  r.initialStep()
  afterInit?.(st)
  return r
}

/** Construct one scheduler on `group` (its constructor's side effects included). */
export const construct = (spec: KindAttrs, group: Group): Replayed => {
  switch (spec.kind) {
    // #region step
    case 'step': {
      const { step_size, gamma } = spec
      return replay(group,
        (s) => (s.lastEpoch === 0 || s.lastEpoch % step_size !== 0 ? group.lr : group.lr * gamma), // (1)
        (s) => s.base * gamma ** Math.floor(s.lastEpoch / step_size))
    }
    // #endregion step
    case 'multistep': {
      const { milestones, gamma } = spec
      return replay(group,
        (s) => (milestones.includes(s.lastEpoch) ? group.lr * gamma ** 1 : group.lr), // (2), strictly increasing: c = 1
        (s) => s.base * gamma ** bisectRight(milestones, s.lastEpoch))
    }
    case 'exponential': {
      const { gamma } = spec
      return replay(group, (s) => (s.lastEpoch === 0 ? group.lr : group.lr * gamma), (s) => s.base * gamma ** s.lastEpoch) // (3)
    }
    // #region linear
    case 'linear': {
      const { start_factor: sf, end_factor: ef, total_iters: T } = spec
      return replay(group,
        (s) => {
          if (s.lastEpoch === 0) return group.lr * sf // (4)
          if (s.lastEpoch > T) return group.lr
          return group.lr * (1 + (ef - sf) / (T * sf + (s.lastEpoch - 1) * (ef - sf)))
        },
        (s) => s.base * (sf + (ef - sf) * Math.min(T, s.lastEpoch) / T))
    }
    // #endregion linear
    // #region cosine
    case 'cosine': {
      const { T_max: T, eta_min: m } = spec
      return replay(group,
        (s) => {
          const n = s.lastEpoch
          if (n === 0) return group.lr
          if (s.stepCount === 1 && n > 0) return m + (s.base - m) * (1 + Math.cos(n * Math.PI / T)) / 2
          if (pyMod(n - 1 - T, 2 * T) === 0) return group.lr + (s.base - m) * (1 - Math.cos(Math.PI / T)) / 2 // (5)
          return (1 + Math.cos(Math.PI * n / T)) / (1 + Math.cos(Math.PI * (n - 1) / T)) * (group.lr - m) + m // (5)
        },
        (s) => m + (s.base - m) * (1 + Math.cos(Math.PI * s.lastEpoch / T)) / 2)
    }
    // #endregion cosine
    // #region warm-restarts
    case 'cosine_warm_restarts': {
      const { T_0, T_mult, eta_min: m } = spec
      if (group.initial_lr === undefined) group.initial_lr = group.lr
      const base = group.initial_lr
      let Ti = T_0, Tcur = -1, lastEpoch = -1
      const getLr = () => m + (base - m) * (1 + Math.cos(Math.PI * Tcur / Ti)) / 2 // (6)
      const r: Replayed = {
        get lastEpoch() { return lastEpoch },
        set lastEpoch(v: number) { lastEpoch = v },
        lastLr: group.lr,
        step: (given) => {
          let epoch = given
          if (epoch === undefined && lastEpoch < 0) epoch = 0
          if (epoch === undefined) {
            epoch = lastEpoch + 1
            Tcur = Tcur + 1
            if (Tcur >= Ti) { Tcur = Tcur - Ti; Ti = Ti * T_mult } // (6)
          } else if (epoch >= T_0) {
            if (T_mult === 1) {
              Tcur = epoch % T_0
            } else {
              const k = Math.trunc(Math.log(epoch / T_0 * (T_mult - 1) + 1) / Math.log(T_mult))
              Tcur = epoch - T_0 * (T_mult ** k - 1) / (T_mult - 1)
              Ti = T_0 * T_mult ** k
            }
          } else {
            Ti = T_0
            Tcur = epoch
          }
          lastEpoch = Math.floor(epoch)
          group.lr = getLr()
          r.lastLr = group.lr
        },
        initialStep: () => r.step(),
      }
      r.initialStep()
      return r
    }
    // #endregion warm-restarts
    // #region cyclic
    case 'cyclic': {
      const { base_lr, max_lr, step_size_up, mode, gamma } = spec
      const up = step_size_up, down = spec.step_size_down ?? step_size_up
      const total = up + down, ratio = up / total
      const scale = mode === 'triangular' ? () => 1 : mode === 'triangular2' ? (x: number) => 1 / (2 ** (x - 1)) : (x: number) => gamma ** x
      group.lr = base_lr // CyclicLR's constructor overwrites the group's rate: `lr` is ignored
      let base: number | undefined // self.base_lrs: initial_lr during the constructor's own step, base_lr after
      const r = replay(group,
        (s) => {
          const cycle = Math.floor(1 + s.lastEpoch / total) // (7)
          const x = 1 + s.lastEpoch / total - cycle
          const sf = x <= ratio ? x / ratio : (x - 1) / (ratio - 1)
          const b = base ?? s.base
          const height = (max_lr - b) * sf
          return mode === 'exp_range' ? b + height * scale(s.lastEpoch) : b + height * scale(cycle)
        },
        undefined,
        () => { base = base_lr })
      return r
    }
    // #endregion cyclic
    // #region one-cycle
    case 'one_cycle': {
      const { max_lr, total_steps: N, pct_start: p, anneal_strategy, div_factor, final_div_factor, three_phase } = spec
      group.initial_lr = max_lr / div_factor
      group.max_lr = max_lr
      group.min_lr = group.initial_lr / final_div_factor
      type Field = 'initial_lr' | 'max_lr' | 'min_lr'
      const phases: readonly { end: number; start: Field; stop: Field }[] = three_phase
        ? [{ end: p * N - 1, start: 'initial_lr', stop: 'max_lr' }, { end: 2 * p * N - 2, start: 'max_lr', stop: 'initial_lr' }, { end: N - 1, start: 'initial_lr', stop: 'min_lr' }]
        : [{ end: p * N - 1, start: 'initial_lr', stop: 'max_lr' }, { end: N - 1, start: 'max_lr', stop: 'min_lr' }]
      const anneal = anneal_strategy === 'cos'
        ? (a: number, b: number, pct: number) => b + (a - b) / 2 * (Math.cos(Math.PI * pct) + 1)
        : (a: number, b: number, pct: number) => (b - a) * pct + a
      return replay(group, (s) => {
        const n = s.lastEpoch
        let start = 0
        for (let i = 0; i < phases.length; i++) {
          const ph = phases[i]
          if (n <= ph.end || i === phases.length - 1) {
            return anneal(group[ph.start]!, group[ph.stop]!, (n - start) / (ph.end - start)) // (8)
          }
          start = ph.end
        }
        return Number.NaN // unreachable: the last phase always answers
      })
    }
    // #endregion one-cycle
  }
}

// #region sequential
/**
 * SequentialLR: every scheduler is constructed on the same group first (each
 * constructor takes its initial step and writes the group's lr), then
 * SequentialLR resets the lr to `initial_lr`, steps every scheduler's epoch
 * back by one, re-runs the first one's initial step, and on step i hands the
 * call to scheduler `bisect_right(milestones, i)`, with `step(0)` (the closed
 * form at epoch 0) on the step that reaches its milestone. The closed form at
 * 0 is the scheduler's base rate, so after a warm-up the next schedule starts
 * from the base, not from where the warm-up ended.
 */
export const trajectorySequential = (parts: readonly KindAttrs[], milestones: readonly number[], baseLr: number, n: number): Float64Array => {
  const group: Group = { lr: baseLr }
  const scheds = parts.map((p) => construct(p, group))
  group.lr = group.initial_lr!
  for (const s of scheds) s.lastEpoch -= 1
  scheds[0].initialStep()
  const out = new Float64Array(n + 1)
  out[0] = scheds[0].lastLr
  for (let i = 1; i <= n; i++) {
    const idx = bisectRight(milestones, i)
    const s = scheds[idx]
    if (idx > 0 && milestones[idx - 1] === i) s.step(0)
    else s.step()
    out[i] = s.lastLr
  }
  return out
}
// #endregion sequential

/** `get_last_lr()` after 0, 1, ..., n calls of one scheduler on a group starting at `baseLr`. */
export const trajectory = (spec: KindAttrs, baseLr: number, n: number): Float64Array => {
  const group: Group = { lr: baseLr }
  const s = construct(spec, group)
  const out = new Float64Array(n + 1)
  out[0] = s.lastLr
  for (let i = 1; i <= n; i++) {
    s.step()
    out[i] = s.lastLr
  }
  return out
}
