/**
 * The one documented configuration of a training run: its schema (config-schema.ts) gives
 * each field's type, check and description; here are the defaults and presets.
 * `resolveTrainConfig` merges a preset, a config file and command-line overrides and
 * validates the result with errors that name the field. The resolved config is saved
 * as the run's `config.json` and is all that is needed to reproduce the run.
 */
import type * as v from 'valibot';
import type { PolicyConfig } from '../../policies/index.ts';
import { strategyNames } from '../es/index.ts';
import { isPlainObject, shown } from '../../core/schema.ts';
import { parseTrainConfig, type TrainConfigSchema } from './config-schema.ts';
import { DEFAULT_SIM } from '../../envs/sim-settings.ts';

/** The config's type, checks and field descriptions come from its schema (config-schema.ts). */
export type TrainConfig = v.InferOutput<typeof TrainConfigSchema>;
export type StrategyConfig = TrainConfig['strategy'];

export type PresetName = 'quick' | 'long' | 'full';

export { FITNESS_KINDS, type FitnessKind } from './config-schema.ts';

// Synapses in float32 arithmetic, about twice as fast as float64 (bench/policy.bench.ts); a
// policy config without the field, as every run's before it, means float64.
const SNN_PRESET_POLICY = {
  type: 'snn', hidden: [32], rule: 'oja', modulation: 'simple', substeps: 4, readoutLeak: 0.5, genomeScale: { alpha: 0.1, mod: 0.1, readout: 4 },
  synapseArithmetic: 'f32',
} as PolicyConfig;

const BASE: Omit<TrainConfig, 'name'> = {
  outDir: 'runs',
  seed: 1,
  generations: 80,
  // 4 SNN steps per control step, a readout leak of 0.5 and the readout's genome scaled by 4:
  // the spiking network reacts within a control step and explores and steps its readout as far
  // as the MLP does; a tenth of the noise and step on alpha and the modulator
  // (docs/snn-learning.md, rounds 1-4). Plastic from the first generation (plasticFrom 1): the
  // static first half of rounds 4-7 was a way out of the standing basin that ranking by distance
  // removes, and restarting the search at the switch cost more than it gave (round 8).
  // `--policy static-snn` inherits the same settings.
  policy: SNN_PRESET_POLICY,
  strategy: { name: 'openai-es', popSize: 32, sigma: 0.08, lr: 0.04, l2: 0.005 },
  episodesPerMember: 1,
  maxSteps: 300,
  conditions: 'train',
  testEvery: 4,
  testEpisodes: 2,
  replayEvery: 20,
  checkpointEvery: 1,
  workers: 2,
  membersPerTask: 2,
  obsClip: 5,
  fitnessShift: 1,
  // Ranked by the distance covered, not the return: early in a run the control cost and the
  // healthy bonus outweigh the few centimetres a member moves, and the search settles into a
  // network that stands still with small actions (the SNN in 1 seed of 10 at population 32,
  // 2 of 3 at 64). Ranked by distance every seed walks (docs/snn-learning.md, round 8).
  fitness: 'distance',
  plasticFrom: 1,
  // A run without this field in its config.json ran LEGACY_SIM (see the schema).
  sim: { ...DEFAULT_SIM },
  stages: [],
  starts: null,
  init: null,
};

export const PRESETS: Readonly<Record<PresetName, Partial<TrainConfig>>> = {
  /** Visibly learns within a few minutes on 2 cores: 300-step episodes, 80 generations. */
  quick: {},
  /**
   * The quick preset's settings for twenty times the generations (about 15.4 M control steps
   * on 300-step episodes), then 190 generations on 1000-step episodes, as long as the
   * evaluation's (6.1 M): judged on whole episodes, the search improves what the gait does
   * after the first 300 steps (docs/snn-learning.md, round 9). Within an hour on an idle
   * 2-core machine. `--generations 1600` is the preset as it was before the stage: the
   * stage is not reached, and the run is the same.
   */
  long: {
    generations: 1790,
    testEvery: 10,
    replayEvery: 100,
    stages: [{ from: 1601, maxSteps: 1000 }],
  },
  /** A serious run: full 1000-step episodes, a larger network and population. */
  full: {
    generations: 1000,
    maxSteps: 1000,
    policy: { ...SNN_PRESET_POLICY, hidden: [64] } as PolicyConfig,
    strategy: { name: 'openai-es', popSize: 64, sigma: 0.06, lr: 0.03, l2: 0.005 },
    episodesPerMember: 1,
    testEvery: 5,
    testEpisodes: 3,
    replayEvery: 50,
  },
};

/** Deep merge of plain objects; arrays and scalars replace. `policy` and `strategy` merge field by field. */
export function mergeConfig<T extends Record<string, unknown>>(base: T, over: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    // A different policy type or strategy name starts from that one's defaults.
    if (k === 'policy' && isPlainObject(v) && isPlainObject(b) && v.type !== undefined && v.type !== b.type) out[k] = v;
    else if (k === 'strategy' && isPlainObject(v) && isPlainObject(b) && v.name !== undefined && v.name !== b.name) out[k] = v;
    else out[k] = isPlainObject(v) && isPlainObject(b) ? mergeConfig(b, v) : v;
  }
  return out as T;
}

/** Validates a complete config object; errors name the field (`config.strategy.sigma must be > 0`). */
export function validateTrainConfig(raw: unknown): TrainConfig {
  return parseTrainConfig(raw);
}

/** preset <- file <- overrides, then validation. */
export function resolveTrainConfig(preset: PresetName, file: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): TrainConfig {
  if (!Object.hasOwn(PRESETS, preset)) throw new Error(`--preset must be one of ${Object.keys(PRESETS).join(', ')} (got ${shown(preset)})`);
  let merged: Record<string, unknown> = mergeConfig({ ...BASE } as Record<string, unknown>, PRESETS[preset] as Record<string, unknown>);
  merged = mergeConfig(merged, file);
  merged = mergeConfig(merged, overrides);
  if (merged.name === undefined) merged.name = `${preset}-${String((merged.policy as PolicyConfig).type)}-s${String(merged.seed)}`;
  return validateTrainConfig(merged);
}

/**
 * A saved run's config.json (`train --config RUN/config.json`) with overrides. The file is
 * complete as of when it was written, so a field it lacks reads as runs trained before the
 * field existed (the schemas' defaults: ranked by the shifted return, 2 × 16 solver
 * iterations, float64 synapses, plastic from the start), never as the presets' current value.
 */
export function resolveSavedRunConfig(saved: Record<string, unknown>, overrides: Record<string, unknown> = {}): TrainConfig {
  const { digest: _digest, ...file } = saved;
  const asTrained = validateTrainConfig(file) as unknown as Record<string, unknown>;
  return validateTrainConfig(mergeConfig(asTrained, overrides));
}

export { strategyNames };
