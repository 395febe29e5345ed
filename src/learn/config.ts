/**
 * The one documented configuration of a gradient-training run (`propamine learn`): one
 * valibot schema gives the `LearnConfig` type, each field's check with errors that name the
 * field (`config.batch must be a whole number in [1, 4096] (got 0)`) and its description,
 * which `propamine learn --help` prints; here too are the defaults. `resolveLearnConfig`
 * merges the defaults, a config file and command-line overrides and validates the result.
 * The resolved config is saved as the run's `config.json`: all a run needs to be reproduced.
 */
import * as v from 'valibot';
import { describePolicy, PolicyConfigSchema, type SnnPolicyConfig } from '../../policies/index.ts';
import { checkBpttConfig } from '../../policies/bptt-trace.ts';
import { TaskConfigSchema, type TaskConfig } from '../../envs/tasks/index.ts';
import { bool, checkedBy, documentedFields, fields, got, numberIn, oneOf, parseWith, plainObject, strictFields, wholeIn, withEveryField } from '../../core/schema.ts';
import { mergeConfig } from '../train/config.ts';

export const ENGINES = ['js', 'tf'] as const;
export type EngineName = (typeof ENGINES)[number];

const nameMessage = got("must be letters, digits, '.', '_' or '-'");

/** Each field with its description (the doc of config.json and of `--help`) and its check, in config.json's order. */
const LEARN_FIELDS = documentedFields({
  kind: { doc: 'marks a run directory as a gradient-training run', schema: v.literal('learn', got('must be "learn"')) },
  name: { doc: 'run name: the run directory is <outDir>/<name>', schema: v.pipe(v.string(nameMessage), v.regex(/^[A-Za-z0-9._-]+$/, nameMessage)) },
  outDir: { doc: 'folder for run directories', schema: v.pipe(v.string('must be a non-empty path'), v.nonEmpty('must be a non-empty path')) },
  seed: { doc: 'master seed: initialization and every training batch derive from it', schema: wholeIn(0, 2 ** 32 - 1) },
  task: { doc: 'the task and its input noise', schema: TaskConfigSchema },
  policy: {
    doc: 'the network: one hidden layer, leaky readout (the policy config SnnPolicy reads)',
    schema: v.pipe(PolicyConfigSchema, checkedBy((p, path): SnnPolicyConfig => {
      if (p.type !== 'snn') throw new Error(`${path}.type must be "snn" for gradient training`);
      checkBpttConfig(p, path);
      return p;
    })),
  },
  iterations: { doc: 'gradient steps to take (a resumed run continues up to this number)', schema: wholeIn(1, 10_000_000) },
  batch: { doc: 'sequences per gradient step', schema: wholeIn(1, 4096) },
  lr: { doc: "Adam's learning rate at the start", schema: numberIn(1e-9, 10) },
  lrFinal: { doc: 'the rate decays along a half cosine from lr to lr * lrFinal at the last iteration', schema: numberIn(0, 1) },
  gradClip: { doc: 'the gradient is rescaled to this global norm when longer (0: no clipping)', schema: numberIn(0, 1e9) },
  rateWeight: { doc: 'firing-rate penalty weight: w * mean_j max(0, rate_j - rateTarget)^2 per sequence (0: off)', schema: numberIn(0, 1e6) },
  rateTarget: { doc: 'spikes per neuron per SNN step above which the penalty acts', schema: numberIn(0, 1) },
  evalEvery: { doc: 'evaluate on the held-out sequences every this many iterations (and at the end)', schema: wholeIn(1) },
  evalSize: { doc: 'held-out sequences (a fixed set, the same for every run of the task)', schema: wholeIn(1, 100_000) },
  checkpointEvery: { doc: 'write a checkpoint every this many iterations (and always on stop)', schema: wholeIn(1) },
  surrogate: {
    doc: 'surrogate gradient ds/dv = scale / (1 + slope |v - v_th|)^2',
    schema: fields({ slope: numberIn(1e-3, 1e3), scale: numberIn(1e-6, 100) }, { notObject: 'must be an object with slope, scale' }),
  },
  detachReset: { doc: 'leave the reset term out of the gradient', schema: bool() },
  init: {
    doc: 'initialization scales: W_in ~ N(0, (inputGain / sqrt(nIn))^2), alpha ~ U(-alphaRange, alphaRange), b = bias',
    schema: fields({ inputGain: numberIn(0, 100), alphaRange: numberIn(0, 100), bias: numberIn(-100, 100) }, { notObject: 'must be an object with inputGain, alphaRange, bias' }),
  },
  engine: { doc: 'gradient engine: js (hand-written Float32Array BPTT) or tf (TensorFlow.js autodiff)', schema: oneOf(ENGINES) },
});

export const LearnConfigSchema = v.pipe(plainObject(), strictFields(LEARN_FIELDS.entries, { known: [...LEARN_FIELDS.keys].sort().join(', ') }));

export type LearnConfig = v.InferOutput<typeof LearnConfigSchema>;

/** A field's description, for help texts. */
export const learnConfigDoc = LEARN_FIELDS.doc;

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

/** Validates a complete learn config; errors name the field (`config.batch must be ...`). */
export function validateLearnConfig(raw: unknown): LearnConfig {
  return parseWith(LearnConfigSchema, withEveryField(raw, LEARN_FIELDS.keys), 'config');
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
