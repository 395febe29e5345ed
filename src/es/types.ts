/**
 * Shared shapes of the evolution-strategy core.
 *
 * Every strategy samples its population as
 *   x_i = mean + sign_i * scale ⊙ z(seed_i)
 * where z(seed) is a standard-normal vector regenerated from a 32-bit seed (core/noise.ts).
 * A rollout worker therefore needs only the center, the scale and (seed, sign) to build a
 * member, and returns only a fitness.
 *
 * Strategies are functions over plain state (numbers, arrays, Float64Array, RngState) so a
 * checkpoint can hold the state as it is. We always maximise: a larger fitness is better.
 */

import type { RngState } from '../../core/rng.ts';
import { perturb, type Member } from '../../core/noise.ts';
import type { ShapingName } from './shaping.ts';
import type { ParamEntries } from './params.ts';

export type { Member } from '../../core/noise.ts';

export interface Population {
  /** The center of the search distribution. */
  mean: Float64Array;
  /** Per-dimension sampling standard deviation (sigma, sigma*sqrt(diag C), ...). */
  scale: Float64Array;
  /** Mirrored pairs are adjacent when the strategy mirrors: (seed,+1),(seed,-1). */
  members: Member[];
}

/**
 * Writes member i's parameters, x_i = mean + sign_i * scale ⊙ z(seed_i), into `out`.
 * `z` is an optional scratch vector of the same length; pass one to avoid an allocation
 * per call on the hot path.
 */
export function memberParams(pop: Population, i: number, out: Float32Array | Float64Array, z?: Float64Array): void {
  const d = pop.mean.length;
  if (!Number.isInteger(i) || i < 0 || i >= pop.members.length) {
    throw new Error(`memberParams: member index ${i} is outside [0, ${pop.members.length})`);
  }
  if (out.length !== d) throw new Error(`memberParams: out has length ${out.length}, expected ${d}`);
  const noise = z ?? new Float64Array(d);
  if (noise.length !== d) throw new Error(`memberParams: z has length ${noise.length}, expected ${d}`);
  const { seed, sign } = pop.members[i];
  perturb(pop.mean, pop.scale, seed, sign, out, noise);
}

/** The fields every strategy's state has. */
export interface StrategyState {
  /** Number of completed tell() calls. */
  generation: number;
  /** The center of the search distribution. */
  mean: Float64Array;
  /** Generator that draws the member seeds. */
  rng: RngState;
}

/** Named scalar figures a strategy reports after each update (all finite numbers). */
export type StrategyMetrics = Record<string, number>;

export type StrategyName = 'openai-es' | 'pgpe' | 'snes' | 'sep-cma-es';

/**
 * A strategy over plain state. Functions never mutate their inputs: they return fresh
 * state, so an old state (for example one just written to a checkpoint) stays valid.
 *
 * `tell` receives fitness that has already been shaped by the shared wrapper (wrapper.ts):
 * finite, higher is better.
 */
export interface Strategy<P extends object, S extends StrategyState> {
  readonly name: StrategyName;
  /** Hyper-parameters used for any field the caller leaves out. */
  readonly defaults: Readonly<P>;
  /** The fitness shaping the wrapper applies unless told otherwise. */
  readonly defaultShaping: ShapingName;
  /** Merges `input` over the defaults and validates; errors name the field (`strategy.sigma must be > 0`). */
  resolveParams(input?: Partial<P> | Record<string, unknown>): P;
  /** The parameters' schemas with their defaults (params.ts), of which the above are made. */
  readonly paramEntries: ParamEntries;
  init(mean: Float64Array, params: P, seed: number): S;
  ask(state: S, params: P): { population: Population; state: S };
  tell(state: S, population: Population, shapedFitnessToMaximize: Float64Array, params: P): { state: S; metrics: StrategyMetrics };
  /** Checks a deserialized value has this strategy's state shape; errors name the field. */
  checkState(value: unknown, path?: string): S;
}

/** Any registered strategy, with its own parameter and state types erased. */
export type AnyStrategy = Strategy<object, StrategyState>;
