/**
 * Builds one ant into a Rapier world (`buildAnt(RAPIER, world, opts)`): 9 rigid bodies, 8
 * revolute joints with limits, and joint actuators, colliding only with the floor so that
 * any number of ants can share a world.
 *
 * Actuation. Gymnasium's gear 150 relies on MuJoCo's joint armature (1 kg·m² on links of a
 * few grams) and explodes in Rapier, whose joints have none. Each joint is driven instead by
 * Rapier's force-based velocity motor, solved implicitly inside the constraint solver:
 *
 *   torque = c * (a * G / c - qdot) = G * a - c * qdot,   clipped to |torque| <= G_max
 *
 * i.e. a torque of G N·m per unit action plus viscous joint damping c, with no explicit
 * force that could overshoot between steps. A weak joint scales G; a disabled joint keeps
 * only the damping; a locked joint has both limits at one angle.
 */
import type { Rapier } from './rapier.ts';
import { nominalBuildSpec, type AntBuildSpec } from './build-spec.ts';
import type RAPIER_NS from '@dimforge/rapier3d-compat';
import {
  BODY_NAMES, DENSITY, FRICTION, NUM_BODIES, NUM_JOINTS, TORSO_RADIUS,
  capsuleSpecs, forwardKinematics, jointSpecs, type BodyPose, type JointSpec,
} from './ant-model.ts';
import { add, cross, fromTo, type Quat, type Vec3 } from './quat.ts';

type World = RAPIER_NS.World;
type RigidBody = RAPIER_NS.RigidBody;
type RevoluteJoint = RAPIER_NS.RevoluteImpulseJoint;

/** Collision groups: ant parts are in group 1 and see only the floor (group 0). */
export const GROUP_FLOOR = 0x0001;
export const GROUP_ANT = 0x0002;
export const ANT_COLLISION_GROUPS = (GROUP_ANT << 16) | GROUP_FLOOR;
export const FLOOR_COLLISION_GROUPS = (GROUP_FLOOR << 16) | GROUP_ANT;

/** The physical tuning of the ant's actuators and solver (see the env's header for why). */
export interface AntPhysics {
  /** Torque in N·m per unit action. */
  gear: number;
  /** Viscous joint damping in N·m·s/rad. */
  damping: number;
  /** Extra solver iterations on the ant's bodies (on top of the world's). */
  extraSolverIterations: number;
  /**
   * Let a resting ant fall asleep (Rapier's island sleeping). Contact friction in an
   * iterative solver lets a resting body slip by a fraction of a millimetre per second;
   * sleeping stops that creep, and any change of action wakes the ant again.
   */
  canSleep: boolean;
  /** Within this many radians of a joint limit, actions pushing further into it are cut (0: off). */
  limitMargin: number;
  /**
   * Angular inertia (kg·m²) added to every limb (thighs and shins) about each axis through its
   * centre of mass, like MuJoCo's joint armature (which adds it about the joint axis only). It
   * changes the dynamics: a leg turns a little more slowly under the same torque. What it buys
   * is a better-conditioned solve: a light limb between the heavy torso and the floor is what
   * lets a joint limit give way in a few iterations, so the same limits hold with fewer
   * iterations (README, *Speed*). 0: none.
   */
  limbInertia: number;
}

export const DEFAULT_PHYSICS: Readonly<AntPhysics> = Object.freeze({ gear: 3, damping: 0.2, extraSolverIterations: 0, canSleep: true, limitMargin: 0, limbInertia: 0 });

export interface AntHandles {
  bodies: RigidBody[];
  /** The torso's sphere, then one capsule per `capsuleSpecs` entry, in that order. */
  colliders: RAPIER_NS.Collider[];
  joints: RevoluteJoint[];
  specs: JointSpec[];
  /** The ant's origin offset in the world (ants in a shared world stand side by side in y). */
  offset: Vec3;
  physics: AntPhysics;
  build: AntBuildSpec;
  /** Per joint: the velocity gain G_j / c that turns an action into the motor's target speed. */
  motorGain: Float64Array;
  /** The joint actions last sent to the motors (NaN before the first). */
  lastAction: Float64Array;
}

