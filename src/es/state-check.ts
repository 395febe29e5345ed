/**
 * The schemas of restored strategy state. A checkpoint that was hand-edited, truncated or
 * written by another version must fail with the field that is wrong, not later with a NaN.
 * Each strategy's state is one schema (`strategyState`): the fields every state has, its own,
 * and which of its arrays have the mean's length; the checks that are not about shapes
 * (finite arrays, tell's and init's inputs) are below, as code.
 */
import * as v from 'valibot';
import { parseWith, pathTo, record } from '../../core/schema.ts';

export { record };

/** A number: finite unless `finite` is false, a whole number with `integer`, at least `min`. */
export function count(opts: { integer?: boolean; min?: number; finite?: boolean } = {}) {
  return v.pipe(
    v.custom<number>((x) => typeof x === 'number', (i) => `must be a number (got ${i.input === undefined ? 'nothing' : typeof i.input})`),
    v.check((x) => !(opts.finite ?? true) || Number.isFinite(x), (i) => `must be finite (got ${String(i.input)})`),
    v.check((x) => !opts.integer || Number.isInteger(x), (i) => `must be an integer (got ${String(i.input)})`),
    v.check((x) => opts.min === undefined || x >= opts.min, (i) => `must be >= ${opts.min} (got ${String(i.input)})`),
  );
}

export const f64 = () => v.custom<Float64Array>((x) => x instanceof Float64Array, 'must be a Float64Array');

const rngState = record({
  s: v.custom<[number, number, number, number]>(
    (s) => Array.isArray(s) && s.length === 4 && s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff),
    'must be four unsigned 32-bit integers',
  ),
  spare: v.optional(v.custom<number | null>((x) => x === null || typeof x === 'number', 'must be a number or null'), null),
});

/** Paths of the float arrays that must have the mean's length, as keys below the state. */
type SameLength = readonly (readonly string[])[];

/**
 * A strategy's state: generation, mean and rng (every strategy's), then `entries`; the arrays
 * at `sameLength` must have the mean's length.
 */
export function strategyState<const E extends v.ObjectEntries>(entries: E, sameLength: SameLength = []) {
  return v.pipe(
    record({ generation: count({ integer: true, min: 0 }), mean: f64(), rng: rngState, ...entries }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const d = (dataset.value as { mean: Float64Array }).mean.length;
      for (const keys of sameLength) {
        const a = keys.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], dataset.value) as Float64Array;
        if (a.length !== d) addIssue({ message: `must have length ${d} (got ${a.length})`, path: pathTo(dataset.value, ...keys) });
      }
    }),
  );
}

/** The state checker a strategy exposes: a parse with errors naming the field below `path`. */
export function stateChecker<S extends v.GenericSchema>(schema: S) {
  return (value: unknown, path = 'state'): v.InferOutput<S> => parseWith(schema, value, path);
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
