/**
 * The kinds of condition, one record each: how its field is validated (errors name the
 * field), what it does to the body and world (`build`, on the resolved AntBuildSpec: at the
 * reset, or at the onset when the condition strikes mid-episode) and how it is described.
 * What a condition changes for the viewer's highlights follows from `build`. Adding a kind is
 * adding its field to `Condition` (conditions.ts) and its record to CONDITION_KINDS.
 */
import { BODY_NAMES, JOINT_NAMES, LEGS, jointSpecs, type BodyName, type JointName } from './ant-model.ts';
import type { AntBuildSpec } from './build-spec.ts';
import type { Condition } from './conditions.ts';
import { shown } from '../core/shown.ts';

export const LEG_NAMES = LEGS.map((l) => l.name);
export type LegName = (typeof LEGS)[number]['name'];

/** A link (`torso`, `thigh_1`, `shin_3`, ...) or a whole leg (`front_left`, ... or `leg_1` ... `leg_4`). */
export type MassTarget = BodyName | LegName | `leg_${1 | 2 | 3 | 4}`;

export interface MassScale { target: MassTarget; factor: number }
export interface LegLength { leg: LegName | `leg_${1 | 2 | 3 | 4}`; factor: number }
export interface JointDamage {
  joint: JointName;
  /** disabled: no actuator torque; weak: torque × factor; locked: held at `angle`. */
  mode: 'disabled' | 'weak' | 'locked';
  /** For `weak`: the torque multiplier in (0, 1). */
  factor?: number;
  /**
   * For `locked`: the angle in degrees (default: the middle of the joint's range). A joint
   * locked mid-episode (a condition with `onset`) holds the angle it has at the onset.
   */
  angle?: number;
}

/** The fields of a condition that change the body or world (its `name` and `onset` say which and when). */
export type KindKey = 'massScale' | 'legLength' | 'jointDamage' | 'friction' | 'gravity' | 'actuatorNoise' | 'sensorNoise';

export interface ConditionKind<K extends KindKey> {
  readonly key: K;
  /** Checks the field of untrusted input `raw` of the condition at `path`; `c` holds the fields checked before (its onset first). */
  validate(raw: unknown, path: string, c: Condition): NonNullable<Condition[K]>;
  /** Applies the (validated) field to the body and world. */
  build(value: NonNullable<Condition[K]>, spec: AntBuildSpec): void;
  /** Parts of the one-line description (none when the field changes nothing). */
  describe(value: NonNullable<Condition[K]>): string[];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function positive(v: unknown, field: string, max = 100): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) {
    throw new Error(`${field} must be a number in (0, ${max}] (got ${shown(v)})`);
  }
  return v;
}

function nonNegative(v: unknown, field: string, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) {
    throw new Error(`${field} must be a number in [0, ${max}] (got ${shown(v)})`);
  }
  return v;
}

/** An object or a list of objects, each checked by `item` with its own path. */
function list<T>(v: unknown, field: string, item: (m: Record<string, unknown>, f: string) => T): T[] {
  const items = Array.isArray(v) ? v : isObj(v) ? [v] : null;
  if (!items) throw new Error(`${field} must be an object or a list of objects`);
  return items.map((m, i) => {
    const f = `${field}[${i}]`;
    if (!isObj(m)) throw new Error(`${f} must be an object`);
    return item(m, f);
  });
}

/** Leg index 0..3 for a leg name (`front_left`) or number (`leg_1`), else -1. */
export function legIndex(name: string): number {
  const byName = LEG_NAMES.indexOf(name as LegName);
  if (byName >= 0) return byName;
  const m = /^leg_([1-4])$/.exec(name);
  return m ? LEGS.findIndex((l) => l.number === Number(m[1])) : -1;
}

