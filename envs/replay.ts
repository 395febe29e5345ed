/**
 * The replay file format (version 1): one recorded episode of one ant, as plain JSON that
 * the viewer turns into keyframe tracks. Per frame it holds each body's position and
 * quaternion, plus the action, the reward terms and the condition of the episode. The
 * viewer imports this file for its types and `parseReplay`; nothing here touches Rapier or
 * the file system.
 *
 * Layout of the per-frame arrays (frame f, body b, actuator a):
 *   poses[(f * bodies.length + b) * 7 + k]   k = 0..2 position (m), 3..6 quaternion (x, y, z, w)
 *   actions[f * 8 + a]                       frame 0 (the reset) has zero actions
 *   terms.<name>[f]                           frame 0 has zero terms
 * Positions are relative to the ant's own origin; z is up and x is forward.
 *
 * A condition that strikes mid-episode (`condition.onset`) sets `onsetFrame`, the first
 * frame recorded under it: before it the viewer draws the nominal ant (`bodiesBefore`, when
 * the condition changes a shape) without highlights.
 *
 * An SNN policy's replay may carry `internals` (envs/replay-internals.ts): per hidden layer
 * and frame, the firing rate, which neurons spiked, the modulator M and the size of H's change.
 * Replays without it (an MLP's, or written by earlier versions) are read as they are.
 *
 * A replay file carries the digest of its content (envs/digest.ts) as its last field; the
 * viewer refuses a file that was changed after it was written. Files without one (written
 * by earlier versions) are read as they are. What the viewer needs of the rest is checked by
 * one schema (ReplaySchema): the fields' shapes, then the lengths that follow from the frame
 * and body counts; the types below stay the format's documentation, field by field.
 */
import type { Condition } from './conditions.ts';
import * as v from 'valibot';
import { checkDigest, DIGEST_MISMATCH } from './digest.ts';
import { validateInternals, type ReplayInternals } from './replay-internals.ts';
import { firstIssue, got, isPlainObject, issueText, pathTo } from '../core/schema.ts';

export const REPLAY_FORMAT = 'propamine-replay';
export const REPLAY_VERSION = 1;

export interface ReplayShape {
  type: 'sphere' | 'capsule';
  radius: number;
  /** Capsules only: half the length of the cylindrical part; the axis is the shape's local y. */
  halfLength?: number;
  /** Placement in the body's frame. */
  center: [number, number, number];
  rotation: [number, number, number, number];
}

export interface ReplayBody { name: string; shapes: ReplayShape[] }

export interface ReplayJoint {
  name: string;
  parent: number;
  child: number;
  /** Joint position in the child body's frame. */
  anchor: [number, number, number];
  axis: [number, number, number];
}

export interface Replay {
  format: typeof REPLAY_FORMAT;
  version: typeof REPLAY_VERSION;
  env: 'ant';
  /** Seconds between frames (one control step). */
  dt: number;
  frames: number;
  bodies: ReplayBody[];
  joints: ReplayJoint[];
  actuators: string[];
  condition: Condition;
  /** Human description of the condition, e.g. "ankle_2 disabled; friction ×0.3". */
  conditionText: string;
  /** What the condition changed, for colouring: link and joint names. */
  highlights: { bodies: string[]; joints: string[] };
  /** For a condition with an onset: the first frame under it (may be past the last frame). */
  onsetFrame?: number;
  /** For a condition with an onset that changes shapes: the bodies before it. */
  bodiesBefore?: ReplayBody[];
  poses: number[];
  actions: number[];
  terms: Record<string, number[]>;
  summary: { return: number; distance: number; steps: number; terminated: boolean };
  /** SNN policies: what happened inside the network at each frame (see the header). */
  internals?: ReplayInternals;
  meta: {
    episodeSeed: number; label?: string; run?: string;
    /** The policy's generation: the center after this many generations (counted from 1). */
    generation?: number;
    policy?: string; createdAt?: string;
  };
  /** sha256 of the rest of the file, written with it (see the header). */
  digest?: string;
}

