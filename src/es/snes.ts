/**
 * SNES, separable natural evolution strategies (Schaul, Glasmachers & Schmidhuber 2011;
 * Wierstra et al. 2014): a diagonal Gaussian whose mean and per-dimension log-sigma follow
 * the natural gradient.
 *
 * Members x_i = mean + sigma ⊙ z_i (no mirroring). With utility weights u (the wrapper's
 * NES-utility shaping by default: best gets the largest weight, weights sum to 0):
 *   g_mean  = sum_i u_i z_i,     g_sigma = sum_i u_i (z_i^2 - 1)
 *   mean  <- mean + lrMean * sigma ⊙ g_mean
 *   sigma <- sigma ⊙ exp(lrSigma / 2 * g_sigma)      (an additive step on log sigma)
 * Defaults from the papers: popSize = 4 + floor(3 ln D), lrMean = 1,
 * lrSigma = (3 + ln D) / (5 sqrt D).
 */

import { Rng } from '../../core/rng.ts';
import { accumulateNoise, drawSeeds, plainMembers } from './noise.ts';
import { norm } from './optim.ts';
import * as v from 'valibot';
import { autoOrInteger, autoOrPositive, positive, strategyParams } from './params.ts';
import { checkInitMean, checkTellInputs, f64, stateChecker, strategyState } from './state-check.ts';
import type { Population, Strategy, StrategyState } from './types.ts';

const PARAMS = strategyParams('snes', {
  /** Members per generation, or 'auto' for 4 + floor(3 ln D). */
  popSize: v.optional(autoOrInteger(2), 'auto'),
  /** Initial per-dimension sampling standard deviation. */
  sigmaInit: v.optional(positive(), 0.1),
  /** Learning rate of the mean. */
  lrMean: v.optional(positive(), 1),
  /** Learning rate of log sigma, or 'auto' for (3 + ln D) / (5 sqrt D). */
  lrSigma: v.optional(autoOrPositive(), 'auto'),
});

export type SNESParams = ReturnType<typeof PARAMS.resolveParams>;

const STATE = strategyState({ sigma: f64() }, [['sigma']]);

export type SNESState = v.InferOutput<typeof STATE>;

export function snesPopSize(params: SNESParams, dim: number): number {
  return params.popSize === 'auto' ? 4 + Math.floor(3 * Math.log(dim)) : params.popSize;
}

export function snesLrSigma(params: SNESParams, dim: number): number {
  return params.lrSigma === 'auto' ? (3 + Math.log(dim)) / (5 * Math.sqrt(dim)) : params.lrSigma;
}

function init(mean: Float64Array, params: SNESParams, seed: number): SNESState {
  checkInitMean('snes', mean);
  return {
    generation: 0,
    mean: Float64Array.from(mean),
    rng: new Rng(seed).getState(),
    sigma: new Float64Array(mean.length).fill(params.sigmaInit),
  };
}

function ask(state: SNESState, params: SNESParams): { population: Population; state: SNESState } {
  const rng = Rng.fromState(state.rng);
  const members = plainMembers(drawSeeds(rng, snesPopSize(params, state.mean.length)));
  return { population: { mean: state.mean, scale: state.sigma, members }, state: { ...state, rng: rng.getState() } };
}

function tell(state: SNESState, population: Population, fitness: Float64Array, params: SNESParams) {
  checkTellInputs('snes', state.mean, population, fitness);
  const d = state.mean.length;
  let sumU = 0;
  for (let i = 0; i < fitness.length; i++) sumU += fitness[i];
  const gMean = new Float64Array(d);
  const squared = new Float64Array(d);
  accumulateNoise(population.members, fitness, gMean, squared, new Float64Array(d));
  const lrSigma = snesLrSigma(params, d);
  const mean = new Float64Array(d);
  const sigma = new Float64Array(d);
  let stepSq = 0;
  let sigmaSum = 0;
  for (let j = 0; j < d; j++) {
    const s = state.sigma[j];
    const step = params.lrMean * s * gMean[j];
    mean[j] = state.mean[j] + step;
    stepSq += step * step;
    sigma[j] = s * Math.exp((lrSigma / 2) * (squared[j] - sumU));
    sigmaSum += s;
  }
  const next: SNESState = { generation: state.generation + 1, mean, rng: state.rng, sigma };
  return { state: next, metrics: { sigmaMean: sigmaSum / d, gradNorm: norm(gMean), stepNorm: Math.sqrt(stepSq) } };
}

const checkState = stateChecker(STATE);

export const snes: Strategy<SNESParams, SNESState> = {
  name: 'snes',
  ...PARAMS,
  defaultShaping: 'nes-utility',
  init,
  ask,
  tell,
  checkState,
};
