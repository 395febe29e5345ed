/**
 * Neuromodulation: how much of a rule's eligibility increment delta_ij reaches the plastic
 * trace H. The network has a modulatory head per plastic layer,
 *
 *   M_t = tanh(w_M . h_t + b_M)        (h_t: the layer's rates)
 *
 * and, optionally, a gain and offset per postsynaptic neuron, m_j = f_j M_t + g_j.
 *
 * - none:        H <- clip(H + eta * delta)                  (eta from the rule's genome)
 * - simple:      H <- clip(H + m_j * delta)                  (M_t replaces eta)
 * - retroactive: E <- (1 - eta_e) E + eta_e * delta           (eligibility trace)
 *                H <- clip(H + m_j * E)
 *
 * Retroactive modulation lets a modulator that arrives later (a reward-like signal) credit
 * activity that happened earlier, within the eligibility memory 1/eta_e. Any rule combines
 * with any modulation. Genome: eta_e = sigmoid(eligibility_raw); w_M, b_M, f, g are raw.
 *
 * The functions below are the pure references; the network fuses the same arithmetic
 * into its synapse loops (snn-layer.ts).
 */

import { logit, sigmoid } from './reparam.ts';

export const MODULATION_NAMES = ['none', 'simple', 'retroactive'] as const;
export type ModulationName = (typeof MODULATION_NAMES)[number];

/**
 * Signals the modulator may read besides the layer's own activity (Backpropamine feeds the
 * previous reward and action to the network): M_t = tanh(w_M . h_t + b_M + v_M . c_t), with
 * c_t made of, in this order:
 *   reward    r_{t-1}, the last control step's reward (0 at the reset);
 *   action    a_{t-1}, the last action (zeros at the reset);
 *   surprise  the RMS error e_t of a linear predictor of the observation,
 *             o_t ~ P_t [o_{t-1}; a_{t-1}; 1], learned within the episode by normalized least
 *             mean squares from P = 0 at the reset (`ObservationPredictor`): large while the
 *             body's response is new (the episode's start, a damage's onset), small once the
 *             predictor has caught up, so M can gate plasticity by how unexpected the body's
 *             behaviour is (a proprioceptive prediction error; 0 at the reset).
 * v_M starts at 0, so at initialization M_t is what it would be without them.
 */
export const MOD_INPUT_NAMES = ['reward', 'action', 'surprise'] as const;
export type ModInputName = (typeof MOD_INPUT_NAMES)[number];

/** Length of the modulator's context c_t (reward, then action, then surprise). */
export function modContextSize(inputs: readonly ModInputName[], actSize: number): number {
  return (inputs.includes('reward') ? 1 : 0) + (inputs.includes('action') ? actSize : 0) + (inputs.includes('surprise') ? 1 : 0);
}

/** The surprise predictor's NLMS step size: it catches up with a changed body within about 100 control steps. */
export const PREDICTOR_RATE = 0.3;

/**
 * The surprise input's predictor: o_t ~ P [o_{t-1}; a_{t-1}; 1], updated after each error by
 * normalized least mean squares, P <- P + mu e x^T / (x . x + 1). Allocation-free; `reset`
 * starts every episode from P = 0 (the first observation brings no error).
 */
export class ObservationPredictor {
  private readonly nObs: number;
  private readonly nX: number;
  private readonly P: Float64Array;
  private readonly x: Float64Array;
  private readonly pred: Float64Array;
  private primed = false;
  /** The RMS error of the last observation's prediction (0 before the first prediction). */
  surprise = 0;

  constructor(obsSize: number, actSize: number) {
    this.nObs = obsSize;
    this.nX = obsSize + actSize + 1;
    this.P = new Float64Array(this.nObs * this.nX);
    this.x = new Float64Array(this.nX);
    this.pred = new Float64Array(this.nObs);
  }

  reset(): void {
    this.P.fill(0);
    this.pred.fill(0);
    this.primed = false;
    this.surprise = 0;
  }

  /** Scores the prediction of `obs` made at the last `predict` and learns from its error; returns the surprise. */
  observe(obs: ArrayLike<number>): number {
    if (!this.primed) return (this.surprise = 0);
    const { nObs, nX, P, x, pred } = this;
    let xx = 1;
    for (let k = 0; k < nX; k++) xx += x[k] * x[k];
    const step = PREDICTOR_RATE / xx;
    let sq = 0;
    for (let i = 0; i < nObs; i++) {
      const e = obs[i] - pred[i];
      sq += e * e;
      const g = step * e;
      const row = i * nX;
      for (let k = 0; k < nX; k++) P[row + k] += g * x[k];
    }
    return (this.surprise = Math.sqrt(sq / nObs));
  }

  /** Predicts the next observation from this one and the action taken on it. */
  predict(obs: ArrayLike<number>, action: ArrayLike<number>): void {
    const { nObs, nX, P, x, pred } = this;
    for (let i = 0; i < nObs; i++) x[i] = obs[i];
    for (let j = 0; j < nX - nObs - 1; j++) x[nObs + j] = action[j];
    x[nX - 1] = 1;
    for (let i = 0; i < nObs; i++) {
      let acc = 0;
      const row = i * nX;
      for (let k = 0; k < nX; k++) acc += P[row + k] * x[k];
      pred[i] = acc;
    }
    this.primed = true;
  }
}

export interface ModulationParams {
  /** Eligibility-trace rate eta_e in (0, 1) (retroactive only). */
  readonly eligibilityRate: number;
  /** Initial per-neuron gain f_j. */
  readonly gain: number;
  /** Initial per-neuron offset g_j. */
  readonly offset: number;
}

/** Defaults: a 10-step eligibility memory; per-neuron factors start as m_j = M_t. */
export const defaultModulationParams: ModulationParams = { eligibilityRate: 0.1, gain: 1, offset: 0 };

export function eligibilityRateFromGenome(raw: number): number {
  return sigmoid(raw);
}

export function eligibilityRateToGenome(etaE: number): number {
  return logit(etaE);
}

/** M_t = tanh(w . h + b). */
export function modulatorOutput(w: ArrayLike<number>, b: number, h: ArrayLike<number>): number {
  let z = b;
  for (let j = 0; j < h.length; j++) z += w[j] * h[j];
  return Math.tanh(z);
}

/**
 * Per-neuron learning rates m_j into `out`: f_j M + g_j when gains are given, else M.
 */
export function modulatedRates(M: number, f: ArrayLike<number> | null, g: ArrayLike<number> | null, out: Float32Array): void {
  if (f && g) {
    for (let j = 0; j < out.length; j++) out[j] = f[j] * M + g[j];
  } else {
    out.fill(M);
  }
}

/**
 * The differentiable form of `modulatedRates` (backpropagation through time): given dL/dm_j
 * in `gm`, adds dL/df_j and dL/dg_j to `gf` and `gg` (when gains are given) and returns dL/dM.
 */
export function modulatedRatesBackward(
  M: number,
  f: ArrayLike<number> | null,
  gm: Float64Array,
  gf: Float64Array | null,
  gg: Float64Array | null,
): number {
  let gM = 0;
  if (f && gf && gg) {
    for (let j = 0; j < gm.length; j++) {
      gM += f[j] * gm[j];
      gf[j] += gm[j] * M;
      gg[j] += gm[j];
    }
  } else {
    for (let j = 0; j < gm.length; j++) gM += gm[j];
  }
  return gM;
}
