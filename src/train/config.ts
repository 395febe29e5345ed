/**
 * The one documented configuration of a training run. Every field has a default and a doc
 * comment; `resolveTrainConfig` merges a preset, a config file and command-line overrides
 * and validates the result with errors that name the field. The resolved config is saved
 * as the run's `config.json` and is all that is needed to reproduce the run.
 */
import { validatePolicyConfig, type PolicyConfig } from '../../policies/index.ts';
import { getStrategy, strategyNames } from '../es/index.ts';
import { BUILTIN_SUITES } from '../../envs/suites.ts';
import { shown } from '../../envs/shown.ts';

export interface StrategyConfig {
  /** One of the registered strategies (openai-es, pgpe, snes, sep-cma-es). */
  name: string;
  /** Fitness shaping (centered-rank, z-score, identity, nes-utility); the strategy's default when absent. */
  shaping?: string;
  /** The strategy's hyper-parameters (popSize, sigma, lr, ...); defaults per strategy. */
  [hyper: string]: unknown;
}

export interface TrainConfig {
  /** Run name: the run directory is `<outDir>/<name>`. */
  name: string;
  /** Folder holding run directories. */
  outDir: string;
  /** Master seed: search noise, episode seeds and conditions all derive from it. */
  seed: number;
  /** Generations to train (a resumed run continues up to this number). */
  generations: number;
  /** The controller. */
  policy: PolicyConfig;
  /** The evolution strategy and its hyper-parameters. */
  strategy: StrategyConfig;
  /** Episodes per member per generation (every member runs the same seeds and conditions). */
  episodesPerMember: number;
  /** Control steps per training episode (Gymnasium: 1000). */
  maxSteps: number;
  /** Training distribution of conditions: a built-in suite name or a suite file path. */
  conditions: string;
  /** Test the center every this many generations (0: never). */
  testEvery: number;
  /** Nominal test episodes of the center (fixed seeds, separate from training seeds). */
  testEpisodes: number;
  /** Record a replay of the center every this many generations (0: never); also at the end. */
  replayEvery: number;
  /** Write a checkpoint every this many generations (and always on stop). */
  checkpointEvery: number;
  /** Rollout worker threads (0: in the main thread). */
  workers: number;
  /** Members per rollout task (a fixed chunking, so results never depend on the number of workers). */
  membersPerTask: number;
  /** Observations are normalized by a running mean/std and clipped to ±obsClip. */
  obsClip: number;
  /**
   * Subtracted from the reward per step when ranking members (reported returns are
   * unshifted). 1 removes the healthy bonus, as ARS does for the ant: otherwise standing
   * still is a strong local optimum that ES takes long to leave.
   */
  fitnessShift: number;
  /**
   * Start from a trained policy instead of random parameters: a run directory (its best
   * center and the observation statistics it was trained with) or a policy file. null:
   * random initialization from the seed.
   */
  init: string | null;
}

export type PresetName = 'quick' | 'full';

const SNN_PRESET_POLICY = {
  type: 'snn', hidden: [32], rule: 'oja', modulation: 'simple', substeps: 4, readoutLeak: 0.5, genomeScale: { readout: 4 },
} as PolicyConfig;

const BASE: Omit<TrainConfig, 'name'> = {
  outDir: 'runs',
  seed: 1,
  generations: 80,
  // 4 SNN steps per control step, a readout leak of 0.5 and the readout's genome scaled by 4:
  // the spiking network reacts within a control step and explores and steps its readout as far
  // as the MLP does (docs/snn-learning.md). `--policy static-snn` inherits them.
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
  init: null,
};

export const PRESETS: Readonly<Record<PresetName, Partial<TrainConfig>>> = {
  /** Visibly learns within a few minutes on 2 cores: 300-step episodes, 80 generations. */
  quick: {},
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

const KEYS = new Set<string>([...Object.keys(BASE), 'name']);

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function int(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`${field} must be a whole number in [${min}, ${max}] (got ${shown(v)})`);
  return v;
}

