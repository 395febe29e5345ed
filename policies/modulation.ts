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
 * c_t = [r_{t-1}] (reward: the last control step's reward, 0 at the reset) followed by
 * a_{t-1} (action: the last action, zeros at the reset). v_M starts at 0, so at
 * initialization M_t is what it would be without them.
 */
export const MOD_INPUT_NAMES = ['reward', 'action'] as const;
export type ModInputName = (typeof MOD_INPUT_NAMES)[number];

/** Length of the modulator's context c_t; the reward (if any) comes first, then the action. */
export function modContextSize(inputs: readonly ModInputName[], actSize: number): number {
  return (inputs.includes('reward') ? 1 : 0) + (inputs.includes('action') ? actSize : 0);
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
