/**
 * One ant inside a Rapier world: its reset pose, observation, reward terms and
 * termination. `AntWorld` owns the world and steps any number of these together.
 */
import type RAPIER_NS from '@dimforge/rapier3d-compat';
import type { Rapier } from './rapier.ts';
import { buildAnt, applyJointActions, rebuildAnt, type AntHandles, type AntPhysics } from './ant-builder.ts';
import { nominalBuildSpec, type AntBuildSpec } from './build-spec.ts';
import {
  ACTUATOR_TO_JOINT, BODY_NAMES, INIT_Z, NUM_BODIES, NUM_JOINTS, capsuleSpecs, jointSpecs, nominalPose, TORSO_RADIUS,
  type JointSpec,
} from './ant-model.ts';
import { onsetStep, resolveBuildSpec, type Condition } from './conditions.ts';
import { add, axisAngle, cross, IDENTITY, qconj, qmul, qnormalize, rotate, twistAngle, type Quat, type Vec3 } from './quat.ts';
import { Rng } from '../core/rng.ts';

const RAD_TO_DEG = 180 / Math.PI;

export const OBS_SIZE = 27;
export const ACT_SIZE = 8;

/** Reward and termination settings (Gymnasium Ant-v5 defaults where they apply). */
export interface RewardConfig {
  /** Reward per control step while healthy. */
  healthyReward: number;
  /** Weight of the forward x-velocity term. */
  forwardWeight: number;
  /** Weight of the control cost sum(a²). */
  ctrlCostWeight: number;
  /** Healthy torso-centre height range in metres; outside it the episode terminates. */
  healthyZ: [number, number];
  /** Terminate when the torso's up axis tilts below horizontal (flipped). */
  terminateWhenFlipped: boolean;
  /** Gymnasium's reset_noise_scale: uniform noise on the pose, Gaussian on velocities. */
  resetNoiseScale: number;
}

export const DEFAULT_REWARD: Readonly<RewardConfig> = Object.freeze({
  healthyReward: 1,
  forwardWeight: 1,
  ctrlCostWeight: 0.05,
  healthyZ: [TORSO_RADIUS + 0.01, 1.0] as [number, number],
  terminateWhenFlipped: true,
  resetNoiseScale: 0.1,
});

export interface RewardTerms { healthy: number; forward: number; ctrl: number }
export const REWARD_TERM_NAMES: readonly (keyof RewardTerms)[] = ['healthy', 'forward', 'ctrl'];

/** Local centre of mass of each body (for setting consistent initial velocities). */
function localComs(shinScale: readonly number[]): Vec3[] {
  const sum = Array.from({ length: NUM_BODIES }, () => ({ m: 0, x: 0, y: 0, z: 0 }));
  const torsoM = (4 / 3) * Math.PI * TORSO_RADIUS ** 3;
  sum[0]!.m += torsoM;
  for (const c of capsuleSpecs(shinScale)) {
    const m = Math.PI * c.radius ** 2 * 2 * c.halfLength + (4 / 3) * Math.PI * c.radius ** 3;
    const s = sum[c.body]!;
    s.m += m; s.x += m * c.center.x; s.y += m * c.center.y; s.z += m * c.center.z;
  }
  return sum.map((s) => ({ x: s.x / s.m, y: s.y / s.m, z: s.z / s.m }));
}

