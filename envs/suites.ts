/**
 * Named condition suites: plain lists of conditions. A suite serves two purposes: the
 * training distribution (each episode draws one of its conditions) and the stress test
 * (every condition evaluated in turn). The built-in `heldout` suite contains nothing that
 * the built-in `train` suite can produce, so a stress test on it measures adaptation to
 * conditions never seen in training. `train-damage` trains with strong damage that strikes
 * mid-episode (so a gait that does not adapt pays for it), and `heldout-onset` applies the
 * held-out conditions mid-episode; none of `train-damage`'s conditions is held out either.
 */
import * as v from 'valibot';
import { ConditionSchema, resolveCondition, type Condition } from './conditions.ts';
import type { RandomSource } from '../core/rng.ts';
import { fields, finiteNumber, parseWith, pathTo } from '../core/schema.ts';

const nonEmptyList = 'must be a non-empty list';

/**
 * A suite (a user's suite file, a built-in suite): its fields' shapes, and that its conditions'
 * names are distinct and its weights fit them. What the conditions' kinds check against their
 * onset is checked after it, by validateSuite.
 */
const SuiteSchema = v.pipe(
  fields({
    name: v.pipe(v.string('must be a non-empty string'), v.nonEmpty('must be a non-empty string')),
    description: v.optional(v.string('must be text')),
    /** The conditions; one without a name is called `condition <index>`. */
    conditions: v.pipe(
      v.array(v.unknown(), nonEmptyList),
      v.nonEmpty(nonEmptyList),
      v.array(ConditionSchema),
      v.transform((cs) => cs.map((c, i) => (c.name ? c : Object.assign(c, { name: `condition ${i}` })))),
    ),
    /** Sampling weights (training), one per condition, not all zero; uniform when absent. */
    weights: v.optional(v.array(finiteNumber('nonNegative'), 'must be a list of numbers, one per condition')),
  }, { notObject: 'must be an object with "name" and "conditions"', unknownField: 'suite field' }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const s = dataset.value;
    const first = new Map<string, number>();
    s.conditions.forEach((c, i) => {
      const j = first.get(c.name!);
      if (j === undefined) first.set(c.name!, i);
      else addIssue({ message: `must be unique: "${c.name}" is also the name of conditions[${j}]`, path: pathTo(s, 'conditions', i, 'name') });
    });
    const w = s.weights;
    if (w && w.length !== s.conditions.length) addIssue({ message: `must be ${s.conditions.length} numbers, one per condition (got ${w.length})`, path: pathTo(s, 'weights') });
    else if (w && !w.some((x) => x > 0)) addIssue({ message: 'must not all be zero', path: pathTo(s, 'weights') });
  }),
);

export type Suite = v.InferOutput<typeof SuiteSchema>;

const leg = (target: string, factor: number): Condition => ({ name: `${target} mass ×${factor}`, massScale: [{ target: target as never, factor }] });

const HELDOUT: Condition[] = [
  { name: 'nominal' },
  { name: 'heavy leg (front_left ×3)', massScale: [{ target: 'front_left', factor: 3 }] },
  { name: 'short leg (back_right shin ×0.6)', legLength: [{ leg: 'back_right', factor: 0.6 }] },
  { name: 'disabled ankle_1', jointDamage: [{ joint: 'ankle_1', mode: 'disabled' }] },
  { name: 'weak hip_2 (×0.3)', jointDamage: [{ joint: 'hip_2', mode: 'weak', factor: 0.3 }] },
  { name: 'locked ankle_3', jointDamage: [{ joint: 'ankle_3', mode: 'locked', angle: -50 }] },
  { name: 'low friction (×0.3)', friction: 0.3 },
  { name: 'low gravity (×0.6)', gravity: 0.6 },
  { name: 'high gravity (×1.4)', gravity: 1.4 },
  { name: 'sensor noise 0.15', sensorNoise: 0.15 },
  { name: 'actuator noise 0.3', actuatorNoise: 0.3 },
  { name: 'heavy + slippery', massScale: [{ target: 'back_left', factor: 2.5 }], friction: 0.4 },
  { name: 'disabled hip_4 + short front_left', jointDamage: [{ joint: 'hip_4', mode: 'disabled' }], legLength: [{ leg: 'front_left', factor: 0.7 }] },
];

/** Step at which the held-out conditions strike in `heldout-onset` (of a 300-step stress episode). */
export const HELDOUT_ONSET = 100;

/** Training damage strikes at a step drawn from this range (of a 300-step episode). */
const TRAIN_ONSET: [number, number] = [50, 200];

