/**
 * The schema of a training run's config (`config.json`, `--config` files, the library's
 * `resolveTrainConfig`): one valibot schema gives the `TrainConfig` type, the checks with
 * errors that name the field (`config.seed must be a whole number in [0, 4294967295] (got
 * -1)`), and each field's description, which `propamine train --help` prints.
 *
 * Why valibot (over TypeBox 0.34): it is modular, so what is bundled is the few checks used
 * here (a few kB, against TypeBox's compiler and value modules); a message is a function of
 * the rejected input, so each check words its own error as before (TypeBox's messages are
 * generic unless a global error function is swapped in); and `InferOutput` gives the exact
 * type, transforms included. The policy and strategy sub-objects are checked by their own
 * validators (policies/, the strategy registry), which already name their fields.
 */
import * as v from 'valibot';
import { validatePolicyConfig } from '../../policies/index.ts';
import { getStrategy, shapingNames } from '../es/index.ts';
import { BUILTIN_SUITES } from '../../envs/suites.ts';
import { shown } from '../../envs/shown.ts';

export const FITNESS_KINDS = ['return', 'distance', 'onset-distance'] as const;
export type FitnessKind = (typeof FITNESS_KINDS)[number];

/** A field's schema, given the field's path for its messages. */
type FieldSchema = (field: string) => v.GenericSchema<unknown, unknown>;

function whole(min: number, max = Number.MAX_SAFE_INTEGER): (field: string) => v.GenericSchema<number, number> {
  return (field) => {
    const message = (issue: v.BaseIssue<unknown>) => `${field} must be a whole number in [${min}, ${max}] (got ${shown(issue.input)})`;
    return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
  };
}

function finite(min: number, max: number): (field: string) => v.GenericSchema<number, number> {
  return (field) => {
    const message = (issue: v.BaseIssue<unknown>) => `${field} must be a number in [${min}, ${max}] (got ${shown(issue.input)})`;
    return v.pipe(v.number(message), v.finite(message), v.minValue(min, message), v.maxValue(max, message));
  };
}

/** A sub-object checked by its own validator, whose errors name the fields below `field`'s parent. */
function checkedBy<T>(check: (raw: unknown) => T): (field: string) => v.GenericSchema<unknown, T> {
  return () =>
    v.pipe(
      v.unknown(),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        try {
          return check(dataset.value);
        } catch (e) {
          addIssue({ message: `config.${(e as Error).message}` });
          return NEVER;
        }
      }),
    );
}

