/**
 * Small statistics for reports: mean with a 95% confidence half-width (Student's t).
 */

const T95 = [NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086];

/** Two-sided 95% t quantile for `df` degrees of freedom. */
export function t95(df: number): number {
  if (df < 1) return NaN;
  if (df < T95.length) return T95[df]!;
  return 1.96 + 2.4 / df;
}

export function meanCI(xs: readonly number[]): { mean: number; ci95: number; std: number; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, ci95: NaN, std: NaN, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, ci95: NaN, std: NaN, n };
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const std = Math.sqrt(v);
  return { mean, ci95: (t95(n - 1) * std) / Math.sqrt(n), std, n };
}

/**
 * Which side of 0 an interval `mean ± ci95` lies on: 1 above, -1 below, 0 across it (or
 * undefined: a NaN half-width from fewer than two samples counts as across).
 */
export function sideOfZero(mean: number, ci95: number): 1 | -1 | 0 {
  if (mean - ci95 > 0) return 1;
  if (mean + ci95 < 0) return -1;
  return 0;
}

/**
 * McNemar's exact two-sided p for paired yes/no outcomes: `b` pairs with the event on one side
 * only, `c` on the other side only; under the null each discordant pair falls either way with
 * probability 1/2 (a binomial test on b + c).
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  // The terms C(n, i) / 2^n in logs: 2^-n alone underflows past n = 1074.
  let tail = 0;
  let logTerm = -n * Math.LN2;
  for (let i = 0; i <= Math.min(b, c); i++) {
    tail += Math.exp(logTerm);
    logTerm += Math.log((n - i) / (i + 1));
  }
  return Math.min(1, 2 * tail);
}

/** A set of episodes' returns, forward distances (m) and steps, with means and 95% intervals. */
export interface EpisodeFigures {
  returns: number[];
  distances: number[];
  steps: number[];
  returnMean: number;
  returnCI95: number;
  distanceMean: number;
  distanceCI95: number;
}

export function episodeFigures(returns: number[], distances: number[], steps: number[]): EpisodeFigures {
  const ret = meanCI(returns);
  const dist = meanCI(distances);
  return { returns, distances, steps, returnMean: ret.mean, returnCI95: ret.ci95, distanceMean: dist.mean, distanceCI95: dist.ci95 };
}
