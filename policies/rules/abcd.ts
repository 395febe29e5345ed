/**
 * The ABCD rule: a generalized Hebbian rule whose increment is a linear combination of the
 * correlation, the presynaptic activity, the postsynaptic activity and a constant,
 *
 *   delta_ij = A pre_i post_j + B pre_i + C post_j + D
 *
 * (Najarro & Risi 2020, "Meta-learning through Hebbian plasticity in random networks", after
 * Soltoggio et al. 2007). The coefficients are shared as `policy.ruleSharing` says: one set
 * per synapse (Najarro & Risi), one per postsynaptic neuron, or one per plastic matrix
 * (Pedersen & Risi 2021, "Evolving and merging Hebbian learning rules", share rules across
 * synapses). W_in and W_rec of a layer have a table each: genome slices
 * `hidden{l}.rule.abcd_in` [4, units] and `hidden{l}.rule.abcd_rec` [4, units], rows A, B, C, D.
 *
 * The increment reaches H as with every rule: H <- clip(H + m_j delta) with m_j the learning
 * rate eta = sigmoid(eta_raw) (no modulation) or the modulator (simple), or through the
 * eligibility trace (retroactive). Najarro & Risi evolve a learning rate per synapse as a
 * fifth coefficient; it only scales A-D, so here the scale is the one every rule has.
 * delta does not depend on H (H is held only by the clip).
 *
 * Shared per neuron or per matrix, delta factorizes as d_j = 0, k_j = A_j post_j + B_j,
 * c_j = C_j post_j + D_j (rule.ts); per synapse the network runs `abcdFused`
 * (synapse-kernels.ts) over the coefficient matrices.
 *
 * Initial coefficients: every entry ~ N(0, 0.1^2). Najarro & Risi draw N(0, 1) for a tanh
 * network whose weights are the plastic values themselves; here H is clipped to [-c, c] and
 * scaled by alpha, and the modulator starts at |M| ~ 0.1, so a spread of 0.1 lets H drift
 * across its range within a few hundred SNN steps of an episode instead of pinning it at the
 * clip in the first ten (and plasticity is not silent at the start, as zeros would make it).
 *
 * No differentiable form: the gradient route (`propamine learn`) refuses `abcd`.
 */

import { noStateBackAdvance, type PlasticityRule, type RuleTable } from './rule.ts';

/** Standard deviation of the initial A, B, C, D entries. */
export const ABCD_INIT_STD = 0.1;

const abcdTable: RuleTable = {
  slice: 'abcd',
  rows: ['A', 'B', 'C', 'D'],
  initStd: ABCD_INIT_STD,
  // delta = A ⊙ (pre ⊗ post) + B ⊙ (pre ⊗ 1) + C ⊙ (1 ⊗ post) + D
  tensorDelta: (preCol, postRow, [A, B, C, D]) => preCol.mul(postRow).mul(A!).add(preCol.mul(B!)).add(postRow.mul(C!)).add(D!),
  // units = nPost: entry j of each row; units = 1: entry 0 for every j.
  factors(t: Float32Array, units: number, post: Float32Array, d: Float32Array, k: Float32Array, c: Float32Array): void {
    const perPost = units === post.length ? 1 : 0;
    for (let j = 0; j < post.length; j++) {
      const u = j * perPost;
      const y = post[j];
      d[j] = 0;
      k[j] = t[u] * y + t[units + u];
      c[j] = t[2 * units + u] * y + t[3 * units + u];
    }
  },
};

function noDifferentiableForm(): never {
  throw new Error('the abcd rule has no differentiable form (policy.rule "abcd" is for evolution strategies only)');
}

export const abcd: PlasticityRule = {
  name: 'abcd',
  hasTheta: false,
  coefficients: [],
  table: abcdTable,
  differentiable: false,
  tensorDelta: noDifferentiableForm,
  // The network takes ABCD's factors from its table (they differ between W_in and W_rec).
  factors(): void {
    throw new Error('the abcd rule takes its factors from its coefficient table (rule.table.factors)');
  },
  advance(): void {},
  backFactors: noDifferentiableForm,
  backAdvance: noStateBackAdvance,
};
