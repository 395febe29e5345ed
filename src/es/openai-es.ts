/**
 * OpenAI-ES (Salimans et al. 2017): the default strategy.
 *
 * Mirrored sampling x = mean ± sigma z, pairs (seed,+1),(seed,-1). With shaped fitness F
 * (centered rank by default), over n members:
 *   g = 1/(n sigma) sum_i F_i sign_i z_i - l2 * mean      (gradient ascent direction + weight decay)
 *   mean <- mean + Adam(g)                                 (optim.ts)
 *   sigma <- max(sigmaMin, sigma * sigmaDecay),  lr <- max(lrMin, lr * lrDecay)
 * With sigmaDecay = lrDecay = 1 both stay fixed, as in the paper.
 */

import { Rng } from '../../core/rng.ts';
import { accumulateNoise, drawSeeds, mirroredMembers } from './noise.ts';
import { adamStep, adamInit, norm, type AdamState } from './optim.ts';
import * as v from 'valibot';
import { evenPopSize, inHalfOpenAbove, inRange, nonNegative, positive, strategyParams } from './params.ts';
import { checkInitMean, checkTellInputs, count, f64, record, stateChecker, strategyState } from './state-check.ts';
import type { Population, Strategy, StrategyState } from './types.ts';

const PARAMS = strategyParams('openai-es', {
  /** Members per generation (even: mirrored pairs). */
  popSize: v.optional(evenPopSize(), 64),
  /** Initial sampling standard deviation. */
  sigma: v.optional(positive(), 0.02),
  /** Multiplies sigma after every generation (1 keeps it fixed). */
  sigmaDecay: v.optional(inHalfOpenAbove(0, 1), 1),
  /** Floor for a decaying sigma. */
  sigmaMin: v.optional(nonNegative(), 0),
  /** Adam learning rate. */
  lr: v.optional(positive(), 0.01),
  /** Multiplies lr after every generation (1 keeps it fixed). */
  lrDecay: v.optional(inHalfOpenAbove(0, 1), 1),
  /** Floor for a decaying lr. */
  lrMin: v.optional(nonNegative(), 0),
  beta1: v.optional(inRange(0, 1), 0.9),
  beta2: v.optional(inRange(0, 1), 0.999),
  eps: v.optional(positive(), 1e-8),
  /** L2 weight decay coefficient: g -= l2 * mean. */
  l2: v.optional(nonNegative(), 0.005),
});

export type OpenAIESParams = ReturnType<typeof PARAMS.resolveParams>;

const STATE = strategyState(
  { sigma: count({ min: 0 }), lr: count({ min: 0 }), adam: record({ m: f64(), v: f64(), t: count({ integer: true, min: 0 }) }) },
  [['adam', 'm'], ['adam', 'v']],
);

export type OpenAIESState = v.InferOutput<typeof STATE>;

function init(mean: Float64Array, params: OpenAIESParams, seed: number): OpenAIESState {
  checkInitMean('openai-es', mean);
  return {
    generation: 0,
    mean: Float64Array.from(mean),
    rng: new Rng(seed).getState(),
    sigma: params.sigma,
    lr: params.lr,
    adam: adamInit(mean.length),
  };
}

function ask(state: OpenAIESState, params: OpenAIESParams): { population: Population; state: OpenAIESState } {
  const rng = Rng.fromState(state.rng);
  const members = mirroredMembers(drawSeeds(rng, params.popSize / 2));
  const scale = new Float64Array(state.mean.length).fill(state.sigma);
  return { population: { mean: state.mean, scale, members }, state: { ...state, rng: rng.getState() } };
}

function tell(state: OpenAIESState, population: Population, fitness: Float64Array, params: OpenAIESParams) {
  checkTellInputs('openai-es', state.mean, population, fitness);
  const d = state.mean.length;
  const n = population.members.length;
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) weights[i] = fitness[i] / (n * state.sigma);
  const grad = new Float64Array(d);
  accumulateNoise(population.members, weights, grad, null, new Float64Array(d));
  for (let j = 0; j < d; j++) grad[j] -= params.l2 * state.mean[j];
  const { state: adam, step } = adamStep(state.adam, grad, { lr: state.lr, beta1: params.beta1, beta2: params.beta2, eps: params.eps });
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = state.mean[j] + step[j];
  const next: OpenAIESState = {
    generation: state.generation + 1,
    mean,
    rng: state.rng,
    sigma: Math.max(params.sigmaMin, state.sigma * params.sigmaDecay),
    lr: Math.max(params.lrMin, state.lr * params.lrDecay),
    adam,
  };
  return { state: next, metrics: { sigma: state.sigma, lr: state.lr, gradNorm: norm(grad), stepNorm: norm(step) } };
}

const checkState = stateChecker(STATE);

export const openaiES: Strategy<OpenAIESParams, OpenAIESState> = {
  name: 'openai-es',
  ...PARAMS,
  defaultShaping: 'centered-rank',
  init,
  ask,
  tell,
  checkState,
};
