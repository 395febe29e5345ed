/**
 * The contract every temporal task keeps: plain data in (options, a seed), sequences out.
 * A sequence is a matrix of inputs over input steps, the targets in {-1, +1} the network's
 * outputs should take (their sign), and which steps are scored. The patterns are drawn anew
 * for every sequence, so a task can be solved only by what the network learns within the
 * sequence. Every task takes an input-noise level: bit flips (each shown pattern bit changes
 * sign with probability `noise`, independently at every step it is shown) or Gaussian
 * (N(0, noise^2) added to every shown pattern value). Flags (reward, query) are never noisy.
 *
 * To add a task: write a `TaskDefinition` (name, summary, documented integer options with
 * defaults, `create`) in a file of its own and list it in index.ts.
 */
import * as v from 'valibot';
import type { Rng } from '../../core/rng.ts';
import { fields, wholeIn } from '../../core/schema.ts';

export const NOISE_KINDS = ['flip', 'gauss'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

export interface TaskSequence {
  /** Inputs, [steps, inputSize] row-major. */
  input: Float32Array;
  /** Targets in {-1, +1}, [steps, outputSize]; only scored steps count. */
  target: Float32Array;
  /** 1 where the step's outputs are scored. */
  scored: Uint8Array;
}

export interface Task {
  readonly name: string;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Input steps per sequence. */
  readonly steps: number;
  /** Draws one sequence (patterns, answer and noise) from `rng`. */
  sample(rng: Rng): TaskSequence;
}

export interface TaskOptionSpec {
  /** What the option sets. */
  doc: string;
  default: number;
  min: number;
  max: number;
}

export interface TaskDefinition {
  name: string;
  summary: string;
  /** Whole-number options with defaults and bounds. */
  options: Readonly<Record<string, TaskOptionSpec>>;
  create(options: Readonly<Record<string, number>>, noise: TaskNoise): Task;
}

export interface TaskNoise {
  kind: NoiseKind;
  /** Flip probability in [0, 0.5] or Gaussian standard deviation >= 0. */
  level: number;
}

/** A random +-1 pattern. */
export function randomPattern(rng: Rng, bits: number): Float32Array {
  const p = new Float32Array(bits);
  for (let i = 0; i < bits; i++) p[i] = rng.uniform() < 0.5 ? -1 : 1;
  return p;
}

/** `count` distinct random +-1 patterns (redrawn on a repeat, so no two cues are the same). */
export function distinctPatterns(rng: Rng, count: number, bits: number): Float32Array[] {
  const out: Float32Array[] = [];
  while (out.length < count) {
    const p = randomPattern(rng, bits);
    if (!out.some((q) => q.every((v, i) => v === p[i]))) out.push(p);
  }
  return out;
}

/** Writes `pattern` with noise into row `step` of `input` at column `col`. */
export function showPattern(input: Float32Array, inputSize: number, step: number, col: number, pattern: Float32Array, noise: TaskNoise, rng: Rng): void {
  const base = step * inputSize + col;
  for (let i = 0; i < pattern.length; i++) {
    let v = pattern[i];
    if (noise.level > 0) {
      if (noise.kind === 'flip') {
        if (rng.uniform() < noise.level) v = -v;
      } else v += noise.level * rng.normal();
    }
    input[base + i] = v;
  }
}

/**
 * The options of task `def`: each a whole number in its range, a missing (or null) one at its
 * default; another name is not an option of the task.
 */
export function taskOptionsSchema(def: TaskDefinition) {
  const entries = Object.fromEntries(Object.entries(def.options).map(([key, spec]) => [key, v.nullish(wholeIn(spec.min, spec.max), spec.default)]));
  const options = fields(entries, { unknownField: `option of task ${def.name}`, known: Object.keys(def.options).join(', ') });
  return v.nullish(options as v.GenericSchema<unknown, Record<string, number>>, {});
}
