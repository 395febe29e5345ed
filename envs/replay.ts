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
 * by earlier versions) are read as they are.
 */
import type { Condition } from './conditions.ts';
import { checkDigest, DIGEST_MISMATCH } from './digest.ts';
import { validateInternals, type ReplayInternals } from './replay-internals.ts';

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

export function validateReplay(raw: unknown, source = 'replay'): Replay {
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('not a JSON object');
  const r = raw as Partial<Replay>;
  if (r.format !== REPLAY_FORMAT) fail(`format must be "${REPLAY_FORMAT}" (got ${JSON.stringify(r.format)})`);
  if (r.version !== REPLAY_VERSION) fail(`unsupported version ${JSON.stringify(r.version)} (this build reads version ${REPLAY_VERSION})`);
  if (checkDigest(raw as Record<string, unknown>) === 'mismatch') fail(DIGEST_MISMATCH);
  if (!Number.isInteger(r.frames) || r.frames! < 1) fail('frames must be a positive integer');
  if (!(typeof r.dt === 'number' && r.dt > 0)) fail('dt must be a positive number');
  if (!Array.isArray(r.bodies) || r.bodies.length === 0) fail('bodies must be a non-empty list');
  if (!Array.isArray(r.joints)) fail('joints must be a list');
  const nb = r.bodies!.length;
  const frames = r.frames!;
  if (!Array.isArray(r.poses) || r.poses.length !== frames * nb * 7) fail(`poses must hold frames × bodies × 7 = ${frames * nb * 7} numbers (got ${Array.isArray(r.poses) ? r.poses.length : 'none'})`);
  if (!Array.isArray(r.actions) || r.actions.length !== frames * (r.actuators?.length ?? 0)) fail('actions must hold frames × actuators numbers');
  if (typeof r.terms !== 'object' || r.terms === null) fail('terms must be an object of per-frame lists');
  for (const [k, v] of Object.entries(r.terms!)) if (!Array.isArray(v) || v.length !== frames) fail(`terms.${k} must hold ${frames} numbers`);
  if (typeof r.summary !== 'object' || r.summary === null) fail('summary is missing');
  if (!r.highlights || !Array.isArray(r.highlights.bodies) || !Array.isArray(r.highlights.joints)) fail('highlights must list bodies and joints');
  if (r.onsetFrame !== undefined && !(Number.isInteger(r.onsetFrame) && r.onsetFrame >= 0)) fail('onsetFrame must be a non-negative integer');
  if (r.bodiesBefore !== undefined && (!Array.isArray(r.bodiesBefore) || r.bodiesBefore.length !== nb)) fail(`bodiesBefore must list ${nb} bodies like bodies`);
  if (r.internals !== undefined) validateInternals(r.internals, frames, fail);
  return r as Replay;
}
