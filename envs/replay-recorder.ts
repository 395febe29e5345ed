/**
 * Records an ant's episode into the replay format: call `frame()` after the reset and after
 * every step, then `finish()`. Geometry comes from the same specs the builder uses, so a
 * shortened shin is drawn shortened.
 */
import { ACTUATOR_JOINTS, BODY_NAMES, NUM_BODIES, TORSO_RADIUS, capsuleSpecs, jointSpecs } from './ant-model.ts';
import { ACT_SIZE, REWARD_TERM_NAMES, type AntSim, type RewardTerms } from './ant-sim.ts';
import { conditionHighlights, describeCondition, resolveBuildSpec } from './conditions.ts';
import { fromTo } from './quat.ts';
import { REPLAY_FORMAT, REPLAY_VERSION, type Replay, type ReplayBody } from './replay.ts';

const round = (v: number) => Math.round(v * 1e5) / 1e5;

export class ReplayRecorder {
  private readonly poses: number[] = [];
  private readonly actions: number[] = [];
  private readonly terms: Record<string, number[]> = {};
  private readonly buf = new Float64Array(NUM_BODIES * 7);
  private frames = 0;
  private total = 0;

  constructor(private readonly sim: AntSim, private readonly dt: number, private readonly meta: Replay['meta']) {
    for (const k of REWARD_TERM_NAMES) this.terms[k] = [];
  }

  /** Appends the current poses; `action` and `terms` are those of the step that led here (omit at reset). */
  frame(action?: ArrayLike<number>, terms?: RewardTerms): void {
    this.sim.poses(this.buf);
    for (let i = 0; i < this.buf.length; i++) this.poses.push(round(this.buf[i]!));
    for (let a = 0; a < ACT_SIZE; a++) this.actions.push(action ? round(action[a]!) : 0);
    for (const k of REWARD_TERM_NAMES) {
      const v = terms ? terms[k] : 0;
      this.terms[k]!.push(round(v));
      this.total += v;
    }
    this.frames++;
  }

  finish(summary: { distance: number; terminated: boolean }): Replay {
    const c = this.sim.condition;
    const shinScale = resolveBuildSpec(c).shinScale;
    // Frame k holds the pose after k steps; the condition strikes before step `onset`.
    const onset = c.onset === undefined ? {} : {
      onsetFrame: this.sim.onset + 1,
      ...(shinScale.some((s) => s !== 1) ? { bodiesBefore: replayBodies([1, 1, 1, 1]) } : {}),
    };
    return {
      format: REPLAY_FORMAT,
      version: REPLAY_VERSION,
      env: 'ant',
      dt: this.dt,
      frames: this.frames,
      bodies: replayBodies(shinScale),
      joints: jointSpecs().map((s) => ({
        name: s.name, parent: s.parent, child: s.child,
        anchor: [s.anchorChild.x, s.anchorChild.y, s.anchorChild.z], axis: [s.axis.x, s.axis.y, s.axis.z],
      })),
      actuators: [...ACTUATOR_JOINTS],
      condition: c,
      conditionText: describeCondition(c),
      highlights: conditionHighlights(c),
      ...onset,
      poses: this.poses,
      actions: this.actions,
      terms: this.terms,
      summary: { return: round(this.total), distance: round(summary.distance), steps: this.frames - 1, terminated: summary.terminated },
      meta: this.meta,
    };
  }
}

export function replayBodies(shinScale: readonly number[]): ReplayBody[] {
  const bodies: ReplayBody[] = BODY_NAMES.map((name) => ({ name, shapes: [] }));
  bodies[0]!.shapes.push({ type: 'sphere', radius: TORSO_RADIUS, center: [0, 0, 0], rotation: [0, 0, 0, 1] });
  for (const c of capsuleSpecs(shinScale)) {
    const q = fromTo({ x: 0, y: 1, z: 0 }, c.dir);
    bodies[c.body]!.shapes.push({
      type: 'capsule', radius: c.radius, halfLength: c.halfLength,
      center: [c.center.x, c.center.y, c.center.z], rotation: [q.x, q.y, q.z, q.w],
    });
  }
  return bodies;
}
