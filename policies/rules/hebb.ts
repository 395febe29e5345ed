/**
 * Hebbian plasticity with decay: the plastic trace H follows a running average of the
 * product of post- and presynaptic activity.
 *
 *   H_ij <- (1 - eta) H_ij + eta * post_j * pre_i
 *         = H_ij + eta * delta_ij,      delta_ij = post_j pre_i - H_ij
 *
 * With constant statistics H converges to E[post_j pre_i], the input correlation, with a
 * memory of about 1/eta steps. Genome: eta = sigmoid(eta_raw).
 */

import { logit, sigmoid } from '../reparam.ts';
import { noStateBackAdvance, type PlasticityRule, type RuleCoefficients, type RuleState } from './rule.ts';

export interface HebbParams {
  /** Learning rate and decay, in (0, 1). */
  readonly eta: number;
}

export const defaultHebbParams: HebbParams = { eta: 0.05 };

/** Hebb keeps no state of its own. */
export type HebbState = Record<string, never>;

export function hebbFromGenome(etaRaw: number): HebbParams {
  return { eta: sigmoid(etaRaw) };
}

export function hebbToGenome(p: HebbParams): number {
  return logit(p.eta);
}

/**
 * Pure reference step over a whole pre-major matrix H (nPre x nPost): returns the new H and
 * the eligibility increment delta (before the learning rate).
 */
export function hebbStep(
  p: HebbParams,
  pre: ArrayLike<number>,
  post: ArrayLike<number>,
  H: ArrayLike<number>,
): { H: Float32Array; delta: Float32Array } {
  const nPre = pre.length;
  const nPost = post.length;
  const delta = new Float32Array(nPre * nPost);
  const next = new Float32Array(nPre * nPost);
  for (let i = 0; i < nPre; i++) {
    for (let j = 0; j < nPost; j++) {
      const idx = i * nPost + j;
      delta[idx] = post[j] * pre[i] - H[idx];
      next[idx] = H[idx] + p.eta * delta[idx];
    }
  }
  return { H: next, delta };
}

export const hebb: PlasticityRule = {
  name: 'hebb',
  hasTheta: false,
  coefficients: [],
  // delta = pre ⊗ post - H
  tensorDelta: (preCol, postRow, H) => preCol.mul(postRow).sub(H),
  factors(_c: RuleCoefficients, _s: RuleState, post: Float32Array, d: Float32Array, k: Float32Array): void {
    for (let j = 0; j < post.length; j++) {
      d[j] = -1;
      k[j] = post[j];
    }
  },
  advance(): void {},
  // d_j = -1, k_j = post_j.
  backFactors(_t: Float32Array, _post: Float32Array, _gd: Float64Array, gk: Float64Array, gPost: Float64Array): void {
    for (let j = 0; j < gPost.length; j++) gPost[j] += gk[j];
  },
  backAdvance: noStateBackAdvance,
};
