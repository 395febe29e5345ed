/**
 * The rules' pure reference steps over whole pre-major matrices H (nPre x nPost) and their
 * genome maps: what the tests hold the network's factorized rules (policies/rules/) to. The
 * network never calls them. Each step returns the new H and the eligibility increment delta
 * (before the learning rate eta): H <- H + eta * delta.
 */
import { logit, sigmoid, tauFromRaw, tauRaw } from '../../policies/reparam.ts';
import type { BcmParams } from '../../policies/rules/index.ts';

type Matrix = ArrayLike<number>;

/** H + eta * delta with delta_ij = deltaOf(pre_i, post_j, H_ij, j). */
function referenceStep(eta: number, pre: Matrix, post: Matrix, H: Matrix, deltaOf: (x: number, y: number, h: number, j: number) => number): { H: Float32Array; delta: Float32Array } {
  const nPre = pre.length;
  const nPost = post.length;
  const delta = new Float32Array(nPre * nPost);
  const next = new Float32Array(nPre * nPost);
  for (let i = 0; i < nPre; i++) {
    for (let j = 0; j < nPost; j++) {
      const idx = i * nPost + j;
      delta[idx] = deltaOf(pre[i]!, post[j]!, H[idx]!, j);
      next[idx] = H[idx]! + eta * delta[idx]!;
    }
  }
  return { H: next, delta };
}

/** Hebb with decay: delta = post pre - H. */
export function hebbStep(p: { eta: number }, pre: Matrix, post: Matrix, H: Matrix): { H: Float32Array; delta: Float32Array } {
  return referenceStep(p.eta, pre, post, H, (x, y, h) => y * x - h);
}

/** Oja: delta = post (pre - post H). */
export function ojaStep(p: { eta: number }, pre: Matrix, post: Matrix, H: Matrix): { H: Float32Array; delta: Float32Array } {
  return referenceStep(p.eta, pre, post, H, (x, y, h) => y * (x - y * h));
}

export function ojaFromGenome(etaRaw: number): { eta: number } {
  return { eta: sigmoid(etaRaw) };
}

export interface BcmState {
  /** Sliding thresholds, one per postsynaptic neuron. */
  readonly theta: Float32Array;
}

/** BCM: delta = pre post (post - theta) with the threshold before this step; theta += (post^2 - theta) / tau. */
export function bcmStep(p: BcmParams, state: BcmState, pre: Matrix, post: Matrix, H: Matrix): { H: Float32Array; state: BcmState; delta: Float32Array } {
  const step = referenceStep(p.eta, pre, post, H, (x, y, _h, j) => x * y * (y - state.theta[j]!));
  const theta = new Float32Array(post.length);
  for (let j = 0; j < post.length; j++) theta[j] = state.theta[j]! + (post[j]! * post[j]! - state.theta[j]!) / p.tauTheta;
  return { ...step, state: { theta } };
}

export function bcmFromGenome(etaRaw: number, tauRawValue: number): BcmParams {
  return { eta: sigmoid(etaRaw), tauTheta: tauFromRaw(tauRawValue) };
}

export function bcmToGenome(p: BcmParams): [number, number] {
  return [logit(p.eta), tauRaw(p.tauTheta)];
}

/** The eligibility increment from the per-neuron factors: delta_ij = d_j H_ij + k_j pre_i. */
export function deltaFromFactors(pre: Matrix, H: Matrix, d: Matrix, k: Matrix): Float32Array {
  return referenceStep(0, pre, d, H, (x, _y, h, j) => d[j]! * h + k[j]! * x).delta;
}

/**
 * ABCD over whole matrices: delta_ij = A pre_i post_j + B pre_i + C post_j + D with the
 * coefficients of synapse (i, j) looked up in `table` (rows A, B, C, D of `units` entries)
 * as the sharing says: per synapse entry i * nPost + j, per neuron entry j, per matrix entry 0.
 */
export function abcdDelta(table: Matrix, sharing: 'synapse' | 'post' | 'layer', pre: Matrix, post: Matrix): Float32Array {
  const nPre = pre.length;
  const nPost = post.length;
  const units = sharing === 'synapse' ? nPre * nPost : sharing === 'post' ? nPost : 1;
  const delta = new Float32Array(nPre * nPost);
  for (let i = 0; i < nPre; i++) {
    for (let j = 0; j < nPost; j++) {
      const u = sharing === 'synapse' ? i * nPost + j : sharing === 'post' ? j : 0;
      const [A, B, C, D] = [0, 1, 2, 3].map((row) => table[row * units + u]!);
      delta[i * nPost + j] = A! * pre[i]! * post[j]! + B! * pre[i]! + C! * post[j]! + D!;
    }
  }
  return delta;
}
