/**
 * Oja's rule: Hebbian growth with a decay proportional to the squared postsynaptic
 * activity, which keeps each neuron's incoming weight vector near unit norm and turns it
 * towards the first principal component of its input.
 *
 *   H_ij <- H_ij + eta * post_j (pre_i - post_j H_ij)
 *         = H_ij + eta * delta_ij,      delta_ij = post_j pre_i - post_j^2 H_ij
 *
 * Genome: eta = sigmoid(eta_raw).
 */

import { noStateBackAdvance, type PlasticityRule, type RuleCoefficients, type RuleState } from './rule.ts';

export const oja: PlasticityRule = {
  name: 'oja',
  hasTheta: false,
  coefficients: [],
  table: null,
  differentiable: true,
  // delta = post ⊙ (pre ⊗ 1 - post ⊙ H)
  tensorDelta: (preCol, postRow, H) => postRow.mul(preCol.sub(postRow.mul(H))),
  factors(_c: RuleCoefficients, _s: RuleState, post: Float32Array, d: Float32Array, k: Float32Array): void {
    for (let j = 0; j < post.length; j++) {
      const y = post[j];
      d[j] = -y * y;
      k[j] = y;
    }
  },
  advance(): void {},
  // d_j = -post_j^2, k_j = post_j.
  backFactors(_t: Float32Array, post: Float32Array, gd: Float64Array, gk: Float64Array, gPost: Float64Array): void {
    for (let j = 0; j < gPost.length; j++) gPost[j] += gk[j] - 2 * post[j] * gd[j];
  },
  backAdvance: noStateBackAdvance,
};