/** Strong damage for training, on other legs, joints and magnitudes than any held-out condition. */
const TRAIN_DAMAGE: Condition[] = [
  { name: 'disabled hip_1', jointDamage: [{ joint: 'hip_1', mode: 'disabled' }] },
  { name: 'disabled ankle_2', jointDamage: [{ joint: 'ankle_2', mode: 'disabled' }] },
  { name: 'disabled hip_3', jointDamage: [{ joint: 'hip_3', mode: 'disabled' }] },
  { name: 'disabled ankle_4', jointDamage: [{ joint: 'ankle_4', mode: 'disabled' }] },
  { name: 'weak hip_3 (×0.25)', jointDamage: [{ joint: 'hip_3', mode: 'weak', factor: 0.25 }] },
  { name: 'weak ankle_2 (×0.25)', jointDamage: [{ joint: 'ankle_2', mode: 'weak', factor: 0.25 }] },
  { name: 'locked hip_1', jointDamage: [{ joint: 'hip_1', mode: 'locked' }] },
  { name: 'locked ankle_4', jointDamage: [{ joint: 'ankle_4', mode: 'locked' }] },
  { name: 'heavy front_right (×2.5)', massScale: [{ target: 'front_right', factor: 2.5 }] },
  { name: 'heavy back_right (×2)', massScale: [{ target: 'back_right', factor: 2 }] },
  { name: 'short front_right shin (×0.6)', legLength: [{ leg: 'front_right', factor: 0.6 }] },
  { name: 'short back_left shin (×0.6)', legLength: [{ leg: 'back_left', factor: 0.6 }] },
  { name: 'friction ×0.5', friction: 0.5 },
  { name: 'gravity ×0.75', gravity: 0.75 },
  { name: 'gravity ×1.25', gravity: 1.25 },
];

export const BUILTIN_SUITES: Readonly<Record<string, Suite>> = Object.freeze({
  nominal: { name: 'nominal', description: 'The nominal ant only.', conditions: [{ name: 'nominal' }] },
  train: {
    name: 'train',
    description: 'Mild body and world variations for training: half the episodes nominal, the rest a slightly heavier or lighter leg, other friction or gravity, a mildly weak joint, light noise.',
    conditions: [
      { name: 'nominal' },
      leg('front_left', 1.4), leg('back_left', 1.4), leg('back_right', 1.4), leg('front_right', 1.4),
      leg('torso', 1.25), leg('front_left', 0.7), leg('back_right', 0.7),
      { name: 'friction ×0.7', friction: 0.7 }, { name: 'friction ×1.5', friction: 1.5 },
      { name: 'gravity ×0.85', gravity: 0.85 }, { name: 'gravity ×1.15', gravity: 1.15 },
      { name: 'hip_1 weak ×0.6', jointDamage: [{ joint: 'hip_1', mode: 'weak', factor: 0.6 }] },
      { name: 'ankle_4 weak ×0.6', jointDamage: [{ joint: 'ankle_4', mode: 'weak', factor: 0.6 }] },
      { name: 'actuator noise 0.05', actuatorNoise: 0.05 }, { name: 'sensor noise 0.02', sensorNoise: 0.02 },
    ],
    weights: [14, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  },
  heldout: {
    name: 'heldout',
    description: 'Conditions never sampled in training: damaged, heavier and shorter legs, slippery floor, other gravity, strong noise, and combinations.',
    conditions: HELDOUT,
  },
  'train-damage': {
    name: 'train-damage',
    description: `Damage that strikes mid-episode, for training adaptation: half the episodes nominal, the rest one of ${TRAIN_DAMAGE.length} strong changes (a disabled, weak or locked hip_1, ankle_2, hip_3 or ankle_4; a heavy or short front_right, back_right or back_left leg; friction ×0.5; gravity ×0.75 or ×1.25) from a step drawn in ${TRAIN_ONSET[0]}–${TRAIN_ONSET[1]}. None is a held-out condition.`,
    conditions: [{ name: 'nominal' }, ...TRAIN_DAMAGE.map((c) => ({ ...c, onset: TRAIN_ONSET }))],
    weights: [TRAIN_DAMAGE.length, ...TRAIN_DAMAGE.map(() => 1)],
  },
  'heldout-onset': {
    name: 'heldout-onset',
    description: `The held-out conditions striking mid-episode, at step ${HELDOUT_ONSET} (nominal too, so distances after the onset compare like with like); a locked joint holds the angle it has then.`,
    conditions: HELDOUT.map((c) => ({
      ...c,
      ...(c.jointDamage ? { jointDamage: c.jointDamage.map(({ angle: _, ...d }) => d) } : {}),
      onset: HELDOUT_ONSET,
    })),
  },
  tiny: {
    name: 'tiny',
    description: 'Three conditions, for quick checks.',
    conditions: [{ name: 'nominal' }, { name: 'disabled ankle_1', jointDamage: [{ joint: 'ankle_1', mode: 'disabled' }] }, { name: 'low friction (×0.3)', friction: 0.3 }],
  },
});

/** Validates a suite from untrusted data (a user's suite file); errors name the field below `source`. */
export function validateSuite(raw: unknown, source = 'suite'): Suite {
  const suite = parseWith(SuiteSchema, raw, source);
  suite.conditions.forEach((c, i) => resolveCondition(c, `${source}.conditions[${i}]`));
  return suite;
}

export function getBuiltinSuite(name: string): Suite {
  const s = BUILTIN_SUITES[name];
  if (!s) throw new Error(`unknown suite "${name}" (built-in: ${Object.keys(BUILTIN_SUITES).join(', ')}; or pass a suite file)`);
  return s;
}

/** Index of the condition an episode draws from a suite. */
export function sampleConditionIndex(suite: Suite, rng: RandomSource): number {
  const w = suite.weights;
  if (!w) return Math.min(suite.conditions.length - 1, Math.floor(rng.uniform() * suite.conditions.length));
  const total = w.reduce((a, b) => a + b, 0);
  let u = rng.uniform() * total;
  for (let i = 0; i < w.length; i++) {
    u -= w[i]!;
    if (u < 0) return i;
  }
  return w.length - 1;
}