export class AntSim {
  readonly handles: AntHandles;
  readonly condition: Condition;
  readonly specs: JointSpec[];
  private readonly noise: Rng;
  private readonly jointAct = new Float64Array(NUM_JOINTS);
  /** Last raw joint angles and velocities (observation order). */
  readonly q = new Float64Array(NUM_JOINTS);
  readonly qd = new Float64Array(NUM_JOINTS);
  /** The last observation without sensor noise (health is judged on the true state). */
  readonly clean = new Float64Array(OBS_SIZE);
  private xBefore = 0;
  /** Read buffers for the body state (Rapier fills them in place) and the torso's x at the last observation. */
  private readonly torsoP = { x: 0, y: 0, z: 0 };
  private readonly torsoV = { x: 0, y: 0, z: 0 };
  private readonly rots: Quat[] = Array.from({ length: NUM_BODIES }, () => ({ x: 0, y: 0, z: 0, w: 1 }));
  private readonly angv: Vec3[] = Array.from({ length: NUM_BODIES }, () => ({ x: 0, y: 0, z: 0 }));
  private torsoX = 0;
  private readonly x0: number;
  /** The control step from which the condition applies (0 without `onset`). */
  readonly onset: number;
  /** The body and world the condition brings, until it strikes (null once it has, or without `onset`). */
  private pending: AntBuildSpec | null;
  /** Everything the condition brings (its noise is read from here once it has struck). */
  private readonly full: AntBuildSpec;
  private stepIndex = 0;
  private xOnset: number;
  done = false;
  terminated = false;

  constructor(R: Rapier, world: RAPIER_NS.World, opts: { offset: Vec3; physics: AntPhysics; condition: Condition; seed: number; reward: RewardConfig }) {
    this.condition = opts.condition;
    this.specs = jointSpecs();
    // A condition with an onset (even 0) starts nominal and strikes before that step's action.
    const full = resolveBuildSpec(opts.condition);
    this.full = full;
    this.onset = onsetStep(opts.condition, opts.seed);
    this.pending = opts.condition.onset === undefined ? null : full;
    const build = this.pending ? nominalBuildSpec() : full;
    const rng = new Rng(opts.seed);
    const ns = opts.reward.resetNoiseScale;
    // Gymnasium: qpos += U(-ns, ns), qvel += ns * N(0, 1). Joint angles stay inside their limits.
    const angles = nominalPose();
    for (let j = 0; j < NUM_JOINTS; j++) {
      const r = this.specs[j]!.range;
      const locked = build.lockedAngle[j];
      angles[j] = locked ?? clamp(angles[j]! + rng.range(-ns, ns), r[0], r[1]);
    }
    const torsoP = { x: rng.range(-ns, ns), y: rng.range(-ns, ns), z: INIT_Z + rng.range(-ns, ns) };
    const torsoQ = qnormalize({ x: rng.range(-ns, ns) / 2, y: rng.range(-ns, ns) / 2, z: rng.range(-ns, ns) / 2, w: 1 });
    this.handles = buildAnt(R, world, { offset: opts.offset, physics: opts.physics, build, torsoP, torsoQ, angles });
    const v0 = { x: ns * rng.normal(), y: ns * rng.normal(), z: ns * rng.normal() };
    const w0 = { x: ns * rng.normal(), y: ns * rng.normal(), z: ns * rng.normal() };
    const qd0 = new Float64Array(NUM_JOINTS);
    for (let j = 0; j < NUM_JOINTS; j++) qd0[j] = build.lockedAngle[j] === null ? ns * rng.normal() : 0;
    this.setInitialVelocities(v0, w0, qd0, localComs(build.shinScale));
    // Sensor and actuator noise draw from their own stream, so noise settings do not shift the reset.
    this.noise = new Rng(opts.seed ^ 0x5bd1e995);
    this.xBefore = this.handles.bodies[0]!.translation().x;
    this.x0 = this.xBefore;
    this.xOnset = this.x0;
  }

  /** Whether the condition applies yet (its noise included). */
  private get struck(): boolean {
    return this.pending === null;
  }

  /** Applies the condition's body and world now (mid-episode), keeping the ant's motion; rebuildAnt wakes the bodies. */
  private strike(): void {
    rebuildAnt(this.handles, this.pending!, this.q);
    this.pending = null;
    this.xOnset = this.handles.bodies[0]!.translation().x;
  }

