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
 * by earlier versions) are read as they are. The rest is one schema (`replaySchema`), which
 * gives the `Replay` type: what the viewer draws from is checked (the fields' shapes, the
 * bodies' geometry, then the lengths that follow from the frame and body counts); what it
 * only shows (the condition, its text, the summary, meta) is taken as it was written.
 */
import type { Condition } from './conditions.ts';
import * as v from 'valibot';
import { checkDigest, DIGEST_MISMATCH } from './digest.ts';
import { internalsSchema } from './replay-internals.ts';
import { got, isPlainObject, looseRecord, parseIn, pathTo, plainObject, wholeIn } from '../core/schema.ts';

export const REPLAY_FORMAT = 'propamine-replay';
export const REPLAY_VERSION = 1;

/** A field the viewer shows as it was written: typed here, not checked. */
const asWritten = <T>() => v.custom<T>(() => true);

const list = (message: string) => v.array(v.unknown(), message);
const number = v.number(got('must be a number'));
const vec3 = v.strictTuple([number, number, number], got('must be 3 numbers'));
const vec4 = v.strictTuple([number, number, number, number], got('must be 4 numbers'));

const ReplayShapeSchema = looseRecord({
  type: v.picklist(['sphere', 'capsule'], got('must be sphere or capsule')),
  radius: v.pipe(number, v.gtValue(0, got('must be a positive number'))),
  /** Capsules only: half the length of the cylindrical part; the axis is the shape's local y. */
  halfLength: v.optional(v.pipe(number, v.minValue(0, got('must be a non-negative number')))),
  /** Placement in the body's frame. */
  center: vec3,
  rotation: vec4,
});

export type ReplayShape = v.InferOutput<typeof ReplayShapeSchema>;

const ReplayBodySchema = looseRecord({
  name: v.string(got('must be a link name')),
  shapes: v.array(ReplayShapeSchema, got('must be a list of shapes')),
});

export type ReplayBody = v.InferOutput<typeof ReplayBodySchema>;

const ReplayJointSchema = looseRecord({
  name: v.string(got('must be a joint name')),
  /** Indices of the bodies it joins. */
  parent: wholeIn(0),
  child: wholeIn(0),
  /** Joint position in the child body's frame. */
  anchor: vec3,
  axis: vec3,
});

export type ReplayJoint = v.InferOutput<typeof ReplayJointSchema>;

const nonNegativeInt = v.pipe(v.number('must be a non-negative integer'), v.integer('must be a non-negative integer'), v.minValue(0, 'must be a non-negative integer'));

/** A replay of `frames` frames: its fields (the frame count first), then the lengths that follow from the frame and body counts. */
function replaySchema(frames: number) {
  return v.pipe(
    looseRecord({
      frames: v.pipe(v.number('must be a positive integer'), v.integer('must be a positive integer'), v.minValue(1, 'must be a positive integer')),
      format: asWritten<typeof REPLAY_FORMAT>(),
      version: asWritten<typeof REPLAY_VERSION>(),
      env: asWritten<'ant'>(),
      /** Seconds between frames (one control step). */
      dt: v.pipe(v.number('must be a positive number'), v.gtValue(0, 'must be a positive number')),
      bodies: v.pipe(list('must be a non-empty list'), v.nonEmpty('must be a non-empty list'), v.array(ReplayBodySchema)),
      joints: v.pipe(list('must be a list'), v.array(ReplayJointSchema)),
      actuators: v.optional(v.array(asWritten<string>(), 'must be a list')),
      condition: asWritten<Condition>(),
      /** Human description of the condition, e.g. "ankle_2 disabled; friction ×0.3". */
      conditionText: asWritten<string>(),
      /** What the condition changed, for colouring: link and joint names. */
      highlights: v.looseObject({ bodies: v.array(asWritten<string>(), 'must be a list of link names'), joints: v.array(asWritten<string>(), 'must be a list of joint names') }, 'must list bodies and joints'),
      /** For a condition with an onset: the first frame under it (may be past the last frame). */
      onsetFrame: v.optional(nonNegativeInt),
      /** For a condition with an onset that changes shapes: the bodies before it. */
      bodiesBefore: v.optional(v.pipe(list('must list the bodies like bodies'), v.array(ReplayBodySchema))),
      /** Per frame and body: position and quaternion (see the header); a NaN is written as null. */
      poses: v.array(asWritten<number>(), got('must be a list of frames × bodies × 7 numbers')),
      actions: v.array(asWritten<number>(), 'must hold frames × actuators numbers'),
      terms: v.pipe(plainObject('must be an object of per-frame lists'), v.record(v.string(), v.array(asWritten<number>(), `must hold ${frames} numbers`))),
      summary: v.custom<{ return: number; distance: number; steps: number; terminated: boolean }>((x) => typeof x === 'object' && x !== null, 'is missing'),
      /** SNN policies: what happened inside the network at each frame (see the header). */
      internals: v.optional(internalsSchema(frames)),
      meta: asWritten<{
        episodeSeed: number; label?: string; run?: string;
        /** The policy's generation: the center after this many generations (counted from 1). */
        generation?: number;
        policy?: string; createdAt?: string;
      }>(),
      /** sha256 of the rest of the file, written with it (see the header). */
      digest: v.optional(asWritten<string>()),
    }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const r = dataset.value;
      const at = (...keys: string[]) => pathTo(r, ...keys);
      const nb = r.bodies.length;
      if (r.poses.length !== frames * nb * 7) addIssue({ message: `must hold frames × bodies × 7 = ${frames * nb * 7} numbers (got ${r.poses.length})`, path: at('poses') });
      if (r.actions.length !== frames * (r.actuators?.length ?? 0)) addIssue({ message: 'must hold frames × actuators numbers', path: at('actions') });
      for (const [k, x] of Object.entries(r.terms)) if (x.length !== frames) addIssue({ message: `must hold ${frames} numbers`, path: at('terms', k) });
      if (r.bodiesBefore !== undefined && r.bodiesBefore.length !== nb) addIssue({ message: `must list ${nb} bodies like bodies`, path: at('bodiesBefore') });
    }),
  );
}

