/**
 * Conditions: plain data that changes the ant's body or world for an episode (a heavier
 * leg, a shortened shin, a damaged joint, a slippery floor, other gravity, noisy sensors or
 * actuators), from the reset or, with `onset`, from a step in the middle of the episode
 * (damage that strikes while the ant walks). Each kind of change is one record
 * (condition-kinds.ts); `validateCondition` checks untrusted input with errors that name the
 * field, `resolveBuildSpec` turns a condition into what the builder and the sim apply
 * (build-spec.ts), `describeCondition` into a line of text. Nothing here touches Rapier.
 */
import { BODY_NAMES, JOINT_NAMES, NUM_BODIES, NUM_JOINTS, type BodyName, type JointName } from './ant-model.ts';
import { nominalBuildSpec, type AntBuildSpec } from './build-spec.ts';
import { CONDITION_KINDS, type ConditionKind, type JointDamage, type KindKey, type LegLength, type MassScale } from './condition-kinds.ts';
import { Rng } from '../core/rng.ts';
import { shown } from '../core/shown.ts';

export { LEG_NAMES, legIndex, type LegName, type MassTarget, type MassScale, type LegLength, type JointDamage } from './condition-kinds.ts';

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

const KEYS = new Set(['name', ...CONDITION_KINDS.map((k) => k.key), 'onset']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The kinds as one type, for loops over all of them. */
type AnyKind = ConditionKind<KindKey>;
const KINDS: readonly AnyKind[] = CONDITION_KINDS;

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
  for (const kind of KINDS) {
    if (raw[kind.key] !== undefined) (out as Record<string, unknown>)[kind.key] = kind.validate(raw[kind.key], path, out);
  }
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

/** The per-body and per-joint changes the builder applies for a (validated) condition, and its noise. */
export function resolveBuildSpec(c: Condition): AntBuildSpec {
  const spec = nominalBuildSpec();
  for (const kind of KINDS) {
    const value = c[kind.key];
    if (value !== undefined) kind.build(value as never, spec);
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
    const value = c[kind.key];
    if (value !== undefined) parts.push(...kind.describe(value as never));
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
