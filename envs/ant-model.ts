/**
 * The ant's geometry as data, after Gymnasium's MuJoCo `ant.xml` (z up, x forward): a
 * sphere torso and four legs on the diagonals, each a fixed hip link (part of the torso
 * body), a thigh turning about the vertical axis (hip, ±30°) and a shin (ankle, 30°–70°
 * downward). Every body's local frame is world-aligned in the zero pose, so a joint angle
 * is the twist of the child's rotation relative to its parent about the joint axis.
 */
import { axisAngle, qmul, rotate, add, type Quat, type Vec3 } from './quat.ts';

export const DEG = Math.PI / 180;

export const TORSO_RADIUS = 0.25;
export const LIMB_RADIUS = 0.08;
export const DENSITY = 5;
export const FRICTION = 1;
/** Gymnasium's reset height of the torso centre. */
export const INIT_Z = 0.75;

export type LegIndex = 0 | 1 | 2 | 3;

export interface LegSpec {
  /** Human name, x forward and y left. */
  name: 'front_left' | 'back_left' | 'back_right' | 'front_right';
  /** Gymnasium's joint suffix (hip_1, ankle_1, ...). */
  number: 1 | 2 | 3 | 4;
  /** Unit diagonal direction of the leg in the xy plane. */
  dir: Vec3;
  /** Unit ankle axis (Gymnasium's, normalized). */
  ankleAxis: Vec3;
  /** Ankle range in radians; the sign makes positive "down" or "up" per leg as in ant.xml. */
  ankleRange: [number, number];
}

const S = Math.SQRT1_2;
export const LEGS: readonly LegSpec[] = [
  { name: 'front_left', number: 1, dir: { x: S, y: S, z: 0 }, ankleAxis: { x: -S, y: S, z: 0 }, ankleRange: [30 * DEG, 70 * DEG] },
  { name: 'back_left', number: 2, dir: { x: -S, y: S, z: 0 }, ankleAxis: { x: S, y: S, z: 0 }, ankleRange: [-70 * DEG, -30 * DEG] },
  { name: 'back_right', number: 3, dir: { x: -S, y: -S, z: 0 }, ankleAxis: { x: -S, y: S, z: 0 }, ankleRange: [-70 * DEG, -30 * DEG] },
  { name: 'front_right', number: 4, dir: { x: S, y: -S, z: 0 }, ankleAxis: { x: S, y: S, z: 0 }, ankleRange: [30 * DEG, 70 * DEG] },
];

export const HIP_AXIS: Vec3 = { x: 0, y: 0, z: 1 };
export const HIP_RANGE: [number, number] = [-30 * DEG, 30 * DEG];
/** Lengths along the leg diagonal, from ant.xml's `fromto` (0.2, 0.2) etc. */
export const HIP_LINK_LENGTH = 0.2 * Math.SQRT2;
export const THIGH_LENGTH = 0.2 * Math.SQRT2;
export const SHIN_LENGTH = 0.4 * Math.SQRT2;

/** Joint order of the observation (qpos order of ant.xml): hip_1, ankle_1, ..., hip_4, ankle_4. */
export const JOINT_NAMES = ['hip_1', 'ankle_1', 'hip_2', 'ankle_2', 'hip_3', 'ankle_3', 'hip_4', 'ankle_4'] as const;
export type JointName = (typeof JOINT_NAMES)[number];

/** Actuator order of ant.xml: hip_4, ankle_4, hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3. */
export const ACTUATOR_JOINTS: readonly JointName[] = ['hip_4', 'ankle_4', 'hip_1', 'ankle_1', 'hip_2', 'ankle_2', 'hip_3', 'ankle_3'];
/** ACTUATOR_TO_JOINT[a] is the observation joint index driven by action a. */
export const ACTUATOR_TO_JOINT: readonly number[] = ACTUATOR_JOINTS.map((n) => JOINT_NAMES.indexOf(n));

/** Body order: torso, then thigh and shin of each leg (9 bodies). */
export const BODY_NAMES = ['torso', 'thigh_1', 'shin_1', 'thigh_2', 'shin_2', 'thigh_3', 'shin_3', 'thigh_4', 'shin_4'] as const;
export type BodyName = (typeof BODY_NAMES)[number];
export const NUM_BODIES = BODY_NAMES.length;
export const NUM_JOINTS = JOINT_NAMES.length;