export interface BuildAntOptions {
  offset?: Vec3;
  physics?: AntPhysics;
  build?: AntBuildSpec;
  /** Initial torso pose and joint angles; defaults to the nominal reset pose at rest. */
  torsoP?: Vec3;
  torsoQ?: Quat;
  angles?: ArrayLike<number>;
}

const Y_AXIS: Vec3 = { x: 0, y: 1, z: 0 };

export function buildAnt(R: Rapier, world: World, opts: BuildAntOptions & { angles: ArrayLike<number>; torsoP: Vec3; torsoQ: Quat }): AntHandles {
  const physics = opts.physics ?? DEFAULT_PHYSICS;
  const build = opts.build ?? nominalBuildSpec();
  const offset = opts.offset ?? { x: 0, y: 0, z: 0 };
  const specs = jointSpecs();
  const p0 = { x: opts.torsoP.x + offset.x, y: opts.torsoP.y + offset.y, z: opts.torsoP.z + offset.z };
  const poses: BodyPose[] = forwardKinematics(p0, opts.torsoQ, opts.angles, specs);

  const bodies: RigidBody[] = [];
  for (let b = 0; b < NUM_BODIES; b++) {
    const pose = poses[b]!;
    const desc = R.RigidBodyDesc.dynamic()
      .setTranslation(pose.p.x, pose.p.y, pose.p.z)
      .setRotation(pose.q)
      .setGravityScale(build.gravity)
      .setCanSleep(physics.canSleep);
    if (physics.extraSolverIterations > 0) desc.setAdditionalSolverIterations(physics.extraSolverIterations);
    const I = physics.limbInertia;
    if (b > 0 && I > 0) desc.setAdditionalMassProperties(0, { x: 0, y: 0, z: 0 }, { x: I, y: I, z: I }, { x: 0, y: 0, z: 0, w: 1 });
    bodies.push(world.createRigidBody(desc));
  }

  const density = (b: number) => DENSITY * build.massScale[b]!;
  const torsoCol = R.ColliderDesc.ball(TORSO_RADIUS).setDensity(density(0));
  const colliders = [world.createCollider(decorate(R, torsoCol, build.friction), bodies[0])];
  for (const c of capsuleSpecs(build.shinScale)) {
    const desc = R.ColliderDesc.capsule(c.halfLength, c.radius)
      .setTranslation(c.center.x, c.center.y, c.center.z)
      .setRotation(fromTo(Y_AXIS, c.dir))
      .setDensity(density(c.body));
    colliders.push(world.createCollider(decorate(R, desc, build.friction), bodies[c.body]));
  }

  const joints: RevoluteJoint[] = [];
  const motorGain = new Float64Array(NUM_JOINTS);
  for (let j = 0; j < NUM_JOINTS; j++) {
    const s = specs[j]!;
    const data = R.JointData.revolute(s.anchorParent, s.anchorChild, s.axis);
    const joint = world.createImpulseJoint(data, bodies[s.parent]!, bodies[s.child]!, true) as RevoluteJoint;
    setJointLimits(joint, s, build.lockedAngle[j] ?? null);
    joint.setContactsEnabled(false);
    joint.configureMotorModel(R.MotorModel.ForceBased);
    joint.setMotorMaxForce(physics.gear);
    joint.configureMotorVelocity(0, physics.damping);
    motorGain[j] = motorGainOf(physics, build.torqueScale[j]!);
    joints.push(joint);
  }
  return { bodies, colliders, joints, specs, offset, physics, build, motorGain, lastAction: new Float64Array(NUM_JOINTS).fill(NaN) };
}

/**
 * Changes a built ant to `build` in place, mid-episode: link masses, shin lengths, motor
 * strengths, locks, friction and gravity. A joint newly locked at NaN holds `angles[j]`,
 * its current angle (clamped to its range). Mass properties are recomputed at once.
 */
