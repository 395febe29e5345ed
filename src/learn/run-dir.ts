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
import { checkFiniteArrays } from '../es/state-check.ts';
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

export function loadLearnCheckpoint(dir: RunDir, numParams: number): LearnerState {
  const path = dir.checkpointPath;
  const raw = readCheckedJson(path, 'checkpoint').value as Record<string, unknown>;
  const bad = (msg: string): never => {
    throw new Error(`checkpoint ${path} is corrupt: ${msg}`);
  };
  if (raw?.format !== LEARN_CHECKPOINT_FORMAT || raw.version !== 1) bad(`unknown format ${JSON.stringify(raw?.format)} version ${JSON.stringify(raw?.version)}`);
  let s: LearnerState;
  try {
    s = deserializeState(raw.state) as LearnerState;
  } catch (e) {
    return bad((e as Error).message);
  }
  if (!s || !Number.isInteger(s.iteration) || s.iteration < 0) bad('state.iteration must be a whole number');
  if (!(s.params instanceof Float32Array) || s.params.length !== numParams) bad(`state.params must be ${numParams} float32 numbers`);
  const a = s.adam;
  if (!a || !(a.m instanceof Float64Array) || !(a.v instanceof Float64Array) || a.m.length !== numParams || a.v.length !== numParams || !Number.isInteger(a.t)) bad('state.adam must hold m, v (float64, one per parameter) and t');
  if (s.best !== null && (!(s.best?.params instanceof Float32Array) || s.best.params.length !== numParams)) bad('state.best.params must be float32, one per parameter');
  if (typeof s.wallTime !== 'number') bad('state.wallTime must be a number');
  try {
    checkFiniteArrays(s, 'state');
  } catch (e) {
    bad((e as Error).message);
  }
  return s;
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
