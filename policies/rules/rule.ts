/**
 * The shape every plasticity rule shares. A rule gives, for each synapse (pre i, post j),
 * an eligibility increment delta_ij = delta_rule(pre_i, post_j, H_ij); the caller decides
 * how much of it reaches H (a learning rate, the modulator M_t, or an eligibility trace).
 *
 * All three rules factorize per postsynaptic neuron:
 *
 *   delta_ij = d_j * H_ij + k_j * pre_i
 *
 * (Hebb: d_j = -1, k_j = post_j; Oja: d_j = -post_j^2, k_j = post_j;
 *  BCM: d_j = 0, k_j = post_j (post_j - theta_j)), so the network computes d and k once per
 * neuron and then spends one multiply-add per synapse.
 *
 * A rule is one file that owns everything about it: its genome coefficients (slice, initial
 * value, reparametrization: `coefficients`), its hot-path factors and state, their
 * differentiable forms for the gradient route, and its tensor form for TensorFlow.js
 * (`tensorDelta`). The layout, the initializer, the network and the references read them from
 * the rule; adding a rule is writing its file and listing it in index.ts. The pure reference
 * steps over whole matrices that the tests hold the rules to are in test/helpers/rule-reference.ts.
 *
 * Matrices are stored pre-major, index i * nPost + j, so that the synapses leaving one
 * presynaptic neuron are contiguous (event-driven propagation walks them).
 *
 * Rules with coefficient tables (ABCD, abcd.ts) keep a set of coefficients per plastic matrix
 * instead of a few scalars, shared per synapse, per postsynaptic neuron or per matrix as
 * `policy.ruleSharing` says (`table`). Shared per neuron or per matrix they still factorize,
 * with a per-neuron constant term c_j added (`table.factors`):
 *
 *   delta_ij = d_j * H_ij + k_j * pre_i + c_j
 *
 * per synapse they do not, and the network runs the table's own synapse kernel. Such rules
 * have no differentiable form (`differentiable` false): the gradient route refuses them.
 */

import type { Tensor } from '@tensorflow/tfjs';

export const RULE_NAMES = ['none', 'hebb', 'oja', 'bcm', 'abcd'] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/**
 * How a rule with coefficient tables shares them within one plastic matrix: one set per
 * synapse (Najarro & Risi 2020), per postsynaptic neuron, or one per matrix (Pedersen & Risi 2021).
 */
export const RULE_SHARINGS = ['synapse', 'post', 'layer'] as const;
export type RuleSharing = (typeof RULE_SHARINGS)[number];

/** Coefficient sets in one plastic matrix of nPre x nPost synapses under a sharing. */
export function sharedUnits(sharing: RuleSharing, nPre: number, nPost: number): number {
  return sharing === 'synapse' ? nPre * nPost : sharing === 'post' ? nPost : 1;
}

/**
 * A rule's per-matrix coefficient table: `rows` rows of `units` numbers each (units from
 * `sharedUnits`), stored row after row in the genome slices `hidden{l}.rule.<slice>_in` and
 * `_rec`, shape [rows, units] (a synapse's entry in a row is at i * nPost + j, pre-major).
 */
export interface RuleTable {
  /** The slices' name stem, e.g. `abcd` for `hidden0.rule.abcd_in`. */
  readonly slice: string;
  /** Names of the rows in genome order, e.g. A, B, C, D. */
  readonly rows: readonly string[];
  /** Standard deviation of the zero-mean normal the initializer draws every entry from. */
  readonly initStd: number;
  /**
   * For sharing per neuron (units = nPost) or per matrix (units = 1): writes d_j, k_j and the
   * constant term c_j (see above) for the current postsynaptic activity.
   */
  factors(table: Float32Array, units: number, post: Float32Array, d: Float32Array, k: Float32Array, c: Float32Array): void;
  /**
   * The increment over a whole matrix as tensors (the TensorFlow.js reference): `preCol`
   * [nPre, 1], `postRow` [1, nPost], `rows` the table's rows shaped [nPre, nPost] (per
   * synapse), [1, nPost] (per neuron) or [1, 1] (per matrix), broadcast over the matrix.
   */
  tensorDelta(preCol: Tensor, postRow: Tensor, rows: readonly Tensor[]): Tensor;
}

