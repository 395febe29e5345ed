/**
 * Discrete-time leaky integrate-and-fire neurons with reset by subtraction and
 * exponential spike traces (the snnTorch `Leaky` neuron, one time step per call):
 *
 *   v_t    = beta * v_{t-1} + I_t - s_{t-1} * v_th
 *   s_t    = [v_t >= v_th]
 *   xbar_t = lambda * xbar_{t-1} + s_t
 *   r_t    = (1 - lambda) * xbar_t        (the trace scaled to a firing rate in [0, 1])
 *
 * Reset by subtraction keeps the charge above threshold, so a strong input gives a rate
 * that grows smoothly with the current instead of clamping at one spike per reset.
 * `r` is what plasticity, the modulator and a trace readout read: it has the same scale
 * whatever the trace decay, which keeps rule coefficients meaningful when lambda is learned.
 */

/** Neuron coefficients; per neuron so that they can be learned, or filled with one value. */
export interface LifParams {
  /** Membrane leak beta in (0, 1). */
  readonly beta: Float32Array;
  /** Firing threshold v_th > 0. */
  readonly threshold: Float32Array;
  /** Spike-trace decay lambda in (0, 1). */
  readonly traceDecay: Float32Array;
}

/** Documented defaults used when the neuron coefficients are not learned. */
export const defaultLif = {
  /** A 10-step membrane time constant: integrates over a few env steps at 2 substeps. */
  beta: 0.9,
  threshold: 1,
  /** A 5-step trace: smooth enough for plasticity, fast enough to follow a gait cycle. */
  traceDecay: 0.8,
} as const;

export interface LifState {
  /** Membrane potentials v. */
  readonly v: Float32Array;
  /** Spikes s, 0 or 1. */
  readonly s: Float32Array;
  /** Spike traces xbar. */
  readonly xbar: Float32Array;
  /** Rates r = (1 - lambda) xbar. */
  readonly r: Float32Array;
}

export function createLifParams(n: number, beta: number, threshold: number, traceDecay: number): LifParams {
  return {
    beta: new Float32Array(n).fill(beta),
    threshold: new Float32Array(n).fill(threshold),
    traceDecay: new Float32Array(n).fill(traceDecay),
  };
}

/** Zeroed state for n neurons; `alloc` places the arrays (in a kernel memory, for one). */
export function createLifState(n: number, alloc: (length: number) => Float32Array = (length) => new Float32Array(length)): LifState {
  return { v: alloc(n), s: alloc(n), xbar: alloc(n), r: alloc(n) };
}

export function resetLifState(state: LifState): void {
  state.v.fill(0);
  state.s.fill(0);
  state.xbar.fill(0);
  state.r.fill(0);
}

/**
 * Advances every neuron one step under input current `current` (length n). Updates the
 * state in place so the hot path allocates nothing; returns the number of spikes.
 */
export function lifStep(p: LifParams, state: LifState, current: Float32Array): number {
  const { v, s, xbar, r } = state;
  const { beta, threshold, traceDecay } = p;
  const n = v.length;
  let spikes = 0;
  for (let j = 0; j < n; j++) {
    const th = threshold[j];
    // Compare the stored (float32) value so that v and s never disagree.
    const vj = Math.fround(beta[j] * v[j] + current[j] - s[j] * th);
    v[j] = vj;
    const sj = vj >= th ? 1 : 0;
    s[j] = sj;
    spikes += sj;
    const lam = traceDecay[j];
    // Flush a decayed trace to zero: float32 subnormals cost ~100x per operation on x86,
    // and every synapse of a silent neuron would pay it.
    let x = lam * xbar[j] + sj;
    if (x < 1e-20) x = 0;
    xbar[j] = x;
    r[j] = (1 - lam) * x;
  }
  return spikes;
}
