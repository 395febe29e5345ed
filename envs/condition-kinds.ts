/**
 * The kinds of condition, one record each: its field's schema (the shape and ranges, with
 * messages naming what is wrong; the field's path is added by whoever parses it), what must
 * agree with the rest of the condition (`resolve`: a shin may not grow and a locked joint
 * takes no angle when the condition strikes mid-episode), what it does to the body and world
 * (`build`, on the resolved AntBuildSpec: at the reset, or at the onset when the condition
 * strikes mid-episode) and how it is described. What a condition changes for the viewer's
 * highlights follows from `build`. Adding a kind is adding its record to CONDITION_KINDS: the
 * `Condition` type and its checks follow from the records (conditions.ts).
 */
import * as v from 'valibot';
import { BODY_NAMES, JOINT_NAMES, LEGS, jointSpecs, type BodyName, type JointName } from './ant-model.ts';
import type { AntBuildSpec } from './build-spec.ts';
import { got, isPlainObject, numberIn, pathTo, shown } from '../core/schema.ts';

export const LEG_NAMES = LEGS.map((l) => l.name);
export type LegName = (typeof LEGS)[number]['name'];

/** A link (`torso`, `thigh_1`, `shin_3`, ...) or a whole leg (`front_left`, ... or `leg_1` ... `leg_4`). */
export type MassTarget = BodyName | LegName | `leg_${1 | 2 | 3 | 4}`;

export interface ConditionKind<K extends string, T> {
  readonly key: K;
  /** The field's schema: an untrusted value in, the field's value out. */
  readonly schema: v.GenericSchema<unknown, T>;
  /**
   * Checks the (parsed) field against the condition's onset and fills what follows from it;
   * errors name the field below `path`, the condition's path.
   */
  resolve?(value: T, onset: boolean, path: string): T;
  /** Applies the (validated) field to the body and world. */
  build(value: T, spec: AntBuildSpec): void;
  /** Parts of the one-line description (none when the field changes nothing). */
  describe(value: T): string[];
}

/** An object or a list of objects, each checked by `item`; the value is always a list. */
function list<T>(item: v.GenericSchema<unknown, T>) {
  return v.pipe(
    v.custom<unknown>((x) => Array.isArray(x) || isPlainObject(x), 'must be an object or a list of objects'),
    v.transform((x) => (Array.isArray(x) ? (x as unknown[]) : [x])),
    v.array(v.pipe(v.custom<unknown>(isPlainObject, 'must be an object'), item)),
  );
}

/** Leg index 0..3 for a leg name (`front_left`) or number (`leg_1`), else -1. */
export function legIndex(name: string): number {
  const byName = LEG_NAMES.indexOf(name as LegName);
  if (byName >= 0) return byName;
  const m = /^leg_([1-4])$/.exec(name);
  return m ? LEGS.findIndex((l) => l.number === Number(m[1])) : -1;
}

const isTarget = (x: unknown) => (BODY_NAMES as readonly unknown[]).includes(x) || legIndex(String(x)) >= 0;
const massScaleItem = v.object({
  target: v.custom<MassTarget>(isTarget, (i) => `"${String(i.input)}" is not a link or leg (links: ${BODY_NAMES.join(', ')}; legs: ${LEG_NAMES.join(', ')} or leg_1..leg_4)`),
  factor: numberIn(0, 100, { loOpen: true }),
});
export type MassScale = v.InferOutput<typeof massScaleItem>;

const massScale: ConditionKind<'massScale', MassScale[]> = {
  key: 'massScale',
  schema: list(massScaleItem),
  build(value, spec) {
    for (const m of value) {
      const b = (BODY_NAMES as readonly string[]).indexOf(m.target);
      if (b >= 0) spec.massScale[b]! *= m.factor;
      else {
        const leg = legIndex(m.target);
        spec.massScale[1 + 2 * leg]! *= m.factor;
        spec.massScale[2 + 2 * leg]! *= m.factor;
      }
    }
  },
  describe: (value) => value.map((m) => `${m.target} mass ×${m.factor}`),
};

const legLengthItem = v.object({
  leg: v.custom<LegName | `leg_${1 | 2 | 3 | 4}`>((x) => legIndex(String(x)) >= 0, (i) => `"${String(i.input)}" is not a leg (${LEG_NAMES.join(', ')} or leg_1..leg_4)`),
  factor: v.pipe(numberIn(0, 2, { loOpen: true }), v.minValue(0.2, got('must be at least 0.2'))),
});
export type LegLength = v.InferOutput<typeof legLengthItem>;

const legLength: ConditionKind<'legLength', LegLength[]> = {
  key: 'legLength',
  schema: list(legLengthItem),
  resolve(value, onset, path) {
    value.forEach((l, i) => {
      // A shin that grew mid-episode would appear inside the floor and be thrown out of it.
      if (onset && l.factor > 1) throw new Error(`${path}.legLength[${i}].factor must be at most 1 with ${path}.onset: a shin can shorten mid-episode, not grow (got ${l.factor})`);
    });
    return value;
  },
  build(value, spec) {
    for (const l of value) spec.shinScale[legIndex(l.leg)]! *= l.factor;
  },
  describe: (value) => value.map((l) => `${l.leg} shin ×${l.factor}`),
};

