/**
 * The BCM rule (Bienenstock, Cooper, Munro): a synapse strengthens when the postsynaptic
 * activity is above a sliding threshold and weakens below it; the threshold follows the
 * running mean of the squared activity, so a neuron that fires a lot raises its own bar.
 *
 *   H_ij    <- H_ij + eta * delta_ij,   delta_ij = pre_i post_j (post_j - theta_j)
 *   theta_j <- theta_j + (post_j^2 - theta_j) / tau_theta
 *
 * delta uses the threshold from before this step's update. theta starts at zero every
 * episode. Genome: eta = sigmoid(eta_raw), tau_theta = 1 + exp(tau_raw).
 */

import { tauFromRaw, tauRaw } from '../reparam.ts';
import type { PlasticityRule, RuleCoefficients, RuleState } from './rule.ts';

export interface BcmParams {
  /** Learning rate, in (0, 1). */
  readonly eta: number;
  /** Time constant of the sliding threshold, in steps (>= 1). */
  readonly tauTheta: number;
}

export const defaultBcmParams: BcmParams = { eta: 0.05, tauTheta: 50 };

export const bcm: PlasticityRule = {
  name: 'bcm',
  hasTheta: true,
  table: null,
  differentiable: true,
  coefficients: [{
    slice: 'tau_raw',
    field: 'tauTheta',
    initialRaw: tauRaw(defaultBcmParams.tauTheta),
    fromRaw: tauFromRaw,
    // tau = 1 + e^raw, so dtau/draw = tau - 1.
    dFromRaw: (tau) => tau - 1,
    fromRawTensor: (raw) => raw.exp().add(1),
  }],
  // delta = pre ⊗ (post ⊙ (post - theta))
  tensorDelta: (preCol, postRow, _H, thetaRow) => preCol.mul(postRow.mul(postRow.sub(thetaRow!))),
  factors(_c: RuleCoefficients, s: RuleState, post: Float32Array, d: Float32Array, k: Float32Array): void {
    const theta = s.theta;
    for (let j = 0; j < post.length; j++) {
      const y = post[j];
      d[j] = 0;
      k[j] = y * (y - theta[j]);
    }
  },
  advance(c: RuleCoefficients, s: RuleState, post: Float32Array): void {
    const theta = s.theta;
    const inv = 1 / c.tauTheta;
    for (let j = 0; j < post.length; j++) {
      const y = post[j];
      theta[j] += (y * y - theta[j]) * inv;
    }
  },
  // d_j = 0, k_j = post_j^2 - post_j theta_j.
  backFactors(thetaPrev: Float32Array, post: Float32Array, _gd: Float64Array, gk: Float64Array, gPost: Float64Array, gTheta: Float64Array): void {
    for (let j = 0; j < gPost.length; j++) {
      gPost[j] += gk[j] * (2 * post[j] - thetaPrev[j]);
      gTheta[j] -= gk[j] * post[j];
    }
  },
  // theta_t = theta_{t-1} (1 - 1/tau) + post^2 / tau.
  backAdvance(c: RuleCoefficients, thetaPrev: Float32Array, post: Float32Array, gTheta: Float64Array, gPost: Float64Array): number {
    const inv = 1 / c.tauTheta;
    let gTau = 0;
    for (let j = 0; j < gTheta.length; j++) {
      const g = gTheta[j];
      const y = post[j];
      gTau -= g * (y * y - thetaPrev[j]) * inv * inv;
      gPost[j] += 2 * g * y * inv;
      gTheta[j] = g * (1 - inv);
    }
    return gTau;
  },
};
