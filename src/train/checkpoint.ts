/**
 * The checkpoint file (`checkpoints/latest.json`, and `previous.json` one checkpoint
 * behind): the trainer's whole state, enough to resume bit for bit. Its digest (fsutil.ts)
 * catches a changed byte; the checks here catch what a digest cannot vouch for, such as a
 * file written without one: the fields' shapes (one schema, CHECKPOINT), every float array
 * finite, and the generation counters of the checkpoint, the strategy state and metrics.jsonl
 * in agreement.
 */
import { ACT_SIZE, OBS_SIZE } from '../../envs/ant-sim.ts';
import { layoutSize, policyLayout } from '../../policies/index.ts';
import { deserializeState, serializeState, type MaximizerState } from '../es/index.ts';
import * as v from 'valibot';
import { isPlainObject, parseWith } from '../../core/schema.ts';
import { checkFiniteArrays, count, record } from '../es/state-check.ts';
import type { TrainConfig } from './config.ts';
import { ObsNormalizer } from './normalizer.ts';
import { policyGenome, searchSize } from './plastic-from.ts';
import { lastRestart, strategyGenerations } from './stages.ts';
import type { BestStart, GenerationRecord, Trainer, TrainerSnapshot } from './trainer.ts';
import { startsEnd } from './starts.ts';

export const CHECKPOINT_FORMAT = 'propamine-checkpoint';
/**
 * 2: generations counted from 1 (`generation`: generations done; best generations from 1).
 * Version 1 (`nextGeneration`, best generations from 0, -1 for none) is converted on reading.
 */
export const CHECKPOINT_VERSION = 2;

export type Checkpoint = TrainerSnapshot & { runId: string };

/** The center a checkpoint holds as the config's policy (the policy it would test; a static stage's center grown). */
export function checkpointCenter(cp: Checkpoint, config: TrainConfig): Float64Array {
  return policyGenome(config, cp.maximizer.core.mean);
}

/** The checkpoint of a trainer, as plain JSON. */
export function checkpointJson(t: Trainer): object {
  const s = t.snapshot();
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    runId: t.runId,
    generation: s.generation,
    totalSteps: s.totalSteps,
    wallTime: s.wallTime,
    maximizer: t.maximizer.serialize(s.maximizer),
    normalizer: s.normalizer.toJSON(),
    bestTest: s.bestTest ? { ...s.bestTest, params: serializeState(s.bestTest.params) } : null,
    ...(s.bestStart ? { bestStart: { start: s.bestStart.start, fitness: s.bestStart.fitness, maximizer: t.maximizer.serialize(s.bestStart.state), normalizer: s.bestStart.normalizer.toJSON() } } : {}),
  };
}

/** A version-1 checkpoint in version 2's terms (the counts are the same, the generation labels move up by one). */
function upgradeV1(raw: Record<string, unknown>): Record<string, unknown> {
  const { nextGeneration, ...rest } = raw;
  const bump = (o: unknown) => {
    if (o && typeof o === 'object' && typeof (o as { generation?: unknown }).generation === 'number') (o as { generation: number }).generation += 1;
  };
  bump(rest.bestTest);
  bump((rest.maximizer as { best?: unknown } | undefined)?.best);
  return { ...rest, version: CHECKPOINT_VERSION, generation: nextGeneration };
}

export interface CheckpointContext {
  config: TrainConfig;
  /** The strategy's own state check (Maximizer.restore of the strategy of the checkpoint's generation). */
  restore: (json: unknown, generation: number) => MaximizerState;
  /** The run's metrics.jsonl records (generations from 1), and its path for messages. */
  metrics: GenerationRecord[];
  metricsPath: string;
}

/** The best center test a checkpoint keeps; its parameters and normalizer are checked against the run's policy after. */
const BEST_TEST = record({
  params: v.unknown(),
  generation: count({ integer: true, min: 1 }),
  return: count(),
  // Checkpoints written before the best center was judged by fitness have none: any test replaces it.
  fitness: v.optional(count(), -Infinity),
  normalizer: v.unknown(),
});

/** With several starts, the best start so far (starts.ts): its strategy state and normalizer are checked after, by parseCheckpoint. */
const BEST_START = record({
  start: count({ integer: true, min: 0 }),
  fitness: count(),
  maximizer: v.unknown(),
  normalizer: v.unknown(),
});

/**
 * A checkpoint's fields (version 2: version 1 is converted first). What depends on the run
 * (the strategy's state, the parameter count, the normalizer's size) and on the counters'
 * agreement is checked after it, by parseCheckpoint.
 */
const CHECKPOINT = record({
  generation: count({ integer: true, min: 0 }),
  runId: v.custom<string>((x) => typeof x === 'string', 'is missing'),
  totalSteps: count({ integer: true, min: 0 }),
  wallTime: count({ min: 0 }),
  maximizer: v.unknown(),
  normalizer: v.unknown(),
  bestTest: v.optional(v.nullable(BEST_TEST), null),
  bestStart: v.optional(BEST_START),
});

