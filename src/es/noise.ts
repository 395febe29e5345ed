/**
 * Sums of search noise regenerated from 32-bit seeds (core/noise.ts holds z(seed) and the
 * member formula).
 *
 * Workers and the trainer exchange seeds and returns, never parameter vectors, so every
 * member's standard-normal vector z(seed) must be reproducible anywhere from its seed
 * alone: z(seed) = the first D normals of `new Rng(seed)`.
 *
 * The update of every strategy is a weighted sum of its members' noise vectors; this file
 * computes such sums with a single scratch vector, regenerating z once per distinct seed
 * (a mirrored pair (seed,+1),(seed,-1) shares one z):
 *   signedSum[j]  += sum_i w_i * sign_i * z_i[j]
 *   squaredSum[j] += sum_i w_i * z_i[j]^2
 */

import type { Rng } from '../../core/rng.ts';
import { fillNoise, type Member } from '../../core/noise.ts';

export { fillNoise, perturb, type Member } from '../../core/noise.ts';

/**
 * Adds the weighted noise of `members` to `signedSum` (and to `squaredSum` when given).
 * Members with the same seed must be adjacent to share one regeneration; a run of members
 * whose weights cancel (for example equal fitness in a mirrored pair) costs nothing.
 * `scratch` must have the length of the sums; its content is overwritten.
 */
export function accumulateNoise(
  members: readonly Member[],
  weights: Float64Array,
  signedSum: Float64Array,
  squaredSum: Float64Array | null,
  scratch: Float64Array,
): void {
  if (weights.length !== members.length) {
    throw new Error(`accumulateNoise: ${weights.length} weights for ${members.length} members`);
  }
  const d = signedSum.length;
  if (scratch.length !== d || (squaredSum !== null && squaredSum.length !== d)) {
    throw new Error('accumulateNoise: signedSum, squaredSum and scratch must have the same length');
  }
  let i = 0;
  while (i < members.length) {
    const seed = members[i].seed;
    let ws = 0;
    let wq = 0;
    let k = i;
    for (; k < members.length && members[k].seed === seed; k++) {
      ws += weights[k] * members[k].sign;
      wq += weights[k];
    }
    i = k;
    const needSigned = ws !== 0;
    const needSquared = squaredSum !== null && wq !== 0;
    if (!needSigned && !needSquared) continue;
    fillNoise(seed, scratch);
    if (needSquared) {
      const sq = squaredSum as Float64Array;
      for (let j = 0; j < d; j++) {
        const z = scratch[j];
        signedSum[j] += ws * z;
        sq[j] += wq * z * z;
      }
    } else {
      for (let j = 0; j < d; j++) signedSum[j] += ws * scratch[j];
    }
  }
}

/** Draws `count` member seeds from the strategy's generator (unsigned 32-bit). */
export function drawSeeds(rng: Rng, count: number): number[] {
  const seeds = new Array<number>(count);
  for (let i = 0; i < count; i++) seeds[i] = rng.nextU32();
  return seeds;
}

/** Mirrored members (s,+1),(s,-1) for each seed, pairs adjacent. */
export function mirroredMembers(seeds: readonly number[]): Member[] {
  const out: Member[] = [];
  for (const seed of seeds) {
    out.push({ seed, sign: 1 }, { seed, sign: -1 });
  }
  return out;
}

/** One member per seed, all with sign +1 (strategies that do not mirror). */
export function plainMembers(seeds: readonly number[]): Member[] {
  return seeds.map((seed) => ({ seed, sign: 1 as const }));
}
