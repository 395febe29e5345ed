/**
 * Hebbian plasticity with decay: the plastic trace H follows a running average of the
 * product of post- and presynaptic activity.
 *
 *   H_ij <- (1 - eta) H_ij + eta * post_j * pre_i
 *         = H_ij + eta * delta_ij,      delta_ij = post_j pre_i - H_ij
 *
 * With constant statistics H converges to E[post_j pre_i], the input correlation, with a
 * memory of about 1/eta steps. Genome: eta = sigmoid(eta_raw). The reference step over whole
 * matrices, which the tests hold this factorized form to, is in test/helpers/rule-reference.ts.
 */

import { noStateBackAdvance, type PlasticityRule, type RuleCoefficients, type RuleState } from './rule.ts';

export const hebb: PlasticityRule = {
  name: 'hebb',
  hasTheta: false,
  coefficients: [],
  table: null,
  differentiable: true,
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
