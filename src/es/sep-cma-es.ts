/**
 * sep-CMA-ES (Ros & Hansen 2008): CMA-ES restricted to a diagonal covariance, so one
 * generation costs O(lambda * D) and it scales to tens of thousands of parameters.
 *
 * Members x_i = m + sigma * sqrt(c) ⊙ z_i (no mirroring; scale = sigma * sqrt(c)). Sort by
 * shaped fitness, best first; over the mu = floor(lambda/2) best, with log weights w_k
 * (sum 1) and mu_eff = 1 / sum w_k^2:
 *   zw = sum_k w_k z_k:λ,   zw2 = sum_k w_k z_k:λ^2,   yw = sqrt(c) ⊙ zw
 *   m   <- m + sigma * yw
 *   p_s <- (1 - c_s) p_s + sqrt(c_s (2 - c_s) mu_eff) * zw
 *   h   =  |p_s| / sqrt(1 - (1 - c_s)^(2(g+1))) < (1.4 + 2/(D+1)) E|N(0,I)|
 *   p_c <- (1 - c_c) p_c + h sqrt(c_c (2 - c_c) mu_eff) * yw
 *   c   <- (1 - c1 - cmu) c + c1 (p_c^2 + (1 - h) c_c (2 - c_c) c) + cmu * c ⊙ zw2
 *   sigma <- sigma * exp(min(1, (c_s / d_s) (|p_s| / E|N(0,I)| - 1)))
 * Constants are Hansen's defaults; c1 and cmu are multiplied by (D + 2) / 3 as Ros & Hansen
 * do for the diagonal model, which has D instead of D^2/2 degrees of freedom. The cap of 1
 * on the log step of sigma (as in pycma) keeps one lucky generation from blowing it up.
 *
 * After each update the overall scale of c is moved into sigma (c /= a, p_c /= sqrt(a),
 * sigma *= sqrt(a), a = mean(c)). The distribution and every later update are unchanged by
 * this, but on non-separable functions (Rosenbrock) c otherwise drifts towards 0 while
 * sigma grows without bound, ending in underflow; with mean(c) = 1, sigma is also the
 * typical per-dimension step, which makes it worth logging.
 */

import { Rng } from '../../core/rng.ts';
import { accumulateNoise, drawSeeds, plainMembers } from './noise.ts';
import * as v from 'valibot';
import { autoOrInteger, positive, strategyParams } from './params.ts';
import { checkInitMean, checkTellInputs, count, f64, stateChecker, strategyState } from './state-check.ts';
import type { Population, Strategy, StrategyState } from './types.ts';

const PARAMS = strategyParams('sep-cma-es', {
  /** lambda, members per generation, or 'auto' for 4 + floor(3 ln D). */
  popSize: v.optional(autoOrInteger(2), 'auto'),
  /** Initial global step size. */
  sigmaInit: v.optional(positive(), 0.1),
});

export type SepCMAESParams = ReturnType<typeof PARAMS.resolveParams>;

const STATE = strategyState(
  {
    sigma: count({ min: 0 }),
    /** Diagonal of the covariance matrix C. */
    diagC: f64(),
    /** Evolution path of sigma (p_s). */
    pSigma: f64(),
    /** Evolution path of C (p_c). */
    pC: f64(),
  },
  [['diagC'], ['pSigma'], ['pC']],
);

export type SepCMAESState = v.InferOutput<typeof STATE>;

/** The strategy constants that follow from lambda and D. */
export interface SepCMAConstants {
  lambda: number;
  mu: number;
  weights: Float64Array;
  muEff: number;
  cSigma: number;
  dSigma: number;
  cC: number;
  c1: number;
  cMu: number;
  chiN: number;
}

export function sepCmaConstants(params: SepCMAESParams, dim: number): SepCMAConstants {
  const n = dim;
  const lambda = params.popSize === 'auto' ? 4 + Math.floor(3 * Math.log(n)) : params.popSize;
  const mu = Math.floor(lambda / 2);
  const weights = new Float64Array(mu);
  let sum = 0;
  for (let k = 0; k < mu; k++) {
    weights[k] = Math.log(mu + 0.5) - Math.log(k + 1);
    sum += weights[k];
  }
  let sumSq = 0;
  for (let k = 0; k < mu; k++) {
    weights[k] /= sum;
    sumSq += weights[k] * weights[k];
  }
  const muEff = 1 / sumSq;
  const cSigma = (muEff + 2) / (n + muEff + 5);
  const dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
  const cC = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  const sep = (n + 2) / 3;
  const c1 = Math.min(1, (sep * 2) / ((n + 1.3) ** 2 + muEff));
  const cMu = Math.min(1 - c1, (sep * 2 * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + muEff));
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  return { lambda, mu, weights, muEff, cSigma, dSigma, cC, c1, cMu, chiN };
}

