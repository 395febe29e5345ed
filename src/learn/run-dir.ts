/**
 * A gradient-training run directory, shaped like `train`'s (train/run-dir.ts, whose paths and
 * atomic writes it shares): `config.json` (the resolved learn config), `metrics.jsonl` (one
 * record per iteration), `checkpoints/latest.json` (genome, Adam state, best so far,
 * iteration: resuming continues bit for bit, since every batch derives from the seed and the
 * iteration; like a train run's files, config and checkpoint carry a digest of their content and
 * a changed one is refused naming the file) and `best.json` (the genome with the best held-out accuracy, as a policy file
 * with the task's input and output sizes).
 */
import { basename, join } from 'node:path';
import { atomicWriteCheckedJson, readCheckedJson } from '../fsutil.ts';
import { deserializeState, serializeState } from '../es/index.ts';
import * as v from 'valibot';
import { parseWith } from '../../core/schema.ts';
import { checkFiniteArrays, count, record } from '../es/state-check.ts';
import { RunDir } from '../train/run-dir.ts';
import { savePolicyFile } from '../train/policy-file.ts';
import type { Task } from '../../envs/tasks/index.ts';
import { validateLearnConfig, type LearnConfig } from './config.ts';
import type { LearnerState } from './learner.ts';

export const LEARN_CHECKPOINT_FORMAT = 'propamine-learn-checkpoint';

export function createLearnRun(config: LearnConfig): RunDir {
  return RunDir.create(config, { replays: false });
}

/** Reads a learn run's config.json; a train run or a corrupt file is one error naming the path. */
export function readLearnConfig(dir: RunDir): LearnConfig {
  const path = join(dir.path, 'config.json');
  const raw = readCheckedJson(path, 'run config', '; if the change was deliberate, delete its "digest" field to accept it').value as Record<string, unknown>;
  if (raw?.kind !== 'learn') throw new Error(`${dir.path} is not a propamine learn run (its config.json has no "kind": "learn")`);
  try {
    return validateLearnConfig(raw);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

export function saveLearnCheckpoint(dir: RunDir, s: LearnerState): void {
  atomicWriteCheckedJson(dir.checkpointPath, {
    format: LEARN_CHECKPOINT_FORMAT,
    version: 1,
    state: serializeState(s),
  });
}

/** A learn checkpoint's state for a genome of `numParams` parameters (fields in the order it is written). */
function learnerStateSchema(numParams: number) {
  const f32 = (message: string) => v.custom<Float32Array>((x) => x instanceof Float32Array && x.length === numParams, message);
  const f64 = v.custom<Float64Array>((x) => x instanceof Float64Array && x.length === numParams, `must be ${numParams} float64 numbers`);
  return record({
    iteration: v.custom<number>((x) => Number.isInteger(x) && (x as number) >= 0, 'must be a whole number'),
    params: f32(`must be ${numParams} float32 numbers`),
    adam: record({ m: f64, v: f64, t: count({ integer: true, min: 0 }) }),
    best: v.nullable(record({
      iteration: count({ integer: true, min: 0 }),
      accuracy: count({ finite: false }),
      loss: count({ finite: false }),
      params: f32('must be float32, one per parameter'),
    })),
    wallTime: count({ finite: false }),
  });
}

export function loadLearnCheckpoint(dir: RunDir, numParams: number): LearnerState {
  const path = dir.checkpointPath;
  const raw = readCheckedJson(path, 'checkpoint').value as Record<string, unknown>;
  try {
    if (raw?.format !== LEARN_CHECKPOINT_FORMAT || raw.version !== 1) throw new Error(`unknown format ${JSON.stringify(raw?.format)} version ${JSON.stringify(raw?.version)}`);
    const s = parseWith(learnerStateSchema(numParams), deserializeState(raw.state), 'state');
    checkFiniteArrays(s, 'state');
    return s;
  } catch (e) {
    throw new Error(`checkpoint ${path} is corrupt: ${(e as Error).message}`);
  }
}

/** best.json: the best genome as a policy file with the task's sizes. */
export function saveLearnBest(dir: RunDir, config: LearnConfig, task: Task, best: NonNullable<LearnerState['best']>): void {
  savePolicyFile(dir.bestPath, {
    policy: config.policy,
    io: { obsSize: task.inputSize, actSize: task.outputSize },
    params: Float64Array.from(best.params),
    normalizer: null,
    meta: { run: basename(dir.path), task: config.task.name, taskConfig: config.task, iteration: best.iteration, accuracy: best.accuracy },
  });
}