/** Checks a parsed checkpoint (its digest already checked); errors say what is wrong, without the file's path. */
export function parseCheckpoint(json: unknown, ctx: CheckpointContext): Checkpoint {
  if (!isPlainObject(json)) throw new Error('the checkpoint must be an object');
  let raw = json;
  if (raw.format !== CHECKPOINT_FORMAT || (raw.version !== 1 && raw.version !== CHECKPOINT_VERSION)) {
    throw new Error(`unknown format ${JSON.stringify(raw.format)} version ${JSON.stringify(raw.version)}`);
  }
  if (raw.version === 1) raw = upgradeV1(raw);
  const { generation, runId, totalSteps, wallTime, ...cp } = parseWith(CHECKPOINT, raw, 'checkpoint');

  let maximizer: MaximizerState;
  try {
    maximizer = ctx.restore(cp.maximizer, generation);
  } catch (e) {
    throw new Error(`maximizer: ${(e as Error).message}`);
  }
  const told = strategyGenerations(ctx.config, generation);
  if (maximizer.core.generation !== told) {
    const since = told === generation ? '' : ` (it restarted at generation ${lastRestart(ctx.config, generation)}: ${told} expected)`;
    throw new Error(`checkpoint.generation is ${generation} but the strategy state is after generation ${maximizer.core.generation} (maximizer.core.generation)${since}`);
  }
  const searched = searchSize(ctx.config, generation);
  if (maximizer.core.mean.length !== searched) throw new Error(`checkpoint has ${maximizer.core.mean.length} parameters but the policy needs ${searched}`);
  if (maximizer.best.generation > generation) {
    throw new Error(`maximizer.best.generation is ${maximizer.best.generation}, after the checkpoint's generation ${generation}`);
  }
  const normalizer = ObsNormalizer.fromJSON(cp.normalizer, OBS_SIZE, ctx.config.obsClip, 'checkpoint.normalizer');
  // The best center is kept as the config's policy (grown during a static stage: plastic-from.ts).
  const bestTest = cp.bestTest && checkBestTest(cp.bestTest, generation, layoutSize(policyLayout(ctx.config.policy, OBS_SIZE, ACT_SIZE)), ctx.config.obsClip);
  checkMetrics(ctx, generation, totalSteps);
  const bestStart = checkBestStart(cp.bestStart, generation, ctx);
  return { runId, generation, maximizer, normalizer, bestTest, totalSteps, wallTime, bestStart };
}

function checkBestTest(b: v.InferOutput<typeof BEST_TEST>, generation: number, numParams: number, obsClip: number): TrainerSnapshot['bestTest'] {
  const params = deserializeState(b.params, 'checkpoint.bestTest.params');
  if (!(params instanceof Float64Array) || params.length !== numParams) throw new Error(`checkpoint.bestTest.params must be a Float64Array of ${numParams} parameters`);
  checkFiniteArrays(params, 'checkpoint.bestTest.params');
  if (b.generation > generation) throw new Error(`checkpoint.bestTest.generation is ${b.generation}, after the checkpoint's generation ${generation}`);
  const normalizer = ObsNormalizer.fromJSON(b.normalizer, OBS_SIZE, obsClip, 'checkpoint.bestTest.normalizer').toJSON();
  return { return: b.return, fitness: b.fitness, generation: b.generation, params, normalizer };
}

/**
 * The best start a checkpoint keeps: there is one exactly when a start has ended and the starts
 * are not done (the best one continues as the generation after them begins), it is one of the
 * starts that ended, and its state is after that start's last generation.
 */
function checkBestStart(b: v.InferOutput<typeof BEST_START> | undefined, generation: number, ctx: CheckpointContext): BestStart | null {
  const { config } = ctx;
  const s = config.starts;
  const ended = s ? Math.min(Math.floor(generation / s.generations), s.count) : 0;
  const expected = ended > 0 && generation <= startsEnd(config);
  if (!expected) {
    if (b) throw new Error(`checkpoint.bestStart is only kept while the starts of config.starts run (it is after generation ${generation}${s ? `, the starts end at generation ${startsEnd(config)}` : ', and the run has no starts'})`);
    return null;
  }
  if (!b) throw new Error(`checkpoint.bestStart is missing: after generation ${generation}, ${ended} of the ${s!.count} starts of config.starts have ended`);
  if (b.start >= ended) throw new Error(`checkpoint.bestStart.start is ${b.start}, but only starts 0 to ${ended - 1} have ended after generation ${generation}`);
  const endGen = (b.start + 1) * s!.generations;
  let state: MaximizerState;
  try {
    state = ctx.restore(b.maximizer, endGen);
  } catch (e) {
    throw new Error(`bestStart.maximizer: ${(e as Error).message}`);
  }
  if (state.core.generation !== s!.generations) throw new Error(`checkpoint.bestStart.maximizer is after generation ${state.core.generation} of its start, but a start has ${s!.generations} (config.starts.generations)`);
  if (state.core.mean.length !== searchSize(config, endGen)) throw new Error(`checkpoint.bestStart.maximizer has ${state.core.mean.length} parameters but the policy needs ${searchSize(config, endGen)}`);
  const normalizer = ObsNormalizer.fromJSON(b.normalizer, OBS_SIZE, config.obsClip, 'checkpoint.bestStart.normalizer');
  return { start: b.start, fitness: b.fitness, state, normalizer };
}

/** metrics.jsonl must record generations 1..generation in order, the last with the checkpoint's step count. */
function checkMetrics(ctx: CheckpointContext, generation: number, totalSteps: number): void {
  const { metrics, metricsPath } = ctx;
  if (metrics.length < generation) {
    throw new Error(`it is after generation ${generation} but ${metricsPath} records ${metrics.length} generation${metrics.length === 1 ? '' : 's'}`);
  }
  for (let g = 1; g <= generation; g++) {
    if (metrics[g - 1]!.generation !== g) throw new Error(`${metricsPath} line ${g} is generation ${metrics[g - 1]!.generation}, expected ${g}`);
  }
  const steps = metrics[generation - 1]?.totalSteps;
  if (typeof steps === 'number' && steps !== totalSteps) {
    throw new Error(`checkpoint.totalSteps is ${totalSteps} but ${metricsPath} has ${steps} after generation ${generation}`);
  }
}
