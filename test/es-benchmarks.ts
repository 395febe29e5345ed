/**
 * Per-strategy settings for the benchmark tests: hyper-parameters, start, tolerance and
 * budget for sphere, Rosenbrock and Rastrigin. Every registered strategy must have an entry,
 * so a new strategy cannot skip the benchmarks.
 *
 * Budgets are about twice the worst of six seeds at the time of writing. Where a strategy
 * cannot settle closer by construction the tolerance says why.
 */

import { maxAbs, rastrigin, rosenbrock, sphere, type Problem, type Target } from './es-problems.ts';

export interface BenchmarkCase {
  problem: 'sphere' | 'rosenbrock' | 'rastrigin';
  dim: number;
  /** Every coordinate of the start point. */
  start: number;
  params: Record<string, unknown>;
  target: Target;
  /** Human-readable tolerance for the test name. */
  tolerance: string;
  maxEvals: number;
}

export const problems: Record<BenchmarkCase['problem'], Problem> = { sphere, rosenbrock, rastrigin };

export const benchmarks: Record<string, BenchmarkCase[]> = {
  'openai-es': [
    { problem: 'sphere', dim: 20, start: 3, params: {}, target: -1e-3, tolerance: 'center f >= -1e-3 (defaults)', maxEvals: 60_000 },
    {
      problem: 'rosenbrock', dim: 5, start: 0,
      params: { popSize: 40, sigma: 0.1, sigmaDecay: 0.998, sigmaMin: 0.005, lr: 0.05, lrDecay: 0.998, lrMin: 0.002, l2: 0 },
      target: -1e-2, tolerance: 'center f >= -1e-2', maxEvals: 100_000,
    },
    {
      problem: 'rastrigin', dim: 5, start: 3,
      params: { popSize: 40, sigma: 2, sigmaDecay: 0.995, sigmaMin: 0.01, lr: 0.1, lrDecay: 0.995, lrMin: 0.001, l2: 0 },
      target: -1e-2, tolerance: 'center f >= -1e-2 (global optimum)', maxEvals: 35_000,
    },
  ],
  pgpe: [
    {
      problem: 'sphere', dim: 20, start: 3, params: { popSize: 20, centerLr: 0.05, maxSpeed: 0.1, momentum: 0.5 },
      target: -1e-2, tolerance: 'center f >= -1e-2 (ClipUp steps have a fixed length)', maxEvals: 20_000,
    },
    {
      problem: 'rosenbrock', dim: 5, start: 0, params: { popSize: 20, centerLr: 0.01, maxSpeed: 0.02 },
      target: -1e-2, tolerance: 'center f >= -1e-2', maxEvals: 40_000,
    },
    {
      problem: 'rastrigin', dim: 5, start: 3, params: { popSize: 50, sigmaInit: 1.5, centerLr: 0.05, maxSpeed: 0.1, sigmaLr: 0.05 },
      target: (c) => maxAbs(c) < 0.2,
      tolerance: 'center in the global basin, max|x_j| < 0.2 (ClipUp steps have a fixed length)', maxEvals: 70_000,
    },
  ],
  snes: [
    { problem: 'sphere', dim: 20, start: 3, params: { sigmaInit: 1 }, target: -1e-6, tolerance: 'center f >= -1e-6', maxEvals: 10_000 },
    {
      problem: 'rosenbrock', dim: 5, start: 0, params: { sigmaInit: 0.5, popSize: 12, lrSigma: 0.05 },
      target: -1e-2, tolerance: 'center f >= -1e-2', maxEvals: 80_000,
    },
    {
      problem: 'rastrigin', dim: 5, start: 3, params: { sigmaInit: 2, popSize: 100, lrSigma: 0.1 },
      target: -1e-2, tolerance: 'center f >= -1e-2 (global optimum)', maxEvals: 80_000,
    },
  ],
  'sep-cma-es': [
    { problem: 'sphere', dim: 20, start: 3, params: { sigmaInit: 1 }, target: -1e-6, tolerance: 'center f >= -1e-6', maxEvals: 10_000 },
    { problem: 'rosenbrock', dim: 5, start: 0, params: { sigmaInit: 0.5 }, target: -1e-2, tolerance: 'center f >= -1e-2', maxEvals: 40_000 },
    {
      problem: 'rastrigin', dim: 5, start: 3, params: { sigmaInit: 3, popSize: 200 },
      target: -1e-2, tolerance: 'center f >= -1e-2 (global optimum)', maxEvals: 40_000,
    },
  ],
};