/** Each field with its description (the doc of config.json and of `--help`) and its check. */
const FIELDS = {
  name: { doc: 'run name: the run directory is <outDir>/<name>', schema: ((field: string) => {
    const message = (issue: v.BaseIssue<unknown>) => `${field} must be letters, digits, '.', '_' or '-' (got ${shown(issue.input)})`;
    return v.pipe(v.string(message), v.regex(/^[A-Za-z0-9._-]+$/, message));
  }) satisfies FieldSchema },
  outDir: { doc: 'folder for run directories', schema: ((field: string) => v.pipe(v.string(`${field} must be a non-empty path`), v.nonEmpty(`${field} must be a non-empty path`))) satisfies FieldSchema },
  seed: { doc: 'master seed: search noise, episode seeds and conditions all derive from it', schema: whole(0, 2 ** 32 - 1) },
  generations: { doc: 'generations to train (a resumed run continues up to this number)', schema: whole(1) },
  policy: { doc: 'the controller (policies/config.ts)', schema: checkedBy(validatePolicyConfig) },
  strategy: { doc: 'the evolution strategy and its hyper-parameters', schema: checkedBy(checkStrategy) },
  episodesPerMember: { doc: 'episodes per member per generation (every member runs the same seeds and conditions)', schema: whole(1, 100) },
  maxSteps: { doc: 'control steps per training episode', schema: whole(1, 100_000) },
  conditions: { doc: 'training distribution of conditions: a built-in suite or a suite file', schema: ((field: string) => {
    const message = `${field} must be a suite name (${Object.keys(BUILTIN_SUITES).join(', ')}) or a suite file path`;
    return v.pipe(v.string(message), v.nonEmpty(message));
  }) satisfies FieldSchema },
  testEvery: { doc: 'test the center every this many generations (0: never)', schema: whole(0) },
  testEpisodes: { doc: 'nominal test episodes of the center (fixed seeds, apart from the training seeds)', schema: whole(1, 100) },
  replayEvery: { doc: 'record a replay of the center every this many generations (0: never); also at the end', schema: whole(0) },
  checkpointEvery: { doc: 'write a checkpoint every this many generations (and always on stop)', schema: whole(1) },
  workers: { doc: 'local rollout worker threads (0: the main thread; at most one per core and per task of a generation)', schema: whole(0, 256) },
  membersPerTask: { doc: 'members per rollout task (a fixed chunking, so results never depend on the number of workers)', schema: whole(1, 4096) },
  obsClip: { doc: 'observations are normalized by a running mean and std and clipped to ±obsClip', schema: ((field: string) => {
    const message = (issue: v.BaseIssue<unknown>) => `${field} must be a number > 0 (got ${shown(issue.input)})`;
    return v.pipe(v.number(message), v.gtValue(0, message));
  }) satisfies FieldSchema },
  fitnessShift: { doc: 'subtracted from the reward per step when ranking members (1 removes the healthy bonus)', schema: finite(-100, 100) },
  fitness: { doc: "what members are ranked by (and best.json's center chosen by): return (the return minus fitnessShift per step), distance (forward metres) or onset-distance (metres covered after the condition struck: the adaptation objective with damage striking mid-episode)", schema: ((field: string) => {
    const message = (issue: v.BaseIssue<unknown>) => `${field} must be one of ${FITNESS_KINDS.join(', ')} (got ${shown(issue.input)})`;
    // Configs saved before this field existed ranked by the shifted return.
    return v.optional(v.picklist(FITNESS_KINDS, message), 'return');
  }) satisfies FieldSchema },
  plasticFrom: { doc: 'generation from which the SNN is plastic: the generations before it search the same network without plasticity, then the trainer grows it into the plastic one (alpha from 0, as --init-from grows a static run) and restarts the strategy around it; 1: plastic from the start. No effect on networks without plasticity or with random weights per episode, or on a run started from a trained policy (init) (docs/snn-learning.md)', schema: ((field: string) => {
    // Configs saved before this field existed were plastic from the start.
    return v.optional(whole(1)(field), 1);
  }) satisfies FieldSchema },
  init: { doc: 'start from a trained policy (a run directory or a policy file) instead of random parameters; null: random', schema: ((field: string) => {
    const message = (issue: v.BaseIssue<unknown>) => `${field} must be a run directory or policy file path, or null (got ${shown(issue.input)})`;
    // Configs saved before this field existed start from random parameters.
    return v.optional(v.nullable(v.pipe(v.string(message), v.nonEmpty(message))), null);
  }) satisfies FieldSchema },
} as const;

type FieldName = keyof typeof FIELDS;
export const TRAIN_CONFIG_FIELDS = Object.keys(FIELDS) as FieldName[];

/** A field's description, for help texts. */
export function trainConfigDoc(field: FieldName): string {
  return FIELDS[field].doc;
}

function checkStrategy(raw: unknown): { name: string; shaping?: string; [hyper: string]: unknown } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('strategy must be an object with a name');
  const strategy = raw as Record<string, unknown>;
  const s = getStrategy(String(strategy.name));
  const { name: _n, shaping, ...hyper } = strategy;
  s.resolveParams(hyper);
  if (shaping !== undefined && !(shapingNames as readonly unknown[]).includes(shaping)) {
    throw new Error(`strategy.shaping must be one of ${shapingNames.join(', ')} (got ${shown(shaping)})`);
  }
  return { ...strategy, name: s.name };
}

const known = [...TRAIN_CONFIG_FIELDS].sort().join(', ');
const entries = Object.fromEntries(TRAIN_CONFIG_FIELDS.map((k) => [k, FIELDS[k].schema(`config.${k}`)])) as { [K in FieldName]: ReturnType<(typeof FIELDS)[K]['schema']> };

export const TrainConfigSchema = v.strictObject(entries, (issue) => {
  if (issue.expected === 'never') return `config.${String(issue.path?.[0]?.key ?? '')} is not a known field (known: ${known})`;
  return 'config must be an object';
});

/** Checks a complete config object; the first error, naming its field, is thrown. */
export function parseTrainConfig(raw: unknown): v.InferOutput<typeof TrainConfigSchema> {
  // A missing field is checked as `undefined` by its own schema, so its message names it ("got nothing").
  const input = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...Object.fromEntries(TRAIN_CONFIG_FIELDS.map((k) => [k, undefined])), ...raw } : raw;
  const r = v.safeParse(TrainConfigSchema, input);
  if (r.success) return r.output;
  // Unknown fields are reported before wrong values, as a misspelt field explains a missing one.
  const first = r.issues.find((i) => i.expected === 'never') ?? r.issues[0];
  throw new Error(first.message);
}
