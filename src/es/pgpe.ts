/**
 * PGPE (Sehnke et al. 2010) with symmetric (mirrored) sampling, per-dimension sigma
 * adaptation and the ClipUp optimizer on the center (Toklu et al. 2020), as in EvoTorch.
 *
 * Members come in pairs x = mean ± eps_k, eps_k = sigma ⊙ z_k. With shaped fitness F
 * (centered rank by default) and K = n/2 pairs:
 *   g_mean  = 1/K sum_k (F_k+ - F_k-)/2 * eps_k
 *   g_sigma = 1/K sum_k (F_k+ + F_k-)/2 * (eps_k^2 - sigma^2) / sigma
 *   mean   <- mean + ClipUp(g_mean)                 (normalized step, momentum, max speed)
 *   sigma  <- clamp(sigma + sigmaLr * g_sigma, sigma (1 - sigmaMaxChange), sigma (1 + sigmaMaxChange))
 * ClipUp makes the step length independent of the fitness scale; the clamp keeps one
 * noisy generation from collapsing or exploding sigma.
 */

import { Rng } from '../../core/rng.ts';
import { accumulateNoise, drawSeeds, mirroredMembers } from './noise.ts';
import { clipUpInit, clipUpStep, norm, type ClipUpState } from './optim.ts';
import * as v from 'valibot';
import { evenPopSize, inRange, nonNegative, positive, strategyParams } from './params.ts';
import { checkInitMean, checkTellInputs, f64, record, stateChecker, strategyState } from './state-check.ts';
import type { Population, Strategy, StrategyState } from './types.ts';

const PARAMS = strategyParams('pgpe', {
  /** Members per generation (even: mirrored pairs). */
  popSize: v.optional(evenPopSize(), 64),
  /** Initial per-dimension sampling standard deviation. */
  sigmaInit: v.optional(positive(), 0.1),
  /** ClipUp step size (alpha): the length of one normalized gradient step. */
  centerLr: v.optional(positive(), 0.15),
  /** ClipUp momentum. */
  momentum: v.optional(inRange(0, 1), 0.9),
  /** ClipUp speed limit: no step on the center is longer than this (Toklu et al. suggest 2 * centerLr). */
  maxSpeed: v.optional(positive(), 0.3),
  /** Learning rate of the sigma update. */
  sigmaLr: v.optional(nonNegative(), 0.1),
  /** Largest relative change of each sigma per generation. */
  sigmaMaxChange: v.optional(inRange(0, 1), 0.2),
});

export type PGPEParams = ReturnType<typeof PARAMS.resolveParams>;

const STATE = strategyState({ sigma: f64(), clipup: record({ velocity: f64() }) }, [['sigma'], ['clipup', 'velocity']]);

export type PGPEState = v.InferOutput<typeof STATE>;

function init(mean: Float64Array, params: PGPEParams, seed: number): PGPEState {
  checkInitMean('pgpe', mean);
  return {
    generation: 0,
    mean: Float64Array.from(mean),
    rng: new Rng(seed).getState(),
    sigma: new Float64Array(mean.length).fill(params.sigmaInit),
    clipup: clipUpInit(mean.length),
  };
}

function ask(state: PGPEState, params: PGPEParams): { population: Population; state: PGPEState } {
  const rng = Rng.fromState(state.rng);
  const members = mirroredMembers(drawSeeds(rng, params.popSize / 2));
  return { population: { mean: state.mean, scale: state.sigma, members }, state: { ...state, rng: rng.getState() } };
}

function tell(state: PGPEState, population: Population, fitness: Float64Array, params: PGPEParams) {
  checkTellInputs('pgpe', state.mean, population, fitness);
  const d = state.mean.length;
  const n = population.members.length;
  const weights = new Float64Array(n);
  let meanF = 0;
  for (let i = 0; i < n; i++) {
    weights[i] = fitness[i] / n;
    meanF += fitness[i] / n;
  }
  const signed = new Float64Array(d);
  const squared = new Float64Array(d);
  accumulateNoise(population.members, weights, signed, squared, new Float64Array(d));
  const sigma = state.sigma;
  const gMean = new Float64Array(d);
  for (let j = 0; j < d; j++) gMean[j] = sigma[j] * signed[j];
  const { state: clipup, step } = clipUpStep(state.clipup, gMean, {
    stepSize: params.centerLr,
    momentum: params.momentum,
    maxSpeed: params.maxSpeed,
  });
  const mean = new Float64Array(d);
  const nextSigma = new Float64Array(d);
  const lo = 1 - params.sigmaMaxChange;
  const hi = 1 + params.sigmaMaxChange;
  let sigmaSum = 0;
  for (let j = 0; j < d; j++) {
    mean[j] = state.mean[j] + step[j];
    const s = sigma[j];
    const proposed = s + params.sigmaLr * s * (squared[j] - meanF);
    nextSigma[j] = Math.min(s * hi, Math.max(s * lo, proposed));
    sigmaSum += s;
  }
  const next: PGPEState = { generation: state.generation + 1, mean, rng: state.rng, sigma: nextSigma, clipup };
  return { state: next, metrics: { sigmaMean: sigmaSum / d, gradNorm: norm(gMean), stepNorm: norm(step) } };
}

const checkState = stateChecker(STATE);

export const pgpe: Strategy<PGPEParams, PGPEState> = {
  name: 'pgpe',
  ...PARAMS,
  defaultShaping: 'centered-rank',
  init,
  ask,
  tell,
  checkState,
};
