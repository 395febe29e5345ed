/**
 * Benchmark functions and a small driver for the evolution-strategy tests. Every function
 * returns fitness to MAXIMISE (the negated textbook objective), with optimum 0.
 */

import { createMaximizer, getStrategy, memberParams, type GenerationMetrics } from '../src/es/index.ts';

export type Problem = (x: Float64Array) => number;

/** -|x|^2, optimum 0 at x = 0. */
export const sphere: Problem = (x) => {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j];
  return -s;
};

/** -sum 100 (x_{j+1} - x_j^2)^2 + (1 - x_j)^2, optimum 0 at x = 1. */
export const rosenbrock: Problem = (x) => {
  let s = 0;
  for (let j = 0; j + 1 < x.length; j++) {
    const a = x[j + 1] - x[j] * x[j];
    const b = 1 - x[j];
    s += 100 * a * a + b * b;
  }
  return -s;
};

/** -(10 D + sum x_j^2 - 10 cos(2 pi x_j)), optimum 0 at x = 0; a local optimum near every integer point. */
export const rastrigin: Problem = (x) => {
  let s = 10 * x.length;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j] - 10 * Math.cos(2 * Math.PI * x[j]);
  return -s;
};

export interface RunResult {
  /** Member evaluations used (center checks are not counted). */
  evals: number;
  /** Fitness of the final center. */
  centerFitness: number;
  bestSoFar: number | null;
  generations: number;
  last: GenerationMetrics | null;
}

/** Largest |x_j|. */
export function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j]));
  return m;
}

/** Stop when the center's fitness reaches a number, or when a predicate on the center holds. */
export type Target = number | ((center: Float64Array, centerFitness: number) => boolean);

/**
 * Runs `strategyName` on `problem` from x0 until the center meets `target` or `maxEvals`
 * member evaluations are spent.
 */
export function runUntil(
  strategyName: string,
  params: Record<string, unknown>,
  problem: Problem,
  x0: Float64Array,
  target: Target,
  maxEvals: number,
  seed = 1,
): RunResult & { reached: boolean } {
  const done = typeof target === 'number' ? (_c: Float64Array, f: number) => f >= target : target;
  const es = createMaximizer(getStrategy(strategyName), params);
  let state = es.init(x0, seed);
  const x = new Float64Array(x0.length);
  const z = new Float64Array(x0.length);
  let evals = 0;
  let generations = 0;
  let last: GenerationMetrics | null = null;
  let centerFitness = problem(es.center(state));
  while (evals < maxEvals && !done(es.center(state), centerFitness)) {
    const asked = es.ask(state);
    const pop = asked.population;
    const f = new Float64Array(pop.members.length);
    for (let i = 0; i < f.length; i++) {
      memberParams(pop, i, x, z);
      f[i] = problem(x);
    }
    evals += f.length;
    const told = es.tell(asked.state, pop, f);
    state = told.state;
    last = told.metrics;
    generations++;
    centerFitness = problem(es.center(state));
  }
  return { reached: done(es.center(state), centerFitness), evals, centerFitness, bestSoFar: state.best.params === null ? null : state.best.fitness, generations, last };
}