/** One entry of a run's `replays/index.json`, the manifest the viewer lists replays from. */
export interface ReplayIndexEntry {
  file: string;
  label: string;
  generation?: number;
  conditionText: string;
  episodeSeed: number;
  return: number;
  distance: number;
  steps: number;
}

export interface ReplayIndex { version: 1; replays: ReplayIndexEntry[] }

/** Reads and checks a replay; the error says what is wrong and where (`source`). */
export function parseReplay(text: string, source = 'replay'): Replay {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (truncated or corrupt file?): ${(e as Error).message}`);
  }
  return validateReplay(raw, source);
}

const list = (message: string) => v.array(v.unknown(), message);
const lists = (message: string) => v.custom<Record<string, unknown>>(isPlainObject, message);

/**
 * What a replay must hold for the viewer to play it (the other fields are shown as they are):
 * one schema for the shapes, then the lengths that follow from the frame and body counts.
 */
const ReplaySchema = v.pipe(
  v.looseObject({
    frames: v.pipe(v.number('must be a positive integer'), v.integer('must be a positive integer'), v.minValue(1, 'must be a positive integer')),
    dt: v.pipe(v.number('must be a positive number'), v.gtValue(0, 'must be a positive number')),
    bodies: v.pipe(list('must be a non-empty list'), v.nonEmpty('must be a non-empty list')),
    joints: list('must be a list'),
    poses: v.array(v.unknown(), got('must be a list of frames × bodies × 7 numbers')),
    actuators: v.optional(list('must be a list')),
    actions: list('must hold frames × actuators numbers'),
    terms: lists('must be an object of per-frame lists'),
    summary: v.custom<object>((x) => typeof x === 'object' && x !== null, 'is missing'),
    highlights: v.looseObject({ bodies: list('must be a list of link names'), joints: list('must be a list of joint names') }, 'must list bodies and joints'),
    onsetFrame: v.optional(v.pipe(v.number('must be a non-negative integer'), v.integer('must be a non-negative integer'), v.minValue(0, 'must be a non-negative integer'))),
    bodiesBefore: v.optional(list('must list the bodies like bodies')),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const r = dataset.value;
    const at = (...keys: string[]) => pathTo(r, ...keys);
    const nb = r.bodies.length;
    if (r.poses.length !== r.frames * nb * 7) addIssue({ message: `must hold frames × bodies × 7 = ${r.frames * nb * 7} numbers (got ${r.poses.length})`, path: at('poses') });
    if (r.actions.length !== r.frames * (r.actuators?.length ?? 0)) addIssue({ message: 'must hold frames × actuators numbers', path: at('actions') });
    for (const [k, x] of Object.entries(r.terms)) if (!Array.isArray(x) || x.length !== r.frames) addIssue({ message: `must hold ${r.frames} numbers`, path: at('terms', k) });
    if (r.bodiesBefore !== undefined && r.bodiesBefore.length !== nb) addIssue({ message: `must list ${nb} bodies like bodies`, path: at('bodiesBefore') });
  }),
);

/** Checks a parsed replay; the error says what is wrong and where (`source`). The replay is returned as it is. */
export function validateReplay(raw: unknown, source = 'replay'): Replay {
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('not a JSON object');
  const r = raw as Partial<Replay>;
  if (r.format !== REPLAY_FORMAT) fail(`format must be "${REPLAY_FORMAT}" (got ${JSON.stringify(r.format)})`);
  if (r.version !== REPLAY_VERSION) fail(`unsupported version ${JSON.stringify(r.version)} (this build reads version ${REPLAY_VERSION})`);
  if (checkDigest(raw as Record<string, unknown>) === 'mismatch') fail(DIGEST_MISMATCH);
  const checked = v.safeParse(ReplaySchema, raw, { abortPipeEarly: true });
  if (!checked.success) fail(issueText('', firstIssue(checked.issues)).replace(/^\./, ''));
  // The network's internals (replay-internals.ts) are checked against the frame count by their own module.
  if (r.internals !== undefined) validateInternals(r.internals, r.frames!, fail);
  return r as Replay;
}
