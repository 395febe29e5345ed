/**
 * The synapse loops of the SNN hot path, over pre-major matrices (index i * n + j, pre i,
 * post j), written once and shared by the feedforward and recurrent synapses:
 *
 *   propagate:          out_j += sum_i x_i W_ij                       (rows with x_i = 0 skipped)
 *   propagatePlastic:   out_j += sum_i x_i (W_ij + alpha_ij H_ij)
 *   plasticFused:       H_ij <- clip(a_j H_ij + k_j pre_i), then out_j += x_i (W_ij + alpha_ij H_ij)
 *   plasticFusedRetro:  E_ij <- (1 - eta_e) E_ij + eta_e (d_j H_ij + k_j pre_i)
 *                       H_ij <- clip(H_ij + m_j E_ij),  then out_j += x_i (W_ij + alpha_ij H_ij)
 *   affineFused:        the same two updates (E null: the first) with a constant term,
 *                       delta_ij = d_j H_ij + k_j pre_i + c_j           (ABCD shared per neuron or matrix)
 *   abcdFused:          the same with delta_ij = A_ij pre_i post_j + B_ij pre_i + C_ij post_j + D_ij
 *                       from coefficient matrices                         (ABCD per synapse)
 *
 * With binary spikes as x, skipping rows where x_i = 0 is event-driven propagation. The
 * fused kernels read and write each synapse once per step; pass x = null for an update
 * without propagation. The clip is branchless, clip(u) = 0.5 (|u + c| - |u - c|), because
 * H often sits at +-c where a compare-and-branch mispredicts; it also rounds values far
 * below c to exactly zero, so H never becomes subnormal. Nothing here allocates.
 *
 * Each synapse is computed in float64 (a float32 read is promoted) and rounded to float32
 * once, at the store: a policy's `synapseArithmetic: 'f64'`. synapse-kernels-f32.ts has the
 * same kernels in float32 arithmetic ('f32').
 *
 * These are the reference: wasm/wasm-kernels.ts runs the same kernels as WebAssembly SIMD,
 * bit for bit, over arrays in its own memory. A layer takes either through `SynapseKernels`.
 */

import { jsKernelsF32 } from './synapse-kernels-f32.ts';

/**
 * The synapse kernels' arithmetic: 'f64' rounds each synapse's result to float32 once, 'f32'
 * rounds every operation (twice the WebAssembly SIMD width; other bits).
 */
export const SYNAPSE_ARITHMETICS = ['f64', 'f32'] as const;
export type SynapseArithmetic = (typeof SYNAPSE_ARITHMETICS)[number];

/**
 * Eligibility below this is flushed to zero: a trace that decays without new activity
 * would otherwise become a float32 subnormal, and subnormal loads and stores cost
 * ~100 times a normal one on x86. (H needs no flush: the clip rounds |u| << c to 0.)
 */
const TINY = 1e-30;

export function propagate(W: Float32Array, x: Float32Array, out: Float32Array, nPre: number, n: number): void {
  for (let i = 0; i < nPre; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const row = i * n;
    for (let j = 0; j < n; j++) out[j] += xi * W[row + j];
  }
}

export function propagatePlastic(
  W: Float32Array,
  A: Float32Array,
  H: Float32Array,
  x: Float32Array,
  out: Float32Array,
  nPre: number,
  n: number,
): void {
  for (let i = 0; i < nPre; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const q = row + j;
      out[j] += xi * (W[q] + A[q] * H[q]);
    }
  }
}

export function plasticFused(
  H: Float32Array,
  W: Float32Array,
  A: Float32Array,
  pre: Float32Array,
  x: Float32Array | null,
  out: Float32Array,
  nPre: number,
  n: number,
  a: Float32Array,
  k: Float32Array,
  c: number,
): void {
  for (let i = 0; i < nPre; i++) {
    const p = pre[i];
    const xi = x === null ? 0 : x[i];
    const row = i * n;
    if (xi !== 0) {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const u = a[j] * H[q] + k[j] * p;
        const h = 0.5 * (Math.abs(u + c) - Math.abs(u - c));
        H[q] = h;
        out[j] += xi * (W[q] + A[q] * h);
      }
    } else {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const u = a[j] * H[q] + k[j] * p;
        H[q] = 0.5 * (Math.abs(u + c) - Math.abs(u - c));
      }
    }
  }
}

export function plasticFusedRetro(
  H: Float32Array,
  E: Float32Array,
  W: Float32Array,
  A: Float32Array,
  pre: Float32Array,
  x: Float32Array | null,
  out: Float32Array,
  nPre: number,
  n: number,
  d: Float32Array,
  k: Float32Array,
  m: Float32Array,
  etaE: number,
  c: number,
): void {
  const keep = 1 - etaE;
  for (let i = 0; i < nPre; i++) {
    const p = pre[i];
    const xi = x === null ? 0 : x[i];
    const row = i * n;
    if (xi !== 0) {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const hq = H[q];
        let e = keep * E[q] + etaE * (d[j] * hq + k[j] * p);
        if (Math.abs(e) < TINY) e = 0;
        E[q] = e;
        const u = hq + m[j] * e;
        const h = 0.5 * (Math.abs(u + c) - Math.abs(u - c));
        H[q] = h;
        out[j] += xi * (W[q] + A[q] * h);
      }
    } else {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const hq = H[q];
        let e = keep * E[q] + etaE * (d[j] * hq + k[j] * p);
        if (Math.abs(e) < TINY) e = 0;
        E[q] = e;
        const u = hq + m[j] * e;
        H[q] = 0.5 * (Math.abs(u + c) - Math.abs(u - c));
      }
    }
  }
}