export interface JointSpec {
  name: JointName;
  /** Index into BODY_NAMES of the parent and child. */
  parent: number;
  child: number;
  /** Unit axis, the same in both bodies' local frames. */
  axis: Vec3;
  /** Anchor in the parent's and the child's local frame. */
  anchorParent: Vec3;
  anchorChild: Vec3;
  range: [number, number];
}

/** Joint specs in observation order, for shin length `shinScale[leg]` (1 = nominal). */
export function jointSpecs(): JointSpec[] {
  const out: JointSpec[] = [];
  LEGS.forEach((leg, i) => {
    const thigh = 1 + 2 * i;
    const shin = 2 + 2 * i;
    out.push({
      name: `hip_${leg.number}` as JointName, parent: 0, child: thigh, axis: HIP_AXIS,
      anchorParent: scaleV(leg.dir, HIP_LINK_LENGTH), anchorChild: { x: 0, y: 0, z: 0 }, range: HIP_RANGE,
    });
    out.push({
      name: `ankle_${leg.number}` as JointName, parent: thigh, child: shin, axis: leg.ankleAxis,
      anchorParent: scaleV(leg.dir, THIGH_LENGTH), anchorChild: { x: 0, y: 0, z: 0 }, range: leg.ankleRange,
    });
  });
  return out;
}

export interface CapsuleSpec {
  body: number;
  /** Centre in the body's local frame. */
  center: Vec3;
  /** Unit axis direction in the body's local frame. */
  dir: Vec3;
  halfLength: number;
  radius: number;
}

/** Limb capsules (hip links on the torso, thighs, shins); `shinScale` per leg scales a shin's length. */
export function capsuleSpecs(shinScale: readonly number[] = [1, 1, 1, 1]): CapsuleSpec[] {
  const out: CapsuleSpec[] = [];
  LEGS.forEach((leg, i) => {
    out.push({ body: 0, center: scaleV(leg.dir, HIP_LINK_LENGTH / 2), dir: leg.dir, halfLength: HIP_LINK_LENGTH / 2, radius: LIMB_RADIUS });
    out.push({ body: 1 + 2 * i, center: scaleV(leg.dir, THIGH_LENGTH / 2), dir: leg.dir, halfLength: THIGH_LENGTH / 2, radius: LIMB_RADIUS });
    const len = SHIN_LENGTH * shinScale[i]!;
    out.push({ body: 2 + 2 * i, center: scaleV(leg.dir, len / 2), dir: leg.dir, halfLength: len / 2, radius: LIMB_RADIUS });
  });
  return out;
}

/** The nominal joint pose of a reset: hips centred, ankles at the middle of their range. */
export function nominalPose(): Float64Array {
  const q = new Float64Array(NUM_JOINTS);
  const specs = jointSpecs();
  for (let j = 0; j < NUM_JOINTS; j++) {
    const r = specs[j]!.range;
    q[j] = (r[0] + r[1]) / 2;
  }
  return q;
}

export interface BodyPose { p: Vec3; q: Quat }

/** Forward kinematics: every body's world pose from the torso pose and the 8 joint angles. */
export function forwardKinematics(torsoP: Vec3, torsoQ: Quat, angles: ArrayLike<number>, specs: JointSpec[] = jointSpecs()): BodyPose[] {
  const poses: BodyPose[] = new Array(NUM_BODIES);
  poses[0] = { p: torsoP, q: torsoQ };
  for (let j = 0; j < specs.length; j++) {
    const s = specs[j]!;
    const parent = poses[s.parent]!;
    const q = qmul(parent.q, axisAngle(s.axis, angles[j]!));
    // The child's origin sits at the joint anchor, so p = parent.p + R_parent * anchorParent.
    const p = add(parent.p, rotate(parent.q, s.anchorParent));
    poses[s.child] = { p, q };
  }
  return poses;
}

function scaleV(v: Vec3, s: number): Vec3 {
  return { x: v.x * s, y: v.y * s, z: v.z * s };
}
