/**
 * Evaluation of a trained policy on fresh episodes: return and forward distance with 95%
 * confidence intervals, speed and joint-limit figures. One rollout task per episode, so the
 * figures do not depend on the backend or the number of workers.
 */
import { mixSeed } from '../core/rng.ts';
import { NOMINAL, type Condition } from '../envs/conditions.ts';
import type { RolloutBackend } from '../workers/pool.ts';
import type { RolloutTask } from '../workers/types.ts';
import { episodeFigures, type EpisodeFigures } from './stats.ts';
import { simOf, type PolicyFile } from './train/policy-file.ts';
import { simWorld } from '../envs/sim-settings.ts';

/** One control step of the ant: 5 physics steps of 0.01 s. */
const CONTROL_STEP_SECONDS = 0.05;

export interface EvaluateOptions {
  /** Episodes (default 5). */
  episodes?: number;
  /** Episode seeds derive from it (default 12345). */
  seed?: number;
  /** Control steps per episode (default 1000). */
  maxSteps?: number;
  /** The body and world (default nominal). */
  condition?: Condition;
}

export interface EvaluationReport extends EpisodeFigures {
  episodes: number;
  /** Mean over episodes of distance / episode time (m/s). */
  speedMean: number;
  /** The worst joint-limit violation (degrees past a joint's range), and the share of joint-steps more than 5° past one. */
  limitWorst: number;
  limitPast5Fraction: number;
}

export async function evaluatePolicy(policy: Pick<PolicyFile, 'policy' | 'params' | 'normalizer' | 'sim'>, opts: EvaluateOptions, backend: RolloutBackend): Promise<EvaluationReport> {
  const episodes = opts.episodes ?? 5;
  if (!Number.isInteger(episodes) || episodes < 1) throw new Error(`episodes must be a whole number >= 1 (got ${episodes})`);
  const seed = opts.seed ?? 12345;
  const maxSteps = opts.maxSteps ?? 1000;
  const condition = opts.condition ?? NOMINAL;
  const tasks: RolloutTask[] = Array.from({ length: episodes }, (_, i) => ({
    index: i, runId: 'eval', generation: 0, center: policy.params, scale: null, members: [{ seed: 0, sign: 0 }],
    policy: policy.policy, world: { maxSteps, ...simWorld(simOf(policy)) }, episodes: [{ seed: mixSeed(seed, i), condition }], normalizer: policy.normalizer, collectObsStats: false,
  }));
  const results = await backend.runAll(tasks);
  const returns = results.map((r) => r.returns[0]!);
  const distances = results.map((r) => r.distances[0]!);
  const steps = results.map((r) => r.steps[0]!);
  const speeds = distances.map((d, i) => d / (steps[i]! * CONTROL_STEP_SECONDS));
  return {
    episodes, ...episodeFigures(returns, distances, steps),
    speedMean: speeds.reduce((a, b) => a + b, 0) / episodes,
    limitWorst: Math.max(...results.map((r) => r.limitWorst[0]!)),
    limitPast5Fraction: results.reduce((a, r) => a + r.limitPast5[0]!, 0) / (8 * steps.reduce((a, b) => a + b, 0)),
  };
}
