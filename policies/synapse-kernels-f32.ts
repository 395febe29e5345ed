/**
 * The synapse kernels of synapse-kernels.ts in float32 arithmetic (a policy's
 * `synapseArithmetic: 'f32'`): the same equations, loops and operation order, with every
 * operation's result rounded to float32 (Math.fround), as WebAssembly's f32x4 lanes round
 * each one; wasm/wasm-kernels.ts gives the same bits. An operation on two float32 values
 * computed in float64 and then rounded is the correctly rounded float32 result (for +, -
 * and x, float64 holds more than twice float32's precision), so each fround here is one f32
 * operation there. A store to a Float32Array rounds too: an fround is left out only where a
 * value goes straight to one. The scalars (clip c, eligibility rate eta_e) are rounded to
 * float32 first, as the WebAssembly kernels take them.
 */

import type { SynapseKernels } from './synapse-kernels.ts';

const f = Math.fround;

/** The eligibility flush of synapse-kernels.ts, as a float32. */
const TINY = f(1e-30);

/** clip(u) = 0.5 (|u + c| - |u - c|), each operation in float32. */
function clip(u: number, c: number): number {
  return f(0.5 * f(Math.abs(f(u + c)) - Math.abs(f(u - c))));
}

/** The eligibility update (1 - eta_e) E + eta_e delta, flushed to 0 below TINY. */
function eligibility(keep: number, e: number, eta: number, delta: number): number {
  const u = f(f(keep * e) + f(eta * delta));
  return Math.abs(u) < TINY ? 0 : u;
}

export function propagate(W: Float32Array, x: Float32Array, out: Float32Array, nPre: number, n: number): void {
  for (let i = 0; i < nPre; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const row = i * n;
    for (let j = 0; j < n; j++) out[j] += f(xi * W[row + j]);
  }
}

/** out_j += x (W_ij + alpha_ij h) for one synapse. */
function propagateOne(W: Float32Array, A: Float32Array, q: number, j: number, xi: number, h: number, out: Float32Array): void {
  out[j] += f(xi * f(W[q] + f(A[q] * h)));
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
    for (let j = 0; j < n; j++) propagateOne(W, A, row + j, j, xi, H[row + j], out);
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
  clipAt: number,
): void {
  const c = f(clipAt);
  for (let i = 0; i < nPre; i++) {
    const p = pre[i];
    const xi = x === null ? 0 : x[i];
    const row = i * n;
    if (xi !== 0) {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const h = clip(f(f(a[j] * H[q]) + f(k[j] * p)), c);
        H[q] = h;
        propagateOne(W, A, q, j, xi, h, out);
      }
    } else {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        H[q] = clip(f(f(a[j] * H[q]) + f(k[j] * p)), c);
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
  clipAt: number,
): void {
  const c = f(clipAt);
  const eta = f(etaE);
  const keep = f(1 - eta);
  for (let i = 0; i < nPre; i++) {
    const p = pre[i];
    const xi = x === null ? 0 : x[i];
    const row = i * n;
    if (xi !== 0) {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const hq = H[q];
        const e = eligibility(keep, E[q], eta, f(f(d[j] * hq) + f(k[j] * p)));
        E[q] = e;
        const h = clip(f(hq + f(m[j] * e)), c);
        H[q] = h;
        propagateOne(W, A, q, j, xi, h, out);
      }
    } else {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const hq = H[q];
        const e = eligibility(keep, E[q], eta, f(f(d[j] * hq) + f(k[j] * p)));
        E[q] = e;
        H[q] = clip(f(hq + f(m[j] * e)), c);
      }
    }
  }
}

/** out_j += x (W_ij + alpha_ij H_ij) over row i (offset `row`). */
function propagateRow(W: Float32Array, A: Float32Array, H: Float32Array, row: number, n: number, xi: number, out: Float32Array): void {
  for (let j = 0; j < n; j++) propagateOne(W, A, row + j, j, xi, H[row + j], out);
}

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
  clipAt: number,
): void {
  const c = f(clipAt);
  const eta = f(etaE);
  const keep = f(1 - eta);
  for (let i = 0; i < nPre; i++) {
    const p = pre[i];
    const row = i * n;
    if (E === null) {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        H[q] = clip(f(f(f(a[j] * H[q]) + f(k[j] * p)) + cst[j]), c);
      }
    } else {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const hq = H[q];
        const e = eligibility(keep, E[q], eta, f(f(f(a[j] * hq) + f(k[j] * p)) + cst[j]));
        E[q] = e;
        H[q] = clip(f(hq + f(m[j] * e)), c);
      }
    }
    const xi = x === null ? 0 : x[i];
    if (xi !== 0) propagateRow(W, A, H, row, n, xi, out);
  }
}

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
  clipAt: number,
): void {
  const c = f(clipAt);
  const eta = f(etaE);
  const keep = f(1 - eta);
  const N = nPre * n;
  const N2 = 2 * N;
  const N3 = 3 * N;
  for (let i = 0; i < nPre; i++) {
    const p = pre[i];
    const row = i * n;
    if (E === null) {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const delta = f(f(f(f(f(T[q] * p) + T[N2 + q]) * post[j]) + f(T[N + q] * p)) + T[N3 + q]);
        H[q] = clip(f(H[q] + f(m[j] * delta)), c);
      }
    } else {
      for (let j = 0; j < n; j++) {
        const q = row + j;
        const delta = f(f(f(f(f(T[q] * p) + T[N2 + q]) * post[j]) + f(T[N + q] * p)) + T[N3 + q]);
        const e = eligibility(keep, E[q], eta, delta);
        E[q] = e;
        H[q] = clip(f(H[q] + f(m[j] * e)), c);
      }
    }
    const xi = x === null ? 0 : x[i];
    if (xi !== 0) propagateRow(W, A, H, row, n, xi, out);
  }
}

export const jsKernelsF32: SynapseKernels = {
  arithmetic: 'f32',
  alloc: (length) => new Float32Array(length),
  propagate,
  propagatePlastic,
  plasticFused,
  plasticFusedRetro,
  affineFused,
  abcdFused,
};
