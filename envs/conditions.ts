/**
 * Conditions: plain data that changes the ant's body or world for an episode (a heavier
 * leg, a shortened shin, a damaged joint, a slippery floor, other gravity, noisy sensors or
 * actuators), from the reset or, with `onset`, from a step in the middle of the episode
 * (damage that strikes while the ant walks). `validateCondition` checks untrusted input
 * with errors that name the field; `resolveBuildSpec` turns a condition into what the
 * builder needs. Nothing here touches Rapier.
 */
import { BODY_NAMES, JOINT_NAMES, LEGS, NUM_BODIES, NUM_JOINTS, jointSpecs, type BodyName, type JointName } from './ant-model.ts';
import { nominalBuildSpec, type AntBuildSpec } from './ant-builder.ts';
import { Rng } from '../core/rng.ts';
import { shown } from './shown.ts';

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

export interface Condition {
  /** A short name for tables and replays. */
  name?: string;
  massScale?: MassScale[];
  legLength?: LegLength[];
  jointDamage?: JointDamage[];
  /** Floor friction multiplier (1 = nominal friction 1). */
  friction?: number;
  /** Gravity multiplier (1 = 9.81 m/s²). */
  gravity?: number;
  /** Std of Gaussian noise added to each action before clipping. */
  actuatorNoise?: number;
  /** Std of Gaussian noise added to each observation entry. */
  sensorNoise?: number;
  /**
   * When the condition strikes: the control step (0-based) from which it applies, or a
   * range [first, last] drawn per episode from the episode's seed. Until then the ant is
   * nominal. Absent: from the reset.
   */
  onset?: number | [number, number];
}

/** Onsets beyond this many control steps are rejected as input errors. */
export const MAX_ONSET = 1_000_000;

export const NOMINAL: Readonly<Condition> = Object.freeze({ name: 'nominal' });

const KEYS = new Set(['name', 'massScale', 'legLength', 'jointDamage', 'friction', 'gravity', 'actuatorNoise', 'sensorNoise', 'onset']);

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

function list(v: unknown, field: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObj(v)) return [v];
  throw new Error(`${field} must be an object or a list of objects`);
}

/** Leg index 0..3 for a leg name (`front_left`) or number (`leg_1`), else -1. */
export function legIndex(name: string): number {
  const byName = LEG_NAMES.indexOf(name as LegName);
  if (byName >= 0) return byName;
  const m = /^leg_([1-4])$/.exec(name);
  return m ? LEGS.findIndex((l) => l.number === Number(m[1])) : -1;
}

