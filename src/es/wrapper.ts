/**
 * The one wrapper every strategy runs in: it shapes the raw fitness (which we maximise)
 * before the strategy's update and keeps the best member seen so far.
 *
 * A non-finite fitness (a NaN from a diverged rollout) is the worst possible outcome: it is
 * never chosen as best, and shaping ranks it below every finite value, so the update
 * neither follows it nor becomes NaN. A generation with no finite fitness at all is counted
 * but leaves the strategy's state unchanged. The strategy's own tell() only ever sees
 * finite, shaped values.
 *
 * The state is plain data: `serialize` gives a JSON-ready checkpoint and `restore` checks
 * and rebuilds it bit for bit.
 */

import { getShaping, type FitnessShaping, type ShapingName } from './shaping.ts';
import { deserializeState, serializeState, type SerializedState } from '../../core/codec.ts';
import * as v from 'valibot';
import { checkedBy, parseWith, pathTo } from '../../core/schema.ts';
import { checkFiniteArrays, count, record } from './state-check.ts';
import { memberParams, type Population, type Strategy, type StrategyMetrics, type StrategyName, type StrategyState } from './types.ts';

export interface BestSoFar {
  /** Highest finite raw fitness seen; -Infinity before the first finite one. */
  fitness: number;
  /** Parameters of that member; null before the first finite fitness. */
  params: Float64Array | null;
  /** Generation in which it was found (counted from 1, as everywhere); 0 before. */
  generation: number;
}

export interface MaximizerState<S extends StrategyState = StrategyState> {
  strategy: StrategyName;
  core: S;
  best: BestSoFar;
}

/** One plain record per generation; null where no member had a finite fitness. */
export interface GenerationMetrics {
  /** The generation just told (counted from 1: the state's generation after the update). */
  generation: number;
  fitnessMax: number | null;
  fitnessMean: number | null;
  fitnessMin: number | null;
  /** Members whose fitness was NaN or infinite. */
  nonFinite: number;
  bestSoFar: number | null;
  /** Whether this generation produced a new best. */
  improved: boolean;
  /** The strategy's own figures; empty when no fitness was finite and the update was skipped. */
  strategy: StrategyMetrics;
}

export interface MaximizerOptions {
  /** Fitness shaping; the strategy's default when left out. */
  shaping?: ShapingName;
}

export interface Maximizer<P extends object, S extends StrategyState> {
  readonly strategy: Strategy<P, S>;
  readonly params: Readonly<P>;
  readonly shaping: ShapingName;
  init(mean: Float64Array, seed: number): MaximizerState<S>;
  ask(state: MaximizerState<S>): { population: Population; state: MaximizerState<S> };
  tell(state: MaximizerState<S>, population: Population, fitnessToMaximize: Float64Array): { state: MaximizerState<S>; metrics: GenerationMetrics };
  /** The current center of the search distribution (do not mutate). */
  center(state: MaximizerState<S>): Float64Array;
  serialize(state: MaximizerState<S>): SerializedState;
  /** Inverse of serialize; throws naming the field when the checkpoint is malformed or an array holds a non-finite number. */
  restore(json: unknown): MaximizerState<S>;
}

export function createMaximizer<P extends object, S extends StrategyState>(
  strategy: Strategy<P, S>,
  params?: Partial<P> | Record<string, unknown>,
  options: MaximizerOptions = {},
): Maximizer<P, S> {
  const resolved = strategy.resolveParams(params);
  const shapingName = options.shaping ?? strategy.defaultShaping;
  const shape: FitnessShaping = getShaping(shapingName);

  function tell(state: MaximizerState<S>, population: Population, fitnessToMaximize: Float64Array) {
    const n = population.members.length;
    if (fitnessToMaximize.length !== n) {
      throw new Error(`tell: fitness has ${fitnessToMaximize.length} entries but the population has ${n} members`);
    }
    let bestIdx = -1;
    let max = -Infinity;
    let min = Infinity;
    let sum = 0;
    let finite = 0;
    for (let i = 0; i < n; i++) {
      const f = fitnessToMaximize[i];
      if (!Number.isFinite(f)) continue;
      finite++;
      sum += f;
      if (f < min) min = f;
      if (f > max) {
        max = f;
        bestIdx = i;
      }
    }
    // A generation in which every rollout failed says nothing about where to go: count it
    // but leave the search distribution alone (shaping would make it a random selection).
    let core: S;
    let strategyMetrics: StrategyMetrics = {};
    if (finite === 0) {
      core = { ...state.core, generation: state.core.generation + 1 };
    } else {
      ({ state: core, metrics: strategyMetrics } = strategy.tell(state.core, population, shape(fitnessToMaximize), resolved));
    }
    let best = state.best;
    const improved = bestIdx >= 0 && max > best.fitness;
    if (improved) {
      const params = new Float64Array(population.mean.length);
      memberParams(population, bestIdx, params);
      best = { fitness: max, params, generation: state.core.generation + 1 };
    }
    const metrics: GenerationMetrics = {
      generation: state.core.generation + 1,
      fitnessMax: finite > 0 ? max : null,
      fitnessMean: finite > 0 ? sum / finite : null,
      fitnessMin: finite > 0 ? min : null,
      nonFinite: n - finite,
      bestSoFar: best.params === null ? null : best.fitness,
      improved,
      strategy: strategyMetrics,
    };
    return { state: { strategy: strategy.name, core, best }, metrics };
  }

  // A checkpoint's maximizer state: this strategy's name and state, and the best so far.
  const stateSchema = v.pipe(
    record({
      strategy: v.custom<StrategyName>((x) => x === strategy.name, (i) => `is ${JSON.stringify(i.input)} but this run uses ${JSON.stringify(strategy.name)}`),
      core: v.pipe(v.unknown(), checkedBy((core) => strategy.checkState(core, ''))),
      // In the order a checkpoint holds them.
      best: record({
        fitness: count({ finite: false }),
        params: v.custom<Float64Array | null>((x) => x === null || x instanceof Float64Array, "must be null or a Float64Array of the mean's length"),
        generation: count({ integer: true, min: 0 }),
      }),
    }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const { core, best } = dataset.value;
      if (best.params !== null && best.params.length !== core.mean.length) {
        addIssue({ message: `must be null or a Float64Array of length ${core.mean.length}`, path: pathTo(dataset.value, 'best', 'params') });
      } else if (Number.isNaN(best.fitness) || (best.params === null) !== (best.fitness === -Infinity)) {
        addIssue({ message: 'must be -Infinity exactly when state.best.params is null', path: pathTo(dataset.value, 'best', 'fitness') });
      }
    }),
  );

  function restore(json: unknown): MaximizerState<S> {
    const { core, best } = parseWith(stateSchema, deserializeState(json), 'state');
    checkFiniteArrays(core, 'state.core');
    checkFiniteArrays(best.params, 'state.best.params');
    return { strategy: strategy.name, core, best };
  }

  return {
    strategy,
    params: resolved,
    shaping: shapingName,
    init(mean, seed) {
      return {
        strategy: strategy.name,
        core: strategy.init(mean, resolved, seed),
        best: { fitness: -Infinity, params: null, generation: 0 },
      };
    },
    ask(state) {
      const { population, state: core } = strategy.ask(state.core, resolved);
      return { population, state: { ...state, core } };
    },
    tell,
    center: (state) => state.core.mean,
    serialize: (state) => serializeState(state),
    restore,
  };
}
