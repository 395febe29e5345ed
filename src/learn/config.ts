/**
 * The one documented configuration of a gradient-training run (`propamine learn`). Every
 * field has a default and a doc comment; `resolveLearnConfig` merges the defaults, a config
 * file and command-line overrides and validates the result with errors that name the field.
 * The resolved config is saved as the run's `config.json`: all a run needs to be reproduced.
 */
import { describePolicy, validatePolicyConfig, type SnnPolicyConfig } from '../../policies/index.ts';
import { checkBpttConfig } from '../../policies/bptt-trace.ts';
import { validateTaskConfig, type TaskConfig } from '../../envs/tasks/index.ts';
import { int, isObj, mergeConfig, num } from '../train/config.ts';

export const ENGINES = ['js', 'tf'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface LearnConfig {
  /** Marks a run directory as a gradient-training run. */
  kind: 'learn';
  /** Run name: the run directory is `<outDir>/<name>`. */
  name: string;
  /** Folder holding run directories. */
  outDir: string;
  /** Master seed: initialization and every training batch derive from it. */
  seed: number;
  /** The task and its input noise. */
  task: TaskConfig;
  /** The network: one hidden layer, leaky readout (the policy config SnnPolicy reads). */
  policy: SnnPolicyConfig;
  /** Gradient steps to take (a resumed run continues up to this number). */
  iterations: number;
  /** Sequences per gradient step. */
  batch: number;
  /** Adam's learning rate at the start. */
  lr: number;
  /** The rate decays along a half cosine from lr to lr * lrFinal at the last iteration. */
  lrFinal: number;
  /** The gradient is rescaled to this global norm when longer (0: no clipping). */
  gradClip: number;
  /** Firing-rate penalty weight: w * mean_j max(0, rate_j - rateTarget)^2 per sequence (0: off). */
  rateWeight: number;
  /** Spikes per neuron per SNN step above which the penalty acts. */
  rateTarget: number;
  /** Evaluate on the held-out sequences every this many iterations (and at the end). */
  evalEvery: number;
  /** Held-out sequences (a fixed set, the same for every run of the task). */
  evalSize: number;
  /** Write a checkpoint every this many iterations (and always on stop). */
  checkpointEvery: number;
  /** Surrogate gradient ds/dv = scale / (1 + slope |v - v_th|)^2. */
  surrogate: { slope: number; scale: number };
  /** Leave the reset term out of the gradient. */
  detachReset: boolean;
  /** Initialization scales: W_in ~ N(0, (inputGain / sqrt(nIn))^2), alpha ~ U(-alphaRange, alphaRange), b = bias. */
  init: { inputGain: number; alphaRange: number; bias: number };
  /** Gradient engine: js (hand-written Float32Array BPTT) or tf (TensorFlow.js autodiff). */
  engine: EngineName;
}

export const DEFAULT_LEARN: Omit<LearnConfig, 'name'> = {
  kind: 'learn',
  outDir: 'runs',
  seed: 1,
  task: { name: 'cue-reward', noise: 0, noiseKind: 'flip', options: {} },
  policy: { type: 'snn', hidden: [64], rule: 'hebb', modulation: 'simple', substeps: 2 } as SnnPolicyConfig,
  iterations: 800,
  batch: 32,
  lr: 0.003,
  lrFinal: 0.1,
  gradClip: 1,
  rateWeight: 1,
  rateTarget: 0.2,
  evalEvery: 10,
  evalSize: 256,
  checkpointEvery: 10,
  surrogate: { slope: 5, scale: 0.5 },
  detachReset: true,
  init: { inputGain: 0.4, alphaRange: 0.05, bias: -0.05 },
  engine: 'js',
};

const KEYS = new Set<string>([...Object.keys(DEFAULT_LEARN), 'name']);

function subKeys(v: unknown, field: string, keys: string[]): Record<string, unknown> {
  if (!isObj(v)) throw new Error(`${field} must be an object with ${keys.join(', ')}`);
  for (const k of Object.keys(v)) if (!keys.includes(k)) throw new Error(`${field}.${k} is not a known field (known: ${keys.join(', ')})`);
  return v;
}

/** Validates a complete learn config; errors name the field (`config.batch must be ...`). */
export function validateLearnConfig(raw: unknown): LearnConfig {
  if (!isObj(raw)) throw new Error('config must be an object');
  for (const k of Object.keys(raw)) if (!KEYS.has(k)) throw new Error(`config.${k} is not a known field (known: ${[...KEYS].sort().join(', ')})`);
  const c = raw;
  if (c.kind !== 'learn') throw new Error(`config.kind must be "learn" (got ${JSON.stringify(c.kind)})`);
  if (typeof c.name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(c.name)) throw new Error(`config.name must be letters, digits, '.', '_' or '-' (got ${JSON.stringify(c.name)})`);
  if (typeof c.outDir !== 'string' || !c.outDir) throw new Error('config.outDir must be a non-empty path');
  let policy: SnnPolicyConfig;
  try {
    const p = validatePolicyConfig(c.policy);
    if (p.type !== 'snn') throw new Error('policy.type must be "snn" for gradient training');
    checkBpttConfig(p);
    policy = p;
  } catch (e) {
    throw new Error(`config.${(e as Error).message}`);
  }
  let task: TaskConfig;
  try {
    task = validateTaskConfig(c.task);
  } catch (e) {
    throw new Error(`config.${(e as Error).message}`);
  }
  const s = subKeys(c.surrogate, 'config.surrogate', ['slope', 'scale']);
  const init = subKeys(c.init, 'config.init', ['inputGain', 'alphaRange', 'bias']);
  if (typeof c.detachReset !== 'boolean') throw new Error(`config.detachReset must be true or false (got ${JSON.stringify(c.detachReset)})`);
  if (!(ENGINES as readonly unknown[]).includes(c.engine)) throw new Error(`config.engine must be one of ${ENGINES.join(', ')} (got ${JSON.stringify(c.engine)})`);
  return {
    kind: 'learn',
    name: c.name,
    outDir: c.outDir,
    seed: int(c.seed, 'config.seed', 0, 2 ** 32 - 1),
    task,
    policy,
    iterations: int(c.iterations, 'config.iterations', 1, 10_000_000),
    batch: int(c.batch, 'config.batch', 1, 4096),
    lr: num(c.lr, 'config.lr', 1e-9, 10),
    lrFinal: num(c.lrFinal, 'config.lrFinal', 0, 1),
    gradClip: num(c.gradClip, 'config.gradClip', 0, 1e9),
    rateWeight: num(c.rateWeight, 'config.rateWeight', 0, 1e6),
    rateTarget: num(c.rateTarget, 'config.rateTarget', 0, 1),
    evalEvery: int(c.evalEvery, 'config.evalEvery', 1),
    evalSize: int(c.evalSize, 'config.evalSize', 1, 100_000),
    checkpointEvery: int(c.checkpointEvery, 'config.checkpointEvery', 1),
    surrogate: { slope: num(s.slope, 'config.surrogate.slope', 1e-3, 1e3), scale: num(s.scale, 'config.surrogate.scale', 1e-6, 100) },
    detachReset: c.detachReset,
    init: {
      inputGain: num(init.inputGain, 'config.init.inputGain', 0, 100),
      alphaRange: num(init.alphaRange, 'config.init.alphaRange', 0, 100),
      bias: num(init.bias, 'config.init.bias', -100, 100),
    },
    engine: c.engine as EngineName,
  };
}

/** defaults <- file <- overrides, then validation. A task or policy given in part keeps the other fields' defaults. */
export function resolveLearnConfig(file: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): LearnConfig {
  let merged = mergeConfig({ ...DEFAULT_LEARN } as unknown as Record<string, unknown>, file);
  merged = mergeConfig(merged, overrides);
  if (merged.name === undefined) {
    const p = merged.policy as SnnPolicyConfig;
    const t = merged.task as TaskConfig;
    const kind = p.rule === 'none' ? 'static' : `${p.rule}-${p.modulation}`;
    merged.name = `learn-${t.name}-${kind}-s${String(merged.seed)}`;
  }
  return validateLearnConfig(merged);
}

/** A one-line summary, e.g. `cue-reward (flip noise 0.1): snn 10-[64rp]-1 hebb/simple ...`. */
export function describeLearn(c: LearnConfig, nIn: number, nOut: number): string {
  const noise = c.task.noise > 0 ? ` (${c.task.noiseKind} noise ${c.task.noise})` : '';
  return `${c.task.name}${noise}: ${describePolicy(c.policy, nIn, nOut)}`;
}