export function rebuildAnt(ant: AntHandles, build: AntBuildSpec, angles: ArrayLike<number>): void {
  const caps = capsuleSpecs(build.shinScale);
  const old = capsuleSpecs(ant.build.shinScale);
  const resized = caps.map((c, i) => c.halfLength !== old[i]!.halfLength);
  // A reshaped body's centre of mass moves, and Rapier keeps the velocity of the centre of
  // mass: the body's motion is kept by moving that velocity to the new centre (v + ω × Δ).
  const reshaped = new Map<number, { v: Vec3; w: Vec3; com: Vec3 }>();
  caps.forEach((c, i) => {
    if (!resized[i] || reshaped.has(c.body)) return;
    const b = ant.bodies[c.body]!;
    reshaped.set(c.body, { v: b.linvel(), w: b.angvel(), com: b.worldCom() });
  });
  ant.colliders.forEach((col, i) => {
    const cap = i === 0 ? null : caps[i - 1]!;
    if (cap && resized[i - 1]) {
      col.setHalfHeight(cap.halfLength);
      col.setTranslationWrtParent(cap.center);
    }
    col.setDensity(DENSITY * build.massScale[cap ? cap.body : 0]!);
    col.setFriction(FRICTION * build.friction);
  });
  for (const b of ant.bodies) {
    b.recomputeMassPropertiesFromColliders();
    b.setGravityScale(build.gravity, true);
  }
  for (const [body, s] of reshaped) {
    const com = ant.bodies[body]!.worldCom();
    ant.bodies[body]!.setLinvel(add(s.v, cross(s.w, { x: com.x - s.com.x, y: com.y - s.com.y, z: com.z - s.com.z })), true);
  }
  const lockedAngle = build.lockedAngle.map((a, j) => {
    if (a === null || !Number.isNaN(a)) return a;
    const r = ant.specs[j]!.range;
    return Math.min(r[1], Math.max(r[0], angles[j]!));
  });
  for (let j = 0; j < NUM_JOINTS; j++) {
    const locked = lockedAngle[j] ?? null;
    if (locked !== ant.build.lockedAngle[j]) setJointLimits(ant.joints[j]!, ant.specs[j]!, locked);
    ant.motorGain[j] = motorGainOf(ant.physics, build.torqueScale[j]!);
  }
  ant.lastAction.fill(NaN);
  ant.build = { ...build, lockedAngle };
}

/** A joint's limits: its range, or both at `locked` (radians). */
function setJointLimits(joint: RevoluteJoint, spec: JointSpec, locked: number | null): void {
  if (locked === null) joint.setLimits(spec.range[0], spec.range[1]);
  else joint.setLimits(locked, locked);
}

/** The velocity gain G_j / c that turns an action into the motor's target speed. */
function motorGainOf(physics: AntPhysics, torqueScale: number): number {
  return (physics.gear * torqueScale) / physics.damping;
}

function decorate(R: Rapier, desc: RAPIER_NS.ColliderDesc, friction: number): RAPIER_NS.ColliderDesc {
  // Multiply wins over the floor's rule, so the contact friction is FRICTION * scale exactly.
  return desc
    .setFriction(FRICTION * friction)
    .setFrictionCombineRule(R.CoefficientCombineRule.Multiply)
    .setRestitution(0)
    .setCollisionGroups(ANT_COLLISION_GROUPS)
    .setSolverGroups(ANT_COLLISION_GROUPS);
}

/** The floor: the half-space z <= 0 (cheaper contacts than a large box). */
export function buildFloor(R: Rapier, world: World): RAPIER_NS.Collider {
  const desc = new R.ColliderDesc(new R.HalfSpace({ x: 0, y: 0, z: 1 }))
    .setFriction(1)
    .setRestitution(0)
    .setCollisionGroups(FLOOR_COLLISION_GROUPS)
    .setSolverGroups(FLOOR_COLLISION_GROUPS);
  return world.createCollider(desc);
}

/** Applies actions in JOINT order (already clipped to [-1, 1]) as motor velocity targets. */
export function applyJointActions(ant: AntHandles, jointActions: ArrayLike<number>): void {
  const c = ant.physics.damping;
  let changed = false;
  for (let j = 0; j < NUM_JOINTS; j++) {
    const v = jointActions[j]!;
    if (v === ant.lastAction[j]) continue;
    changed = true;
    ant.lastAction[j] = v;
    ant.joints[j]!.configureMotorVelocity(v * ant.motorGain[j]!, c);
  }
  // A new motor target does not wake a sleeping body by itself.
  if (changed && ant.physics.canSleep) for (const b of ant.bodies) b.wakeUp();
}

export { BODY_NAMES };
