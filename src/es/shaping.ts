/**
 * Fitness shaping: pure functions of one shape, (fitness to maximise) -> shaped fitness,
 * both Float64Array of the same length, higher is better in and out.
 *
 *   centered rank: r_i / (n - 1) - 0.5, r_i the ascending rank (0 = worst), in [-0.5, 0.5]
 *   z-score:       (f_i - mean(f)) / std(f)          (population std; all zero if std = 0)
 *   identity:      f_i
 *   NES utility:   u_k = max(0, ln(n/2 + 1) - ln k) / sum_l max(0, ln(n/2 + 1) - ln l) - 1/n,
 *                  k the descending rank (1 = best), Wierstra et al. 2014
 *
 * Rank-based shapes give tied fitness values the average of the values their ranks would
 * get, so the result does not depend on member order and a flat generation gives all
 * zeros (no update) rather than an arbitrary direction.
 *
 * A non-finite fitness (NaN from a diverged rollout, +-Infinity) is treated as the worst:
 * it is replaced by a value below every finite one before shaping, so it can neither win
 * nor turn an update into NaN.
 */

export type FitnessShaping = (fitnessToMaximize: Float64Array) => Float64Array;
export type ShapingName = 'centered-rank' | 'z-score' | 'identity' | 'nes-utility';

export const shapingNames: readonly ShapingName[] = ['centered-rank', 'z-score', 'identity', 'nes-utility'];

/**
 * Returns a copy where every non-finite entry is replaced by a value strictly below the
 * finite minimum (by the finite range, at least 1). All non-finite gives all zeros.
 */
export function nonFiniteToWorst(f: Float64Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < f.length; i++) {
    const v = f[i];
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const out = Float64Array.from(f);
  if (lo === Infinity) return out.fill(0);
  const worst = lo - Math.max(1, hi - lo);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) out[i] = worst;
  return out;
}

/**
 * Ascending ranks (0 = worst) with ties given the average of their ranks. Indices are
 * sorted stably, so the result is deterministic.
 */
export function averageRanks(f: Float64Array): Float64Array {
  const n = f.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => f[a] - f[b] || a - b);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let k = i + 1;
    while (k < n && f[order[k]] === f[order[i]]) k++;
    const avg = (i + k - 1) / 2;
    for (let m = i; m < k; m++) ranks[order[m]] = avg;
    i = k;
  }
  return ranks;
}

export function centeredRank(fitnessToMaximize: Float64Array): Float64Array {
  const f = nonFiniteToWorst(fitnessToMaximize);
  const n = f.length;
  if (n <= 1) return new Float64Array(n);
  const r = averageRanks(f);
  for (let i = 0; i < n; i++) r[i] = r[i] / (n - 1) - 0.5;
  return r;
}

export function zScore(fitnessToMaximize: Float64Array): Float64Array {
  const f = nonFiniteToWorst(fitnessToMaximize);
  const n = f.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += f[i];
  mean /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (f[i] - mean) * (f[i] - mean);
  const std = Math.sqrt(v / n);
  if (!(std > 0)) return out;
  for (let i = 0; i < n; i++) out[i] = (f[i] - mean) / std;
  return out;
}

export function identity(fitnessToMaximize: Float64Array): Float64Array {
  return nonFiniteToWorst(fitnessToMaximize);
}

/** The NES utility of descending rank k (1 = best) in a population of n, before tie averaging. */
function rawUtilities(n: number): Float64Array {
  const u = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    const v = Math.max(0, Math.log(n / 2 + 1) - Math.log(k));
    u[k - 1] = v;
    sum += v;
  }
  for (let k = 0; k < n; k++) u[k] = u[k] / sum - 1 / n;
  return u;
}

export function nesUtility(fitnessToMaximize: Float64Array): Float64Array {
  const f = nonFiniteToWorst(fitnessToMaximize);
  const n = f.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const util = rawUtilities(n);
  // Best first; ties share the mean utility of the ranks they span.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => f[b] - f[a] || a - b);
  let i = 0;
  while (i < n) {
    let k = i + 1;
    while (k < n && f[order[k]] === f[order[i]]) k++;
    let s = 0;
    for (let m = i; m < k; m++) s += util[m];
    for (let m = i; m < k; m++) out[order[m]] = s / (k - i);
    i = k;
  }
  return out;
}

const byName: Record<ShapingName, FitnessShaping> = {
  'centered-rank': centeredRank,
  'z-score': zScore,
  identity,
  'nes-utility': nesUtility,
};

export function getShaping(name: string): FitnessShaping {
  if (!Object.hasOwn(byName, name)) {
    throw new Error(`shaping must be one of ${shapingNames.join(', ')} (got "${name}")`);
  }
  return byName[name as ShapingName];
}
