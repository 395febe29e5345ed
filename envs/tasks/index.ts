/**
 * The registry of temporal tasks for `propamine learn`, and the one way to build a task from
 * plain data (name, options, noise) with errors that name the field.
 */
import { cueReward } from './cue-reward.ts';
import { pairRecall } from './pair-recall.ts';
import { NOISE_KINDS, resolveTaskOptions, type NoiseKind, type Task, type TaskDefinition } from './task.ts';

export { NOISE_KINDS, type NoiseKind, type Task, type TaskDefinition, type TaskNoise, type TaskSequence } from './task.ts';

export const TASKS: Readonly<Record<string, TaskDefinition>> = { 'cue-reward': cueReward, 'pair-recall': pairRecall };

export function taskNames(): string[] {
  return Object.keys(TASKS);
}

export function getTask(name: string, path = 'task.name'): TaskDefinition {
  if (!Object.hasOwn(TASKS, name)) throw new Error(`${path} must be one of ${taskNames().join(', ')} (got ${JSON.stringify(name)})`);
  return TASKS[name];
}

/** The plain-data description of a task a run saves. */
export interface TaskConfig {
  /** A registered task name. */
  name: string;
  /** Input noise level: flip probability (flip) or standard deviation (gauss). */
  noise: number;
  /** flip (sign flips of pattern bits) or gauss (additive Gaussian). */
  noiseKind: NoiseKind;
  /** The task's whole-number options (defaults filled in). */
  options: Record<string, number>;
}

/** Validates and fills a task config; errors name the field under `path`. */
export function validateTaskConfig(raw: unknown, path = 'task'): TaskConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${path} must be an object with a name`);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!['name', 'noise', 'noiseKind', 'options'].includes(k)) throw new Error(`${path}.${k} is not a known field (known: name, noise, noiseKind, options)`);
  const def = getTask(String(r.name), `${path}.name`);
  const noiseKind = r.noiseKind ?? 'flip';
  if (!(NOISE_KINDS as readonly unknown[]).includes(noiseKind)) throw new Error(`${path}.noiseKind must be one of ${NOISE_KINDS.join(', ')} (got ${JSON.stringify(noiseKind)})`);
  const noise = r.noise ?? 0;
  const max = noiseKind === 'flip' ? 0.5 : 10;
  if (typeof noise !== 'number' || !Number.isFinite(noise) || noise < 0 || noise > max) throw new Error(`${path}.noise must be a number in [0, ${max}] for ${String(noiseKind)} noise (got ${JSON.stringify(noise)})`);
  const opts = r.options ?? {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new Error(`${path}.options must be an object`);
  return { name: def.name, noise, noiseKind: noiseKind as NoiseKind, options: resolveTaskOptions(def, opts as Record<string, unknown>, `${path}.options`) };
}

export function createTask(c: TaskConfig): Task {
  return getTask(c.name).create(c.options, { kind: c.noiseKind, level: c.noise });
}