const JOINT_RANGES_DEG = jointSpecs().map((s) => s.range.map((x) => (x * 180) / Math.PI) as [number, number]);

const joint = v.picklist(JOINT_NAMES, (i) => `"${String(i.input)}" is not a joint (${JOINT_NAMES.join(', ')})`);

/** A joint's damage, one variant per mode. */
const jointDamageItem = v.variant('mode', [
  v.object({ joint, mode: v.literal('disabled') }),
  /** weak: torque × factor, a multiplier in (0, 1). */
  v.object({ joint, mode: v.literal('weak'), factor: v.pipe(numberIn(0, 1, { loOpen: true }), v.ltValue(1, got('must be below 1 for a weak joint'))) }),
  /**
   * locked: held at `angle` in degrees (default: the middle of the joint's range). A joint
   * locked mid-episode (a condition with `onset`) holds the angle it has at the onset.
   */
  v.pipe(
    // Any value here: the check below words the joint's range in its message.
    v.object({ joint, mode: v.literal('locked'), angle: v.optional(v.custom<number>(() => true)) }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed || dataset.value.angle === undefined) return;
      const { angle } = dataset.value;
      const [lo, hi] = JOINT_RANGES_DEG[JOINT_NAMES.indexOf(dataset.value.joint)]!;
      if (typeof angle !== 'number' || !Number.isFinite(angle) || angle < lo - 1e-9 || angle > hi + 1e-9) {
        addIssue({ message: `must be within the joint's range [${lo.toFixed(0)}, ${hi.toFixed(0)}] degrees (got ${shown(angle)})`, path: pathTo(dataset.value, 'angle') });
      }
    }),
  ),
], got('must be one of disabled, weak, locked'));
/** disabled: no actuator torque; weak: torque × factor; locked: held at an angle. */
export type JointDamage = { joint: JointName; mode: 'disabled' | 'weak' | 'locked'; factor?: number; angle?: number };

const jointDamage: ConditionKind<'jointDamage', JointDamage[]> = {
  key: 'jointDamage',
  schema: list(jointDamageItem),
  resolve: (value, onset, path) => value.map((d, i) => {
    if (d.mode !== 'locked') return d;
    if (onset) {
      if (d.angle !== undefined) throw new Error(`${path}.jointDamage[${i}].angle cannot be combined with ${path}.onset: a joint locked mid-episode holds the angle it has at the onset`);
      return d;
    }
    const [lo, hi] = JOINT_RANGES_DEG[JOINT_NAMES.indexOf(d.joint)]!;
    return { ...d, angle: d.angle ?? (lo + hi) / 2 };
  }),
  build(value, spec) {
    for (const d of value) {
      const j = JOINT_NAMES.indexOf(d.joint);
      if (d.mode === 'disabled') spec.torqueScale[j] = 0;
      else if (d.mode === 'weak') spec.torqueScale[j]! *= d.factor!;
      else {
        spec.torqueScale[j] = 0;
        // NaN: locked at whatever angle the joint has when the condition strikes (see `onset`).
        spec.lockedAngle[j] = d.angle === undefined ? Number.NaN : (d.angle * Math.PI) / 180;
      }
    }
  },
  describe: (value) => value.map((d) => (d.mode === 'weak' ? `${d.joint} weak ×${d.factor}` : d.mode === 'locked' ? (d.angle === undefined ? `${d.joint} locked` : `${d.joint} locked at ${d.angle}°`) : `${d.joint} disabled`)),
};

/** A multiplier or a noise level: one number in a range, written into the spec's field of the same name. */
function scalarKind<K extends 'friction' | 'gravity' | 'actuatorNoise' | 'sensorNoise'>(key: K, schema: v.GenericSchema<unknown, number>, describe: (v: number) => string[]): ConditionKind<K, number> {
  return {
    key,
    schema,
    build(value, spec) {
      spec[key] = value;
    },
    describe,
  };
}

/** Every kind, in the order fields are checked and described. */
export const CONDITION_KINDS = [
  massScale,
  legLength,
  jointDamage,
  /** Floor friction multiplier (1 = nominal friction 1). */
  scalarKind('friction', numberIn(0, 10, { loOpen: true }), (x) => (x !== 1 ? [`friction ×${x}`] : [])),
  /** Gravity multiplier (1 = 9.81 m/s²). */
  scalarKind('gravity', numberIn(0, 5), (x) => (x !== 1 ? [`gravity ×${x}`] : [])),
  /** Std of Gaussian noise added to each action before clipping. */
  scalarKind('actuatorNoise', numberIn(0, 2), (x) => (x ? [`actuator noise σ=${x}`] : [])),
  /** Std of Gaussian noise added to each observation entry. */
  scalarKind('sensorNoise', numberIn(0, 5), (x) => (x ? [`sensor noise σ=${x}`] : [])),
] as const;