/** The rule's own per-episode state (BCM's sliding threshold; empty for Hebb and Oja). */
export interface RuleState {
  /** Sliding thresholds theta_j (BCM); length 0 for rules without one. */
  readonly theta: Float32Array;
}

/** Learned coefficients a rule reads, already mapped from the genome to valid values. */
export interface RuleCoefficients {
  /** Learning rate eta in (0, 1) (used only without neuromodulation). */
  eta: number;
  /** BCM threshold time constant tau_theta >= 1 (ignored by Hebb and Oja). */
  tauTheta: number;
}

/**
 * A coefficient a rule keeps in the genome as one number, `hidden{l}.rule.<slice>`, beyond the
 * learning rate every rule has without neuromodulation. The layout, the initializer, the
 * network, the gradient route and the TensorFlow.js forms all read it from here.
 */
export interface RuleCoefficient {
  /** The genome slice's last name part. */
  readonly slice: string;
  /** The field of RuleCoefficients it sets. */
  readonly field: Exclude<keyof RuleCoefficients, 'eta'>;
  /** Its genome value at initialization. */
  readonly initialRaw: number;
  /** The reparametrization: any genome value -> a valid coefficient. */
  fromRaw(raw: number): number;
  /** d coefficient / d genome value, given the coefficient (the gradient route's chain rule). */
  dFromRaw(value: number): number;
  /** `fromRaw` over a tensor (the TensorFlow.js forms). */
  fromRawTensor(raw: Tensor): Tensor;
}

export interface PlasticityRule {
  readonly name: Exclude<RuleName, 'none'>;
  /** Whether the rule keeps a sliding threshold per postsynaptic neuron. */
  readonly hasTheta: boolean;
  /** Its own genome coefficients, in genome order. */
  readonly coefficients: readonly RuleCoefficient[];
  /** Its per-matrix coefficient table (ABCD), or null when its coefficients are the scalars above. */
  readonly table: RuleTable | null;
  /**
   * Whether the differentiable members below (`tensorDelta`, `backFactors`, `backAdvance`)
   * exist; the gradient route refuses a rule without them.
   */
  readonly differentiable: boolean;
  /**
   * The eligibility increment over whole matrices as tensors (the TensorFlow.js reference and
   * autodiff forms), broadcasting over any leading batch axis: `preCol` [..., nPre, 1],
   * `postRow` [..., 1, nPost], `H` [..., nPre, nPost], `thetaRow` like `postRow` (null without one).
   */
  tensorDelta(preCol: Tensor, postRow: Tensor, H: Tensor, thetaRow: Tensor | null): Tensor;
  /** Writes d_j and k_j (see above) for the current postsynaptic activity. */
  factors(c: RuleCoefficients, state: RuleState, post: Float32Array, d: Float32Array, k: Float32Array): void;
  /** Advances the rule's own state after the synapses were updated (BCM's theta). */
  advance(c: RuleCoefficients, state: RuleState, post: Float32Array): void;
  /**
   * The differentiable form of `factors` (backpropagation through time): given dL/dd_j and
   * dL/dk_j, adds dL/dpost_j to `gPost` and dL/dtheta_j (the thresholds `factors` read) to
   * `gTheta`.
   */
  backFactors(thetaPrev: Float32Array, post: Float32Array, gd: Float64Array, gk: Float64Array, gPost: Float64Array, gTheta: Float64Array): void;
  /**
   * The differentiable form of `advance`: given dL/dtheta_t in `gTheta`, turns it into
   * dL/dtheta_{t-1} in place, adds dL/dpost_j to `gPost`, and returns dL/dtau_theta (the
   * gradient of the rule's coefficient).
   */
  backAdvance(c: RuleCoefficients, thetaPrev: Float32Array, post: Float32Array, gTheta: Float64Array, gPost: Float64Array): number;
}

/** backAdvance of a rule without state of its own. */
export function noStateBackAdvance(): number {
  return 0;
}

export function createRuleState(rule: PlasticityRule, nPost: number): RuleState {
  return { theta: new Float32Array(rule.hasTheta ? nPost : 0) };
}