  /** Rigid motion of the torso plus joint velocities, propagated down each leg to each body's COM. */
  private setInitialVelocities(v: Vec3, w: Vec3, qd: Float64Array, coms: Vec3[]): void {
    const b = this.handles.bodies;
    const rot: Quat[] = b.map((body) => body.rotation());
    const origin: Vec3[] = b.map((body) => body.translation());
    const omega: Vec3[] = new Array(NUM_BODIES);
    const vOrigin: Vec3[] = new Array(NUM_BODIES);
    omega[0] = w;
    vOrigin[0] = v;
    for (let j = 0; j < NUM_JOINTS; j++) {
      const s = this.specs[j]!;
      const axisW = rotate(rot[s.parent]!, s.axis);
      omega[s.child] = add(omega[s.parent]!, { x: axisW.x * qd[j]!, y: axisW.y * qd[j]!, z: axisW.z * qd[j]! });
      const r = { x: origin[s.child]!.x - origin[s.parent]!.x, y: origin[s.child]!.y - origin[s.parent]!.y, z: origin[s.child]!.z - origin[s.parent]!.z };
      vOrigin[s.child] = add(vOrigin[s.parent]!, cross(omega[s.parent]!, r));
    }
    for (let i = 0; i < NUM_BODIES; i++) {
      const com = rotate(rot[i]!, coms[i]!);
      b[i]!.setLinvel(add(vOrigin[i]!, cross(omega[i]!, com)), true);
      b[i]!.setAngvel(omega[i]!, true);
    }
  }

  /** Sets the motors from an action in actuator order. Throws on a non-finite entry. */
  applyAction(action: ArrayLike<number>): void {
    if (action.length !== ACT_SIZE) throw new Error(`action must have ${ACT_SIZE} entries (got ${action.length})`);
    if (this.pending && this.stepIndex >= this.onset) this.strike();
    this.stepIndex++;
    const noise = this.struck ? this.full.actuatorNoise : 0;
    for (let a = 0; a < ACT_SIZE; a++) {
      const v = action[a]!;
      if (!Number.isFinite(v)) throw new Error(`action[${a}] must be a finite number (got ${v})`);
      const noisy = noise > 0 ? v + noise * this.noise.normal() : v;
      this.jointAct[ACTUATOR_TO_JOINT[a]!] = clamp(noisy, -1, 1);
    }
    // Soft end stops: no motor torque pushes further into a joint limit once the joint is
    // within `limitMargin` of it (the solver's limit then only has to hold the load).
    const margin = this.handles.physics.limitMargin;
    if (margin > 0) {
      for (let j = 0; j < NUM_JOINTS; j++) {
        const r = this.specs[j]!.range;
        const u = this.jointAct[j]!;
        if ((u > 0 && this.q[j]! > r[1] - margin) || (u < 0 && this.q[j]! < r[0] + margin)) this.jointAct[j] = 0;
      }
    }
    applyJointActions(this.handles, this.jointAct);
  }

  /** Reads joint angles and velocities and writes the 27-number observation into `out`. */
  observe(out: Float64Array): void {
    this.observeClean(this.clean);
    const sn = this.struck ? this.full.sensorNoise : 0;
    for (let i = 0; i < OBS_SIZE; i++) out[i] = sn > 0 ? this.clean[i]! + sn * this.noise.normal() : this.clean[i]!;
  }

