/**
 * Shape checks for restored strategy state. A checkpoint that was hand-edited, truncated or
 * written by another version must fail with the field that is wrong, not later with a NaN.
 */

import type { RngState } from '../../core/rng.ts';

export function asRecord(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new Error(`${path} must be an object`);
  }
  return value as Record<string, unknown>;
}

export function fieldNumber(obj: Record<string, unknown>, key: string, path: string, opts: { integer?: boolean; min?: number; finite?: boolean } = {}): number {
  const v = obj[key];
  const where = `${path}.${key}`;
  if (typeof v !== 'number') throw new Error(`${where} must be a number (got ${v === undefined ? 'nothing' : typeof v})`);
  if ((opts.finite ?? true) && !Number.isFinite(v)) throw new Error(`${where} must be finite (got ${v})`);
  if (opts.integer && !Number.isInteger(v)) throw new Error(`${where} must be an integer (got ${v})`);
  if (opts.min !== undefined && !(v >= opts.min)) throw new Error(`${where} must be >= ${opts.min} (got ${v})`);
  return v;
}

export function fieldF64(obj: Record<string, unknown>, key: string, path: string, length?: number): Float64Array {
  const v = obj[key];
  const where = `${path}.${key}`;
  if (!(v instanceof Float64Array)) throw new Error(`${where} must be a Float64Array`);
  if (length !== undefined && v.length !== length) {
    throw new Error(`${where} must have length ${length} (got ${v.length})`);
  }
  return v;
}

export function fieldRng(obj: Record<string, unknown>, key: string, path: string): RngState {
  const where = `${path}.${key}`;
  const r = asRecord(obj[key], where);
  const s = r.s;
  if (!Array.isArray(s) || s.length !== 4 || !s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
    throw new Error(`${where}.s must be four unsigned 32-bit integers`);
  }
  const spare = r.spare ?? null;
  if (spare !== null && typeof spare !== 'number') throw new Error(`${where}.spare must be a number or null`);
  return { s: [s[0], s[1], s[2], s[3]], spare };
}

/**
 * Every float array in restored state must hold finite numbers: serialization round-trips a
 * NaN exactly, but in a center, a moment or a step size it is damage (a flipped byte, an
 * edited checkpoint) that would otherwise spread to every member and never go away.
 */
export function checkFiniteArrays(value: unknown, path: string): void {
  if (value instanceof Float64Array || value instanceof Float32Array) {
    for (let i = 0; i < value.length; i++) {
      if (!Number.isFinite(value[i])) throw new Error(`${path}[${i}] is ${value[i]} (must be finite)`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkFiniteArrays(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const [k, v] of Object.entries(value)) checkFiniteArrays(v, `${path}.${k}`);
  }
}

/** The fields every strategy state has: generation, mean, rng. */
export function baseFields(value: unknown, path: string): { obj: Record<string, unknown>; generation: number; mean: Float64Array; rng: RngState } {
  const obj = asRecord(value, path);
  const generation = fieldNumber(obj, 'generation', path, { integer: true, min: 0 });
  const mean = fieldF64(obj, 'mean', path);
  const rng = fieldRng(obj, 'rng', path);
  return { obj, generation, mean, rng };
}

/** tell() arguments must belong together: one fitness per member, vectors of the state's dimension. */
export function checkTellInputs(
  strategyName: string,
  mean: Float64Array,
  population: { mean: Float64Array; scale: Float64Array; members: readonly unknown[] },
  fitness: Float64Array,
): void {
  const d = mean.length;
  if (population.mean.length !== d || population.scale.length !== d) {
    throw new Error(`${strategyName}.tell: population has dimension ${population.mean.length}, state has ${d}`);
  }
  if (fitness.length !== population.members.length) {
    throw new Error(`${strategyName}.tell: fitness has ${fitness.length} entries but the population has ${population.members.length} members`);
  }
  for (let i = 0; i < fitness.length; i++) {
    if (!Number.isFinite(fitness[i])) {
      throw new Error(`${strategyName}.tell: shaped fitness[${i}] is ${fitness[i]}; shape fitness first (the wrapper does)`);
    }
  }
}

/** init() needs a non-empty, finite starting point; a NaN here would spread to every member. */
export function checkInitMean(strategyName: string, mean: Float64Array): void {
  if (!(mean instanceof Float64Array) || mean.length === 0) {
    throw new Error(`${strategyName}.init: mean must be a non-empty Float64Array`);
  }
  for (let j = 0; j < mean.length; j++) {
    if (!Number.isFinite(mean[j])) throw new Error(`${strategyName}.init: mean[${j}] is ${mean[j]}`);
  }
}
