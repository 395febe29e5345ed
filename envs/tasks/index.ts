/**
 * The registry of temporal tasks for `propamine learn`, and the one way to build a task from
 * plain data (name, options, noise) with errors that name the field.
 */
import { cueReward } from './cue-reward.ts';
import { pairRecall } from './pair-recall.ts';
import * as v from 'valibot';
import { NOISE_KINDS, taskOptionsSchema, type Task, type TaskDefinition } from './task.ts';
import { got, oneOf, parseWith, pathTo, plainObject, strictFields } from '../../core/schema.ts';

export { NOISE_KINDS, type NoiseKind, type Task, type TaskDefinition, type TaskNoise, type TaskSequence } from './task.ts';

export const TASKS: Readonly<Record<string, TaskDefinition>> = { 'cue-reward': cueReward, 'pair-recall': pairRecall };

export function taskNames(): string[] {
  return Object.keys(TASKS);
}

export function getTask(name: string, path = 'task.name'): TaskDefinition {
  if (!Object.hasOwn(TASKS, name)) throw new Error(`${path} must be one of ${taskNames().join(', ')} (got ${JSON.stringify(name)})`);
  return TASKS[name];
}

/** The noise a task's inputs may have: at most this level for each kind. */
const MAX_NOISE: Readonly<Record<(typeof NOISE_KINDS)[number], number>> = { flip: 0.5, gauss: 10 };

/** The config of task `def`: its name, its input noise, its options. */
function taskConfigSchema(def: TaskDefinition) {
  return v.pipe(
    strictFields({
      /** A registered task name. */
      name: v.literal(def.name),
      /** Input noise level: flip probability (flip) or standard deviation (gauss). Default 0. */
      noise: v.nullish(v.number(got('must be a number')), 0),
      /** flip (sign flips of pattern bits) or gauss (additive Gaussian). Default flip. */
      noiseKind: v.nullish(oneOf(NOISE_KINDS), 'flip'),
      /** The task's whole-number options (defaults filled in). */
      options: taskOptionsSchema(def),
    }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const { noise, noiseKind } = dataset.value;
      const max = MAX_NOISE[noiseKind];
      if (!(noise >= 0 && noise <= max)) addIssue({ message: `must be a number in [0, ${max}] for ${noiseKind} noise (got ${noise})`, path: pathTo(dataset.value, 'noise') });
    }),
  );
}

/**
 * The plain-data description of a task a run saves (a learn config's `task`, a learn policy's
 * `meta.taskConfig`): one schema per registered task, told apart by the name.
 */
export const TaskConfigSchema = v.pipe(
  plainObject('must be an object with a name'),
  v.variant('name', Object.values(TASKS).map(taskConfigSchema), got(`must be one of ${taskNames().join(', ')}`)),
);

export type TaskConfig = v.InferOutput<typeof TaskConfigSchema>;

/** Validates and fills a task config; errors name the field under `path`. */
export function validateTaskConfig(raw: unknown, path = 'task'): TaskConfig {
  return parseWith(TaskConfigSchema, raw, path);
}

export function createTask(c: TaskConfig): Task {
  return getTask(c.name).create(c.options, { kind: c.noiseKind, level: c.noise });
}
