/**
 * Reference updates of the plastic traces over whole pre-major matrices, for each kind of
 * modulation: what the tests hold the network's fused kernels to. The network never calls them.
 */
import { clip } from '../../policies/reparam.ts';

/**
 * Reference for `none` and `simple`: H <- clip(H + m_j delta_ij) over a pre-major matrix
 * (nPre x nPost, m of length nPost). Returns a new matrix.
 */
export function applyRates(H: ArrayLike<number>, delta: ArrayLike<number>, m: ArrayLike<number>, c: number): Float32Array {
  const nPost = m.length;
  const out = new Float32Array(H.length);
  for (let idx = 0; idx < H.length; idx++) out[idx] = clip(H[idx] + m[idx % nPost] * delta[idx], c);
  return out;
}

/**
 * Reference for `retroactive`: E <- (1 - eta_e) E + eta_e delta, then H <- clip(H + m_j E).
 * Returns new matrices.
 */
export function applyRetroactive(
  H: ArrayLike<number>,
  E: ArrayLike<number>,
  delta: ArrayLike<number>,
  m: ArrayLike<number>,
  etaE: number,
  c: number,
): { H: Float32Array; E: Float32Array } {
  const nPost = m.length;
  const nextH = new Float32Array(H.length);
  const nextE = new Float32Array(H.length);
  for (let idx = 0; idx < H.length; idx++) {
    const e = (1 - etaE) * E[idx] + etaE * delta[idx];
    nextE[idx] = e;
    nextH[idx] = clip(H[idx] + m[idx % nPost] * e, c);
  }
  return { H: nextH, E: nextE };
}