export function num(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new Error(`${field} must be a number in [${min}, ${max}] (got ${shown(v)})`);
  return v;
}

/** Deep merge of plain objects; arrays and scalars replace. `policy` and `strategy` merge field by field. */
export function mergeConfig<T extends Record<string, unknown>>(base: T, over: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    // A different policy type or strategy name starts from that one's defaults.
    if (k === 'policy' && isObj(v) && isObj(b) && v.type !== undefined && v.type !== b.type) out[k] = v;
    else if (k === 'strategy' && isObj(v) && isObj(b) && v.name !== undefined && v.name !== b.name) out[k] = v;
    else out[k] = isObj(v) && isObj(b) ? mergeConfig(b, v) : v;
  }
  return out as T;
}

/** Validates a complete config object; errors name the field (`config.strategy.sigma must be > 0`). */
export function validateTrainConfig(raw: unknown): TrainConfig {
  if (!isObj(raw)) throw new Error('config must be an object');
  for (const k of Object.keys(raw)) if (!KEYS.has(k)) throw new Error(`config.${k} is not a known field (known: ${[...KEYS].sort().join(', ')})`);
  const c = raw as Record<string, unknown>;
  if (typeof c.name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(c.name)) throw new Error(`config.name must be letters, digits, '.', '_' or '-' (got ${shown(c.name)})`);
  if (typeof c.outDir !== 'string' || !c.outDir) throw new Error('config.outDir must be a non-empty path');
  const strategy = c.strategy;
  if (!isObj(strategy)) throw new Error('config.strategy must be an object with a name');
  const s = getStrategy(String(strategy.name));
  const { name: _n, shaping, ...hyper } = strategy;
  try {
    s.resolveParams(hyper);
  } catch (e) {
    throw new Error(`config.${(e as Error).message}`);
  }
  if (shaping !== undefined && !['centered-rank', 'z-score', 'identity', 'nes-utility'].includes(String(shaping))) {
    throw new Error(`config.strategy.shaping must be one of centered-rank, z-score, identity, nes-utility (got ${shown(shaping)})`);
  }
  let policy: PolicyConfig;
  try {
    policy = validatePolicyConfig(c.policy);
  } catch (e) {
    throw new Error(`config.${(e as Error).message}`);
  }
  if (typeof c.conditions !== 'string' || !c.conditions) throw new Error(`config.conditions must be a suite name (${Object.keys(BUILTIN_SUITES).join(', ')}) or a suite file path`);
  if (typeof c.obsClip !== 'number' || !(c.obsClip > 0)) throw new Error(`config.obsClip must be a number > 0 (got ${shown(c.obsClip)})`);
  return {
    name: c.name,
    outDir: c.outDir,
    seed: int(c.seed, 'config.seed', 0, 2 ** 32 - 1),
    generations: int(c.generations, 'config.generations', 1),
    policy,
    strategy: { ...strategy, name: s.name },
    episodesPerMember: int(c.episodesPerMember, 'config.episodesPerMember', 1, 100),
    maxSteps: int(c.maxSteps, 'config.maxSteps', 1, 100_000),
    conditions: c.conditions,
    testEvery: int(c.testEvery, 'config.testEvery', 0),
    testEpisodes: int(c.testEpisodes, 'config.testEpisodes', 1, 100),
    replayEvery: int(c.replayEvery, 'config.replayEvery', 0),
    checkpointEvery: int(c.checkpointEvery, 'config.checkpointEvery', 1),
    workers: int(c.workers, 'config.workers', 0, 256),
    membersPerTask: int(c.membersPerTask, 'config.membersPerTask', 1, 4096),
    obsClip: c.obsClip,
    fitnessShift: num(c.fitnessShift, 'config.fitnessShift', -100, 100),
    init: initSource(c.init),
  };
}

function initSource(v: unknown): string | null {
  // Configs saved before this field existed start from random parameters.
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !v) throw new Error(`config.init must be a run directory or policy file path, or null (got ${shown(v)})`);
  return v;
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

export { strategyNames };