function init(mean: Float64Array, params: SepCMAESParams, seed: number): SepCMAESState {
  checkInitMean('sep-cma-es', mean);
  const d = mean.length;
  return {
    generation: 0,
    mean: Float64Array.from(mean),
    rng: new Rng(seed).getState(),
    sigma: params.sigmaInit,
    diagC: new Float64Array(d).fill(1),
    pSigma: new Float64Array(d),
    pC: new Float64Array(d),
  };
}

function ask(state: SepCMAESState, params: SepCMAESParams): { population: Population; state: SepCMAESState } {
  const d = state.mean.length;
  const { lambda } = sepCmaConstants(params, d);
  const rng = Rng.fromState(state.rng);
  const members = plainMembers(drawSeeds(rng, lambda));
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) scale[j] = state.sigma * Math.sqrt(state.diagC[j]);
  return { population: { mean: state.mean, scale, members }, state: { ...state, rng: rng.getState() } };
}

function tell(state: SepCMAESState, population: Population, fitness: Float64Array, params: SepCMAESParams) {
  checkTellInputs('sep-cma-es', state.mean, population, fitness);
  const d = state.mean.length;
  const k = sepCmaConstants(params, d);
  const n = population.members.length;
  if (n !== k.lambda) throw new Error(`sep-cma-es.tell: population has ${n} members, expected ${k.lambda}`);
  // Best first; equal fitness keeps member order so the choice is deterministic.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => fitness[b] - fitness[a] || a - b);
  const w = new Float64Array(n);
  for (let r = 0; r < k.mu; r++) w[order[r]] = k.weights[r];
  const zw = new Float64Array(d);
  const zw2 = new Float64Array(d);
  accumulateNoise(population.members, w, zw, zw2, new Float64Array(d));

  const g = state.generation + 1;
  const cs = k.cSigma;
  const ps = new Float64Array(d);
  const psCoef = Math.sqrt(cs * (2 - cs) * k.muEff);
  let psSq = 0;
  for (let j = 0; j < d; j++) {
    ps[j] = (1 - cs) * state.pSigma[j] + psCoef * zw[j];
    psSq += ps[j] * ps[j];
  }
  const psNorm = Math.sqrt(psSq);
  const hSigma = psNorm / Math.sqrt(1 - Math.pow(1 - cs, 2 * g)) < (1.4 + 2 / (d + 1)) * k.chiN ? 1 : 0;
  const cc = k.cC;
  const pcCoef = hSigma * Math.sqrt(cc * (2 - cc) * k.muEff);
  const keepC = 1 - k.c1 - k.cMu;
  const lostVariance = (1 - hSigma) * cc * (2 - cc);
  const mean = new Float64Array(d);
  const pc = new Float64Array(d);
  const diagC = new Float64Array(d);
  const sigma = state.sigma;
  let stepSq = 0;
  for (let j = 0; j < d; j++) {
    const c = state.diagC[j];
    const yw = Math.sqrt(c) * zw[j];
    const step = sigma * yw;
    mean[j] = state.mean[j] + step;
    stepSq += step * step;
    const pcj = (1 - cc) * state.pC[j] + pcCoef * yw;
    pc[j] = pcj;
    diagC[j] = keepC * c + k.c1 * (pcj * pcj + lostVariance * c) + k.cMu * c * zw2[j];
  }
  let a = 0;
  for (let j = 0; j < d; j++) a += diagC[j];
  a /= d;
  const rootA = Math.sqrt(a);
  for (let j = 0; j < d; j++) {
    diagC[j] /= a;
    pc[j] /= rootA;
  }
  const nextSigma = rootA * sigma * Math.exp(Math.min(1, (cs / k.dSigma) * (psNorm / k.chiN - 1)));
  const next: SepCMAESState = { generation: g, mean, rng: state.rng, sigma: nextSigma, diagC, pSigma: ps, pC: pc };
  return { state: next, metrics: { sigma, pSigmaNorm: psNorm, hSigma, stepNorm: Math.sqrt(stepSq), axisRatio: axisRatio(diagC) } };
}

/** sqrt(max c / min c): how elongated the search distribution has become. */
function axisRatio(c: Float64Array): number {
  let lo = Infinity;
  let hi = 0;
  for (let j = 0; j < c.length; j++) {
    if (c[j] < lo) lo = c[j];
    if (c[j] > hi) hi = c[j];
  }
  return Math.sqrt(hi / lo);
}

const checkState = stateChecker(STATE);

export const sepCmaES: Strategy<SepCMAESParams, SepCMAESState> = {
  name: 'sep-cma-es',
  ...PARAMS,
  defaultShaping: 'centered-rank',
  init,
  ask,
  tell,
  checkState,
};