/** A replay, for the frame count it says it has (checked first: the other fields' lengths follow from it). */
const ReplaySchema = v.lazy((raw) => replaySchema(isPlainObject(raw) && typeof raw.frames === 'number' ? raw.frames : NaN));

export type Replay = v.InferOutput<ReturnType<typeof replaySchema>>;

/** One entry of a run's `replays/index.json`, the manifest the viewer lists replays from. */
const ReplayIndexEntrySchema = looseRecord({
  file: v.string(got('must be a file name')),
  label: asWritten<string>(),
  conditionText: asWritten<string>(),
  episodeSeed: asWritten<number>(),
  return: asWritten<number>(),
  distance: asWritten<number>(),
  steps: asWritten<number>(),
  /** The replayed center's generation, when it is one (in the order writeReplay writes the fields). */
  generation: v.optional(asWritten<number>()),
});

export type ReplayIndexEntry = v.InferOutput<typeof ReplayIndexEntrySchema>;

/** `replays/index.json`: the entries are checked for what the viewer opens (the file), the rest is shown as written. */
export const ReplayIndexSchema = looseRecord({
  version: v.literal(1, got('must be 1, the version this build reads')),
  replays: v.array(ReplayIndexEntrySchema, got('must be a list')),
});

export type ReplayIndex = v.InferOutput<typeof ReplayIndexSchema>;

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

/** Checks a parsed replay; the error says what is wrong and where (`source`). */
export function validateReplay(raw: unknown, source = 'replay'): Replay {
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('not a JSON object');
  const r = raw as Record<string, unknown>;
  if (r.format !== REPLAY_FORMAT) fail(`format must be "${REPLAY_FORMAT}" (got ${JSON.stringify(r.format)})`);
  if (r.version !== REPLAY_VERSION) fail(`unsupported version ${JSON.stringify(r.version)} (this build reads version ${REPLAY_VERSION})`);
  if (checkDigest(r) === 'mismatch') fail(DIGEST_MISMATCH);
  return parseIn(ReplaySchema, raw, source);
}