/** Validates untrusted data as a Condition; errors name the field, e.g. `condition.massScale[0].factor must be ...`. */
export function validateCondition(raw: unknown, path = 'condition'): Condition {
  if (!isObj(raw)) throw new Error(`${path} must be an object`);
  for (const k of Object.keys(raw)) {
    if (!KEYS.has(k)) throw new Error(`${path}.${k} is not a known condition field (known: ${[...KEYS].join(', ')})`);
  }
  const out: Condition = {};
  if (raw.onset !== undefined) out.onset = validateOnset(raw.onset, `${path}.onset`);
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string' || raw.name.length === 0) throw new Error(`${path}.name must be a non-empty string`);
    out.name = raw.name;
  }
  if (raw.massScale !== undefined) {
    out.massScale = list(raw.massScale, `${path}.massScale`).map((m, i) => {
      const f = `${path}.massScale[${i}]`;
      if (!isObj(m)) throw new Error(`${f} must be an object`);
      const target = String(m.target);
      if (!(BODY_NAMES as readonly string[]).includes(target) && legIndex(target) < 0) {
        throw new Error(`${f}.target "${target}" is not a link or leg (links: ${BODY_NAMES.join(', ')}; legs: ${LEG_NAMES.join(', ')} or leg_1..leg_4)`);
      }
      return { target: target as MassTarget, factor: positive(m.factor, `${f}.factor`) };
    });
  }
  if (raw.legLength !== undefined) {
    out.legLength = list(raw.legLength, `${path}.legLength`).map((m, i) => {
      const f = `${path}.legLength[${i}]`;
      if (!isObj(m)) throw new Error(`${f} must be an object`);
      if (legIndex(String(m.leg)) < 0) throw new Error(`${f}.leg "${String(m.leg)}" is not a leg (${LEG_NAMES.join(', ')} or leg_1..leg_4)`);
      const factor = positive(m.factor, `${f}.factor`, 2);
      if (factor < 0.2) throw new Error(`${f}.factor must be at least 0.2 (got ${factor})`);
      // A shin that grew mid-episode would appear inside the floor and be thrown out of it.
      if (out.onset !== undefined && factor > 1) throw new Error(`${f}.factor must be at most 1 with ${path}.onset: a shin can shorten mid-episode, not grow (got ${factor})`);
      return { leg: m.leg as LegLength['leg'], factor };
    });
  }
  if (raw.jointDamage !== undefined) {
    const specs = jointSpecs();
    out.jointDamage = list(raw.jointDamage, `${path}.jointDamage`).map((m, i) => {
      const f = `${path}.jointDamage[${i}]`;
      if (!isObj(m)) throw new Error(`${f} must be an object`);
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
        if (out.onset !== undefined) {
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
  }
  if (raw.friction !== undefined) out.friction = positive(raw.friction, `${path}.friction`, 10);
  if (raw.gravity !== undefined) out.gravity = nonNegative(raw.gravity, `${path}.gravity`, 5);
  if (raw.actuatorNoise !== undefined) out.actuatorNoise = nonNegative(raw.actuatorNoise, `${path}.actuatorNoise`, 2);
  if (raw.sensorNoise !== undefined) out.sensorNoise = nonNegative(raw.sensorNoise, `${path}.sensorNoise`, 5);
  return out;
}

function validateOnset(v: unknown, field: string): number | [number, number] {
  const step = (x: unknown, f: string): number => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > MAX_ONSET) throw new Error(`${f} must be a whole number of control steps in [0, ${MAX_ONSET}] (got ${shown(x)})`);
    return x;
  };
  if (!Array.isArray(v)) return step(v, field);
  if (v.length !== 2) throw new Error(`${field} must be a step or a range [first, last] (got ${shown(v)})`);
  const lo = step(v[0], `${field}[0]`);
  const hi = step(v[1], `${field}[1]`);
  if (hi < lo) throw new Error(`${field} must be a range [first, last] with first <= last (got ${shown(v)})`);
  return [lo, hi];
}

/** The per-body and per-joint changes the builder applies for a (validated) condition. */
export function resolveBuildSpec(c: Condition): AntBuildSpec {
  const spec = nominalBuildSpec();
  for (const m of c.massScale ?? []) {
    const b = (BODY_NAMES as readonly string[]).indexOf(m.target);
    if (b >= 0) spec.massScale[b]! *= m.factor;
    else {
      const leg = legIndex(m.target);
      spec.massScale[1 + 2 * leg]! *= m.factor;
      spec.massScale[2 + 2 * leg]! *= m.factor;
    }
  }
  for (const l of c.legLength ?? []) spec.shinScale[legIndex(l.leg)]! *= l.factor;
  for (const d of c.jointDamage ?? []) {
    const j = JOINT_NAMES.indexOf(d.joint);
    if (d.mode === 'disabled') spec.torqueScale[j] = 0;
    else if (d.mode === 'weak') spec.torqueScale[j]! *= d.factor!;
    else {
      spec.torqueScale[j] = 0;
      // NaN: locked at whatever angle the joint has when the condition strikes (see `onset`).
      spec.lockedAngle[j] = d.angle === undefined ? Number.NaN : (d.angle * Math.PI) / 180;
    }
  }
  spec.friction = c.friction ?? 1;
  spec.gravity = c.gravity ?? 1;
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
  for (const m of c.massScale ?? []) parts.push(`${m.target} mass ×${m.factor}`);
  for (const l of c.legLength ?? []) parts.push(`${l.leg} shin ×${l.factor}`);
  for (const d of c.jointDamage ?? []) {
    parts.push(d.mode === 'weak' ? `${d.joint} weak ×${d.factor}` : d.mode === 'locked' ? (d.angle === undefined ? `${d.joint} locked` : `${d.joint} locked at ${d.angle}°`) : `${d.joint} disabled`);
  }
  if (c.friction !== undefined && c.friction !== 1) parts.push(`friction ×${c.friction}`);
  if (c.gravity !== undefined && c.gravity !== 1) parts.push(`gravity ×${c.gravity}`);
  if (c.actuatorNoise) parts.push(`actuator noise σ=${c.actuatorNoise}`);
  if (c.sensorNoise) parts.push(`sensor noise σ=${c.sensorNoise}`);
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
