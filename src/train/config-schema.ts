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
 * type, transforms included. The policy and the strategy are schemas of their own
 * (policies/config.ts; src/es/registry.ts, from each strategy's parameters), nested here. The
 * shared helpers (core/schema.ts) word each check's message, and name the field from the
 * rejected value's path.
 */
import * as v from 'valibot';
import { PolicyConfigSchema } from '../../policies/index.ts';
import { StrategyConfigSchema } from '../es/index.ts';
import { BUILTIN_SUITES } from '../../envs/suites.ts';
import { LEGACY_SIM, SimSettingsSchema } from '../../envs/sim-settings.ts';
import { checkStarts } from './starts.ts';
import { checkedBy, documentedFields, fields, got, numberIn, parseWith, plainObject, shown, strictFields, wholeIn, withEveryField } from '../../core/schema.ts';

export const FITNESS_KINDS = ['return', 'distance', 'onset-distance', 'onset-adaptation', 'onset-recovery'] as const;
export type FitnessKind = (typeof FITNESS_KINDS)[number];

const nonEmptyPath = (what: string) => v.pipe(v.string(what), v.nonEmpty(what));

/** One stage of a run (stages.ts); what it does not name stays as before it. */
const STAGE = fields({
  from: wholeIn(2),
  maxSteps: v.optional(wholeIn(1, 100_000)),
  strategy: v.optional(plainObject("must be an object of the strategy's parameters")),
}, { notObject: 'must be an object: { from, maxSteps, strategy }' });

function ascendingStages<S extends { from: number }>(stages: S[]): S[] {
  stages.forEach((s, i) => {
    if (i > 0 && s.from <= stages[i - 1]!.from) throw new Error(`[${i}].from must be after the stage before it (${stages[i - 1]!.from}) (got ${s.from})`);
  });
  return stages;
}

/** A stage's strategy must be the run's, with parameters its schema accepts. */
function checkStageStrategies<C extends { strategy: Record<string, unknown>; stages: { strategy?: Record<string, unknown> }[] }>(config: C): C {
  let strategy = config.strategy;
  config.stages.forEach((s, i) => {
    if (s.strategy === undefined) return;
    if (Object.hasOwn(s.strategy, 'name') && s.strategy.name !== config.strategy.name) {
      throw new Error(`.stages[${i}].strategy.name must be the run's strategy, ${String(config.strategy.name)} (got ${shown(s.strategy.name)}): a stage changes its parameters, not the strategy`);
    }
    strategy = { ...strategy, ...s.strategy };
    parseWith(StrategyConfigSchema, strategy, `.stages[${i}].strategy`);
  });
  return config;
}

/** Each field with its description (the doc of config.json and of `--help`) and its check. */
const FIELDS = documentedFields({
  name: { doc: 'run name: the run directory is <outDir>/<name>', schema: v.pipe(v.string(got("must be letters, digits, '.', '_' or '-'")), v.regex(/^[A-Za-z0-9._-]+$/, got("must be letters, digits, '.', '_' or '-'"))) },
  outDir: { doc: 'folder for run directories', schema: nonEmptyPath('must be a non-empty path') },
  seed: { doc: 'master seed: search noise, episode seeds and conditions all derive from it', schema: wholeIn(0, 2 ** 32 - 1) },
  generations: { doc: 'generations to train (a resumed run continues up to this number)', schema: wholeIn(1) },
  policy: { doc: 'the controller (policies/config.ts)', schema: PolicyConfigSchema },
  strategy: { doc: 'the evolution strategy and its hyper-parameters', schema: StrategyConfigSchema },
  episodesPerMember: { doc: 'episodes per member per generation (every member runs the same seeds and conditions)', schema: wholeIn(1, 100) },
  maxSteps: { doc: 'control steps per training episode', schema: wholeIn(1, 100_000) },
  conditions: { doc: 'training distribution of conditions: a built-in suite or a suite file', schema: nonEmptyPath(`must be a suite name (${Object.keys(BUILTIN_SUITES).join(', ')}) or a suite file path`) },
  testEvery: { doc: 'test the center every this many generations (0: never)', schema: wholeIn(0) },
  testEpisodes: { doc: 'nominal test episodes of the center (fixed seeds, apart from the training seeds)', schema: wholeIn(1, 100) },
  replayEvery: { doc: 'record a replay of the center every this many generations (0: never); also at the end', schema: wholeIn(0) },
  checkpointEvery: { doc: 'write a checkpoint every this many generations (and always on stop)', schema: wholeIn(1) },
  workers: { doc: 'local rollout worker threads (0: the main thread; at most one per core and per task of a generation)', schema: wholeIn(0, 256) },
  membersPerTask: { doc: 'members per rollout task (a fixed chunking, so results never depend on the number of workers)', schema: wholeIn(1, 4096) },
  obsClip: { doc: 'observations are normalized by a running mean and std and clipped to ±obsClip', schema: v.pipe(v.number(got('must be a number > 0')), v.gtValue(0, got('must be a number > 0'))) },
  fitnessShift: { doc: 'subtracted from the reward per step when ranking members (1 removes the healthy bonus)', schema: numberIn(-100, 100) },
  fitness: {
    doc: "what members are ranked by (and best.json's center chosen by): return (the return minus fitnessShift per step), distance (forward metres), onset-distance (metres covered after the condition struck: the adaptation objective with damage striking mid-episode), onset-adaptation (onset-distance, plus on each episode whose condition changes the ant what plasticity after the onset adds to it, as trained minus frozen at the onset, minus on each episode with an onset and no change the size of what plasticity after the onset changes; each member's episodes also run frozen at the onset: twice the rollouts for a plastic policy, and the same as onset-distance for one without plasticity), or onset-recovery (onset-distance plus the speed change after the onset, the last third's metres minus the first third's: the middle third counted once and the last twice, so a gait that regains speed after the damage outranks one that starts as fast and fades, and slowing down in the first third gains nothing; no extra rollouts)",
    // Configs saved before this field existed ranked by the shifted return.
    schema: v.optional(v.picklist(FITNESS_KINDS, got(`must be one of ${FITNESS_KINDS.join(', ')}`)), 'return'),
  },
  plasticFrom: {
    doc: 'generation from which the SNN is plastic: the generations before it search the same network without plasticity, then the trainer grows it into the plastic one (alpha from 0, as --init-from grows a static run) and restarts the strategy around it; 1: plastic from the start. No effect on networks without plasticity or with random weights per episode, or on a run started from a trained policy (init) (docs/snn-learning.md)',
    // Configs saved before this field existed were plastic from the start.
    schema: v.optional(wholeIn(1), 1),
  },
  sim: {
    doc: "the physics solver: Rapier substeps (solverIterations) and PGS iterations per substep (pgsIterations), and the angular inertia added to every limb in kg·m² (limbInertia); eval, stress and record of the run use the same (envs/sim-settings.ts). New runs: 3, 3, 0.004; a config without it means 2, 16, 0 (the runs before it was recorded)",
    // Configs saved before this field existed ran 2 substeps × 16 iterations without added inertia.
    schema: v.optional(SimSettingsSchema, () => ({ ...LEGACY_SIM })),
  },
  stages: {
    doc: 'from a generation on, other settings for the rest of the run: a list of { from, maxSteps, strategy } in order of from (at least 2), each changing the episode length (maxSteps) or strategy parameters it names (strategy: { popSize, sigma, lr, ... }, the same strategy) and keeping the rest; the strategy restarts around the center as each stage starts (src/train/stages.ts). [] : the same settings throughout',
    // Configs saved before this field existed had one stage.
    schema: v.optional(v.pipe(v.array(STAGE, got('must be a list of stages')), checkedBy(ascendingStages)), []),
  },
  starts: {
    doc: "several starts: the first count × generations generations of the run are `count` searches from different random networks, `generations` each, and the one whose center tests best at its end (by fitness, on the test episodes) continues for the rest of the run with its strategy state and observation statistics (src/train/starts.ts); { count, generations }, count in 2..64, before config.generations and any stage; null: one start",
    // Configs saved before this field existed had one start.
    schema: v.optional(v.nullable(fields({ count: wholeIn(2, 64), generations: wholeIn(1) }, { notObject: 'must be null or an object: { count, generations }' })), null),
  },
  init: {
    doc: 'start from a trained policy (a run directory or a policy file) instead of random parameters; null: random',
    // Configs saved before this field existed start from random parameters.
    schema: v.optional(v.nullable(nonEmptyPath('must be a run directory or policy file path, or null')), null),
  },
});

export const TRAIN_CONFIG_FIELDS = FIELDS.keys;

/** A field's description, for help texts. */
export const trainConfigDoc = FIELDS.doc;

export const TrainConfigSchema = v.pipe(plainObject(), strictFields(FIELDS.entries, { known: [...TRAIN_CONFIG_FIELDS].sort().join(', ') }), checkedBy(checkStageStrategies), checkedBy(checkStarts));

/** Checks a complete config object; the first error, naming its field, is thrown. */
export function parseTrainConfig(raw: unknown): v.InferOutput<typeof TrainConfigSchema> {
  return parseWith(TrainConfigSchema, withEveryField(raw, TRAIN_CONFIG_FIELDS), 'config');
}