/** out_j += x (W_ij + alpha_ij H_ij) over row i (offset `row`). */
function propagateRow(W: Float32Array, A: Float32Array, H: Float32Array, row: number, n: number, xi: number, out: Float32Array): void {
  for (let j = 0; j < n; j++) {
    const q = row + j;
    out[j] += xi * (W[q] + A[q] * H[q]);
  }
}

/**
 * H <- clip(a_j H + k_j pre_i + c_j) (E null: a, k, c already carry the learning rate m_j), or
 * E <- (1 - eta_e) E + eta_e (d_j H + k_j pre_i + c_j), H <- clip(H + m_j E) (`a` holds d_j);
 * then the row's propagation when x_i != 0.
 */
export function affineFused(
  H: Float32Array,
  E: Float32Array | null,
  W: Float32Array,
  A: Float32Array,
  pre: Float32Array,
  x: Float32Array | null,
  out: Float32Array,
  nPre: number,
  n: number,
  a: Float32Array,
  k: Float32Array,
  cst: Float32Array,
  m: Float32Array,
  etaE: number,
  c: number,
): void {
  const keep = 1 - etaE;
  for (let i = 0; i < nPre; i++) {
    const p = pre[i];
    const row = i * n;
    if (E === null) {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const u = a[j] * H[q] + k[j] * p + cst[j];
        H[q] = 0.5 * (Math.abs(u + c) - Math.abs(u - c));
      }
    } else {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const hq = H[q];
        let e = keep * E[q] + etaE * (a[j] * hq + k[j] * p + cst[j]);
        if (Math.abs(e) < TINY) e = 0;
        E[q] = e;
        const u = hq + m[j] * e;
        H[q] = 0.5 * (Math.abs(u + c) - Math.abs(u - c));
      }
    }
    const xi = x === null ? 0 : x[i];
    if (xi !== 0) propagateRow(W, A, H, row, n, xi, out);
  }
}

/**
 * ABCD per synapse: with `T` the coefficient rows [A; B; C; D] of nPre x n entries each,
 * delta_ij = (A_ij pre_i + C_ij) post_j + B_ij pre_i + D_ij, then H <- clip(H + m_j delta)
 * (E null) or E <- (1 - eta_e) E + eta_e delta, H <- clip(H + m_j E); then the row's
 * propagation when x_i != 0.
 */
export function abcdFused(
  H: Float32Array,
  E: Float32Array | null,
  W: Float32Array,
  A: Float32Array,
  T: Float32Array,
  pre: Float32Array,
  post: Float32Array,
  x: Float32Array | null,
  out: Float32Array,
  nPre: number,
  n: number,
  m: Float32Array,
  etaE: number,
  c: number,
): void {
  const keep = 1 - etaE;
  const N = nPre * n;
  const N2 = 2 * N;
  const N3 = 3 * N;
  for (let i = 0; i < nPre; i++) {
    const p = pre[i];
    const row = i * n;
    if (E === null) {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const delta = (T[q] * p + T[N2 + q]) * post[j] + T[N + q] * p + T[N3 + q];
        const u = H[q] + m[j] * delta;
        H[q] = 0.5 * (Math.abs(u + c) - Math.abs(u - c));
      }
    } else {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const delta = (T[q] * p + T[N2 + q]) * post[j] + T[N + q] * p + T[N3 + q];
        let e = keep * E[q] + etaE * delta;
        if (Math.abs(e) < TINY) e = 0;
        E[q] = e;
        const u = H[q] + m[j] * e;
        H[q] = 0.5 * (Math.abs(u + c) - Math.abs(u - c));
      }
    }
    const xi = x === null ? 0 : x[i];
    if (xi !== 0) propagateRow(W, A, H, row, n, xi, out);
  }
}

/**
 * The synapse kernels and the allocator of the arrays they take: the JavaScript ones here
 * (`jsKernels`), or WebAssembly ones whose arrays live in a WebAssembly memory.
 */
export interface SynapseKernels {
  /** The arithmetic the kernels compute in. */
  readonly arithmetic: SynapseArithmetic;
  /** A zeroed float32 array the kernels can take. */
  alloc(length: number): Float32Array;
  propagate: typeof propagate;
  propagatePlastic: typeof propagatePlastic;
  plasticFused: typeof plasticFused;
  plasticFusedRetro: typeof plasticFusedRetro;
  affineFused: typeof affineFused;
  abcdFused: typeof abcdFused;
}

export const jsKernels: SynapseKernels = {
  arithmetic: 'f64',
  alloc: (length) => new Float32Array(length),
  propagate,
  propagatePlastic,
  plasticFused,
  plasticFusedRetro,
  affineFused,
  abcdFused,
};

/** The JavaScript kernels of an arithmetic. */
export function jsKernelsFor(arithmetic: SynapseArithmetic): SynapseKernels {
  return arithmetic === 'f32' ? jsKernelsF32 : jsKernels;
}