  private observeClean(out: Float64Array): void {
    const b = this.handles.bodies;
    const torso = b[0]!;
    // Rapier writes into these objects instead of allocating new ones on every read.
    const p = torso.translation(this.torsoP);
    const lv = torso.linvel(this.torsoV);
    const rots = this.rots;
    const angv = this.angv;
    for (let i = 0; i < NUM_BODIES; i++) {
      b[i]!.rotation(rots[i]);
      b[i]!.angvel(angv[i]);
    }
    const tq = rots[0]!;
    const av = rotate(qconj(tq), angv[0]!);
    this.torsoX = p.x;
    for (let j = 0; j < NUM_JOINTS; j++) {
      const s = this.specs[j]!;
      const qp = rots[s.parent]!;
      this.q[j] = twistAngle(qmul(qconj(qp), rots[s.child]!), s.axis);
      const axisW = rotate(qp, s.axis);
      const wc = angv[s.child]!;
      const wp = angv[s.parent]!;
      this.qd[j] = (wc.x - wp.x) * axisW.x + (wc.y - wp.y) * axisW.y + (wc.z - wp.z) * axisW.z;
    }
    out[0] = p.z - this.handles.offset.z;
    out[1] = tq.w; out[2] = tq.x; out[3] = tq.y; out[4] = tq.z;
    for (let j = 0; j < NUM_JOINTS; j++) out[5 + j] = this.q[j]!;
    out[13] = lv.x; out[14] = lv.y; out[15] = lv.z;
    out[16] = av.x; out[17] = av.y; out[18] = av.z;
    for (let j = 0; j < NUM_JOINTS; j++) out[19 + j] = this.qd[j]!;
  }

  /** Reward terms of the control step that just ended (call after `observe`); updates `terminated`. */
  rewardTerms(action: ArrayLike<number>, dt: number, cfg: RewardConfig): RewardTerms {
    const obs = this.clean;
    const x = this.torsoX;
    const forward = (cfg.forwardWeight * (x - this.xBefore)) / dt;
    this.xBefore = x;
    let ctrl = 0;
    for (let a = 0; a < ACT_SIZE; a++) {
      const v = clamp(action[a]!, -1, 1);
      ctrl += v * v;
    }
    this.terminated = !this.healthy(cfg, obs);
    return { healthy: this.terminated ? 0 : cfg.healthyReward, forward, ctrl: -cfg.ctrlCostWeight * ctrl };
  }

  private healthy(cfg: RewardConfig, obs: Float64Array): boolean {
    for (let i = 0; i < OBS_SIZE; i++) if (!Number.isFinite(obs[i]!)) return false;
    const z = obs[0]!;
    if (z < cfg.healthyZ[0] || z > cfg.healthyZ[1]) return false;
    if (cfg.terminateWhenFlipped) {
      // z component of the torso's up axis: 1 - 2(x² + y²) for quaternion (w, x, y, z).
      const upZ = 1 - 2 * (obs[2]! * obs[2]! + obs[3]! * obs[3]!);
      if (upZ < 0) return false;
    }
    return true;
  }

  /** Forward (x) distance the torso has covered since the reset, metres. */
  distance(): number {
    return this.handles.bodies[0]!.translation().x - this.x0;
  }

  /** How far joint j (observation order) is past its range, in degrees (0 within it). */
  limitViolation(j: number): number {
    const r = this.specs[j]!.range;
    const q = this.q[j]!;
    return Math.max(r[0] - q, q - r[1], 0) * RAD_TO_DEG;
  }

  /**
   * Forward distance covered since the condition struck (since the reset without `onset`;
   * 0 if the episode ended before the onset).
   */
  distanceSinceOnset(): number {
    return this.struck ? this.handles.bodies[0]!.translation().x - this.xOnset : 0;
  }

  /** Writes each body's position (relative to the ant's offset) and quaternion (x, y, z, w): 7 numbers per body. */
  poses(out: Float32Array | Float64Array, at = 0): void {
    const o = this.handles.offset;
    for (let i = 0; i < NUM_BODIES; i++) {
      const body = this.handles.bodies[i]!;
      const p = body.translation();
      const q = body.rotation();
      const k = at + 7 * i;
      out[k] = p.x - o.x; out[k + 1] = p.y - o.y; out[k + 2] = p.z - o.z;
      out[k + 3] = q.x; out[k + 4] = q.y; out[k + 5] = q.z; out[k + 6] = q.w;
    }
  }

  /** Stops simulating this ant (its bodies leave the solver); the others are unaffected. */
  freeze(): void {
    for (const b of this.handles.bodies) b.setEnabled(false);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export { BODY_NAMES, IDENTITY, axisAngle };
