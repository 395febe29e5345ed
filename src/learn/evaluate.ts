/**
 * Scoring a trained genome away from training: on the held-out set the trainer selects with,
 * and on a separate test set (its own seed, never seen during training or selection), which
 * is the figure results report. Loads a learn run directory (its best.json and config) or a
 * policy file written by `propamine learn`.
 */
import { existsSync, statSync } from 'node:fs';

import { mixSeed, Rng } from '../../core/rng.ts';
import { createTask, validateTaskConfig, type Task, type TaskConfig, type TaskSequence } from '../../envs/tasks/index.ts';
import type { SnnPolicyConfig } from '../../policies/index.ts';
import { loadPolicyFile } from '../train/policy-file.ts';
import { RunDir } from '../train/run-dir.ts';
import { resolveLearnConfig, type LearnConfig } from './config.ts';
import { JsEngine, type BatchStats } from './engine.ts';
import { heldOutSet } from './learner.ts';
import { readLearnConfig } from './run-dir.ts';

/** Test sequences come from this seed (apart from training batches and the held-out set). */
export const TEST_SEED = 0x7e57;

export function testSet(task: Task, size: number): TaskSequence[] {
  return Array.from({ length: size }, (_, i) => task.sample(new Rng(mixSeed(TEST_SEED, i))));
}

export interface TrainedGenome {
  policy: SnnPolicyConfig;
  task: TaskConfig;
  params: Float32Array;
  /** The run's config when loaded from a run directory (for its surrogate and rate settings). */
  config: LearnConfig | null;
  source: string;
}

export function loadTrainedGenome(path: string): TrainedGenome {
  if (!existsSync(path)) throw new Error(`no such run directory or policy file: ${path}`);
  let config: LearnConfig | null = null;
  let file = path;
  if (statSync(path).isDirectory()) {
    const dir = RunDir.open(path);
    config = readLearnConfig(dir);
    file = dir.bestPath;
    if (!existsSync(file)) throw new Error(`${dir.path} has no best.json yet (it is written at the first held-out evaluation)`);
  }
  const p = loadPolicyFile(file, { anyIo: true });
  if (p.policy.type !== 'snn' || !p.io) throw new Error(`${file} is not a policy trained by propamine learn (no task sizes)`);
  let task: TaskConfig;
  try {
    task = validateTaskConfig(config?.task ?? p.meta.taskConfig, 'meta.taskConfig');
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  return { policy: p.policy, task, params: Float32Array.from(p.params), config, source: file };
}

export interface GenomeScore {
  heldOut: BatchStats;
  test: BatchStats;
  testSize: number;
}

/** Scores a genome on the held-out and test sets of `task` (by default the one it was trained on). */
export function scoreGenome(g: TrainedGenome, testSize: number, task: TaskConfig = g.task): GenomeScore {
  const config = { ...(g.config ?? resolveLearnConfig({}, { policy: g.policy, task })), policy: g.policy, task };
  const t = createTask(task);
  const engine = new JsEngine(config, t);
  if (engine.numParams !== g.params.length) throw new Error(`${g.source}: the task ${task.name} with these options needs ${engine.numParams} parameters, the genome has ${g.params.length}`);
  return { heldOut: engine.evaluate(g.params, heldOutSet(t, config.evalSize)), test: engine.evaluate(g.params, testSet(t, testSize)), testSize };
}

export function describeScore(s: GenomeScore): string {
  const f = (b: BatchStats) => `accuracy ${b.accuracy.toFixed(3)}, loss ${b.taskLoss.toFixed(3)}, rate ${b.rate.toFixed(3)}`;
  return `held-out: ${f(s.heldOut)}\ntest (${s.testSize} fresh sequences): ${f(s.test)}`;
}

