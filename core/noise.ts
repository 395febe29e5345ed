/**
 * Search noise regenerated from 32-bit seeds, and the one formula that turns a center, a
 * scale and a member's (seed, sign) into the member's parameters:
 *
 *   x = center + sign * scale ⊙ z(seed),   z(seed) = the first D normals of `new Rng(seed)`
 *
 * Strategies (src/es) sample with it and rollout workers (workers/) rebuild members with it,
 * so both sides agree bit for bit while exchanging only seeds and returns.
 */
import { Rng } from './rng.ts';

/** One population member: x = mean + sign * scale ⊙ z(seed). Sign 0 is the center itself. */
export interface Member {
  seed: number;
  sign: 1 | -1;
}

/** Fills `out` with z(seed), the standard-normal search direction of `seed`. */
export function fillNoise(seed: number, out: Float32Array | Float64Array): void {
  new Rng(seed).fillNormal(out);
}

/**
 * Writes center + sign * scale ⊙ z(seed) into `out`, using `z` as scratch for the noise (its
 * content is overwritten). A sign of 0 copies the center (no noise is drawn, no scale needed).
 */
export function perturb(center: Float64Array, scale: Float64Array | null, seed: number, sign: number, out: Float32Array | Float64Array, z: Float64Array): void {
  if (sign === 0) {
    out.set(center);
    return;
  }
  if (!scale) throw new Error('a scale is required for members with a non-zero sign');
  fillNoise(seed, z);
  const d = out.length;
  for (let j = 0; j < d; j++) out[j] = center[j]! + sign * scale[j]! * z[j]!;
}
