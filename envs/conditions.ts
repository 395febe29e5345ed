/**
 * Conditions: plain data that changes the ant's body or world for an episode (a heavier
 * leg, a shortened shin, a damaged joint, a slippery floor, other gravity, noisy sensors or
 * actuators), from the reset or, with `onset`, from a step in the middle of the episode
 * (damage that strikes while the ant walks). Each kind of change is one record
 * (condition-kinds.ts) whose schema is its field's in the condition's (`ConditionSchema`, which
 * gives the `Condition` type); `validateCondition` checks untrusted input with errors that name
 * the field, `resolveBuildSpec` turns a condition into what the builder and the sim apply
 * (build-spec.ts), `describeCondition` into a line of text. Nothing here touches Rapier.
 */
import * as v from 'valibot';
import { BODY_NAMES, JOINT_NAMES, NUM_BODIES, NUM_JOINTS, type BodyName, type JointName } from './ant-model.ts';
import { nominalBuildSpec, type AntBuildSpec } from './build-spec.ts';
import { CONDITION_KINDS, type ConditionKind } from './condition-kinds.ts';
import { Rng } from '../core/rng.ts';
import { got, parseWith, strictFields, plainObject } from '../core/schema.ts';

export { LEG_NAMES, legIndex, type LegName, type MassTarget, type MassScale, type LegLength, type JointDamage } from './condition-kinds.ts';

/** Onsets beyond this many control steps are rejected as input errors. */
export const MAX_ONSET = 1_000_000;

const step = (() => {
  const m = got(`must be a whole number of control steps in [0, ${MAX_ONSET}]`);
  return v.pipe(v.number(m), v.integer(m), v.minValue(0, m), v.maxValue(MAX_ONSET, m));
})();

const range = v.pipe(
  v.array(v.unknown()),
  v.check((a) => a.length === 2, got('must be a step or a range [first, last]')),
  v.strictTuple([step, step]),
  v.check(([first, last]) => first <= last, got('must be a range [first, last] with first <= last')),
);

/** The kinds' fields, each optional, in the order they are checked and described. */
const kindFields = Object.fromEntries(CONDITION_KINDS.map((k) => [k.key, v.optional(k.schema)])) as {
  [K in (typeof CONDITION_KINDS)[number] as K['key']]: v.OptionalSchema<K['schema'], undefined>;
};

/**
 * A condition's schema: its shape and each field's range. What depends on the onset (the
 * kinds' `resolve`) is checked after it, by `validateCondition`.
 */
export const ConditionSchema = v.pipe(plainObject(), strictFields({
  /**
   * When the condition strikes: the control step (0-based) from which it applies, or a
   * range [first, last] drawn per episode from the episode's seed. Until then the ant is
   * nominal. Absent: from the reset.
   */
  onset: v.optional(v.lazy((x) => (Array.isArray(x) ? range : step))),
  /** A short name for tables and replays. */
  name: v.optional(v.pipe(v.string('must be a non-empty string'), v.nonEmpty('must be a non-empty string'))),
  ...kindFields,
}, { unknownField: 'condition field', known: ['name', ...CONDITION_KINDS.map((k) => k.key), 'onset'].join(', ') }));

export type Condition = v.InferOutput<typeof ConditionSchema>;

export const NOMINAL: Readonly<Condition> = Object.freeze({ name: 'nominal' });

/** The kinds as one type, for loops over all of them. */
type AnyKind = ConditionKind<string, unknown>;
const KINDS = CONDITION_KINDS as readonly AnyKind[];

/** Whether a condition changes the body or the world at all (not only names an onset). */
export function changesAnything(c: Condition): boolean {
  return KINDS.some((kind) => (c as Record<string, unknown>)[kind.key] !== undefined);
}

/** Validates untrusted data as a Condition; errors name the field, e.g. `condition.massScale[0].factor must be ...`. */
export function validateCondition(raw: unknown, path = 'condition'): Condition {
  return resolveCondition(parseWith(ConditionSchema, raw, path), path);
}

/**
 * What the kinds check against the onset, on a condition the schema accepted (`path` names it
 * in errors): `condition.legLength[0].factor must be at most 1 with condition.onset ...`.
 */
export function resolveCondition(condition: Condition, path: string): Condition {
  const c = condition as Record<string, unknown>;
  for (const kind of KINDS) {
    if (c[kind.key] !== undefined && kind.resolve) c[kind.key] = kind.resolve(c[kind.key], c.onset !== undefined, path);
  }
  return condition;
}

/** The per-body and per-joint changes the builder applies for a (validated) condition, and its noise. */
export function resolveBuildSpec(c: Condition): AntBuildSpec {
  const spec = nominalBuildSpec();
  for (const kind of KINDS) {
    const value = (c as Record<string, unknown>)[kind.key];
    if (value !== undefined) kind.build(value, spec);
  }
  return spec;
}

/** Names of the links and joints a condition changes, so a viewer can colour them. */
export function conditionHighlights(c: Condition): { bodies: BodyName[]; joints: JointName[] } {
  const spec = resolveBuildSpec(c);
  const bodies = new Set<BodyName>();
  for (let b = 0; b < NUM_BODIES; b++) if (spec.massScale[b] !== 1) bodies.add(BODY_NAMES[b]!);
  spec.shinScale.forEach((s, leg) => { if (s !== 1) bodies.add(BODY_NAMES[2 + 2 * leg]!); });
  const joints: JointName[] = [];
  for (let j = 0; j < NUM_JOINTS; j++) if (spec.torqueScale[j] !== 1 || spec.lockedAngle[j] !== null) joints.push(JOINT_NAMES[j]!);
  return { bodies: [...bodies], joints };
}

/** A one-line human description, e.g. `shin_1 ×1.5 mass; ankle_2 disabled; friction ×0.3`. */
export function describeCondition(c: Condition): string {
  const parts: string[] = [];
  for (const kind of KINDS) {
    const value = (c as Record<string, unknown>)[kind.key];
    if (value !== undefined) parts.push(...kind.describe(value));
  }
  const what = parts.length ? parts.join('; ') : 'nominal';
  if (c.onset === undefined) return what;
  return `${what} from ${Array.isArray(c.onset) ? `a step in ${c.onset[0]}–${c.onset[1]}` : `step ${c.onset}`}`;
}

/**
 * The control step from which a condition applies in the episode with this seed: 0 without
 * `onset`; a range draws uniformly from its own stream of the seed, so the draw does not
 * shift the reset or the noise.
 */
export function onsetStep(c: Condition, seed: number): number {
  const o = c.onset;
  if (o === undefined) return 0;
  if (!Array.isArray(o)) return o;
  return o[0] + Math.min(o[1] - o[0], Math.floor(new Rng(seed ^ 0x2545f491).uniform() * (o[1] - o[0] + 1)));
}
