/**
 * The typed messages between the trainer and rollout workers. Parameters travel as the
 * center plus (seed, sign) per member: a worker rebuilds x = center + sign * scale ⊙ z(seed)
 * with z(seed) the first D normals of `new Rng(seed)`, the same noise src/es draws.
 */
import type { PolicyConfig } from '../policies/index.ts';
import type { AntWorldConfig } from '../envs/ant-world.ts';
import type { Condition } from '../envs/conditions.ts';

/** sign 0 evaluates the center itself (test episodes, replays). */
export interface TaskMember { seed: number; sign: 1 | -1 | 0 }

export interface Normalization {
  mean: Float64Array;
  std: Float64Array;
  /** Normalized observations are clipped to [-clip, clip]. */
  clip: number;
}

export interface TaskEpisode { seed: number; condition: Condition }

export interface RolloutTask {
  /** Position of this task in its generation (results are merged in this order). */
  index: number;
  /** Binds the task to one run and generation, so stale or foreign results are recognisable. */
  runId: string;
  generation: number;
  center: Float64Array;
  /** Per-dimension sampling scale; may be omitted when every member has sign 0. */
  scale: Float64Array | null;
  members: TaskMember[];
  policy: PolicyConfig;
  world: Partial<AntWorldConfig>;
  /** Every member runs every episode (same seeds and conditions for the whole generation). */
  episodes: TaskEpisode[];
  normalizer: Normalization | null;
  /** Return the sums of raw observations for the running normalizer. */
  collectObsStats: boolean;
  /** Ants simulated together in one Rapier world (does not change results). */
  batch?: number;
  /**
   * Freeze the policy's plastic synapses when an episode's condition strikes (before the
   * action of the onset step; conditions without `onset` are not frozen). A lesion that
   * separates what plasticity does after the damage from the gait it had learned before.
   */
  freezeAtOnset?: boolean;
}

export interface ObsStats { count: number; sum: Float64Array; sumSq: Float64Array }

export interface RolloutResult {
  index: number;
  runId: string;
  generation: number;
  /** members × episodes, row-major by member. */
  returns: Float64Array;
  distances: Float64Array;
  /** Forward distance covered after the condition struck (equals `distances` without `onset`). */
  onsetDistances: Float64Array;
  /**
   * Per (member, episode), 3 numbers: the forward distance covered in each third of the
   * steps from the onset (the reset without one) to the episode's step limit. A third not
   * reached (the ant fell) counts the distance it had when it fell, so later thirds are 0.
   */
  onsetThirds: Float64Array;
  steps: Int32Array;
  /** Per (member, episode): the worst joint-limit violation seen (degrees) and the joint-steps past 5°. */
  limitWorst: Float64Array;
  limitPast5: Int32Array;
  obsStats: ObsStats | null;
  /** Wall time the worker spent on the task. */
  timeMs: number;
}