const massScale: ConditionKind<'massScale'> = {
  key: 'massScale',
  validate: (raw, path) => list(raw, `${path}.massScale`, (m, f) => {
    const target = String(m.target);
    if (!(BODY_NAMES as readonly string[]).includes(target) && legIndex(target) < 0) {
      throw new Error(`${f}.target "${target}" is not a link or leg (links: ${BODY_NAMES.join(', ')}; legs: ${LEG_NAMES.join(', ')} or leg_1..leg_4)`);
    }
    return { target: target as MassTarget, factor: positive(m.factor, `${f}.factor`) };
  }),
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

const legLength: ConditionKind<'legLength'> = {
  key: 'legLength',
  validate: (raw, path, c) => list(raw, `${path}.legLength`, (m, f) => {
    if (legIndex(String(m.leg)) < 0) throw new Error(`${f}.leg "${String(m.leg)}" is not a leg (${LEG_NAMES.join(', ')} or leg_1..leg_4)`);
    const factor = positive(m.factor, `${f}.factor`, 2);
    if (factor < 0.2) throw new Error(`${f}.factor must be at least 0.2 (got ${factor})`);
    // A shin that grew mid-episode would appear inside the floor and be thrown out of it.
    if (c.onset !== undefined && factor > 1) throw new Error(`${f}.factor must be at most 1 with ${path}.onset: a shin can shorten mid-episode, not grow (got ${factor})`);
    return { leg: m.leg as LegLength['leg'], factor };
  }),
  build(value, spec) {
    for (const l of value) spec.shinScale[legIndex(l.leg)]! *= l.factor;
  },
  describe: (value) => value.map((l) => `${l.leg} shin ×${l.factor}`),
};

const jointDamage: ConditionKind<'jointDamage'> = {
  key: 'jointDamage',
  validate(raw, path, c) {
    const specs = jointSpecs();
    return list(raw, `${path}.jointDamage`, (m, f) => {
      const j = JOINT_NAMES.indexOf(m.joint as JointName);
      if (j < 0) throw new Error(`${f}.joint "${String(m.joint)}" is not a joint (${JOINT_NAMES.join(', ')})`);
      const d: JointDamage = { joint: m.joint as JointName, mode: 'disabled' };
      if (m.mode === 'disabled') return d;
      if (m.mode === 'weak') {
        const factor = positive(m.factor, `${f}.factor`, 1);
        if (factor >= 1) throw new Error(`${f}.factor must be below 1 for a weak joint (got ${factor})`);
        return { ...d, mode: 'weak', factor };
      }
      if (m.mode === 'locked') {
        if (c.onset !== undefined) {
          if (m.angle !== undefined) throw new Error(`${f}.angle cannot be combined with ${path}.onset: a joint locked mid-episode holds the angle it has at the onset`);
          return { ...d, mode: 'locked' };
        }
        const r = specs[j]!.range.map((x) => (x * 180) / Math.PI);
        const angle = m.angle === undefined ? (r[0]! + r[1]!) / 2 : m.angle;
        if (typeof angle !== 'number' || !Number.isFinite(angle) || angle < r[0]! - 1e-9 || angle > r[1]! + 1e-9) {
          throw new Error(`${f}.angle must be within the joint's range [${r[0]!.toFixed(0)}, ${r[1]!.toFixed(0)}] degrees (got ${shown(m.angle)})`);
        }
        return { ...d, mode: 'locked', angle };
      }
      throw new Error(`${f}.mode must be one of disabled, weak, locked (got ${shown(m.mode)})`);
    });
  },
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
function scalarKind<K extends 'friction' | 'gravity' | 'actuatorNoise' | 'sensorNoise'>(key: K, check: (v: unknown, field: string) => number, describe: (v: number) => string[]): ConditionKind<K> {
  return {
    key,
    validate: (raw, path) => check(raw, `${path}.${key}`) as NonNullable<Condition[K]>,
    build(value, spec) {
      spec[key] = value as number;
    },
    describe: (value) => describe(value as number),
  };
}

/** Every kind, in the order fields are checked and described. */
export const CONDITION_KINDS = [
  massScale,
  legLength,
  jointDamage,
  scalarKind('friction', (v, f) => positive(v, f, 10), (v) => (v !== 1 ? [`friction ×${v}`] : [])),
  scalarKind('gravity', (v, f) => nonNegative(v, f, 5), (v) => (v !== 1 ? [`gravity ×${v}`] : [])),
  scalarKind('actuatorNoise', (v, f) => nonNegative(v, f, 2), (v) => (v ? [`actuator noise σ=${v}`] : [])),
  scalarKind('sensorNoise', (v, f) => nonNegative(v, f, 5), (v) => (v ? [`sensor noise σ=${v}`] : [])),
] as const satisfies readonly ConditionKind<KindKey>[];
