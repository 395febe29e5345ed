/**
 * What a condition does to the ant, resolved per body and joint: the builder (ant-builder.ts)
 * builds or rebuilds the body from it and the sim (ant-sim.ts) reads its noise. Plain data
 * next to the conditions, so that conditions and the replay format never reach Rapier.
 */
import { NUM_BODIES, NUM_JOINTS } from './ant-model.ts';

export interface AntBuildSpec {
  /** Mass multiplier per body, BODY_NAMES order. */
  massScale: number[];
  /** Shin length multiplier per leg. */
  shinScale: number[];
  /** Torque multiplier per joint (JOINT_NAMES order): 1 nominal, 0 disabled. */
  torqueScale: number[];
  /** A locked joint's angle (radians), NaN for the angle it has when the condition strikes, or null. */
  lockedAngle: (number | null)[];
  /** Floor friction multiplier. */
  friction: number;
  /** Gravity multiplier for this ant's bodies. */
  gravity: number;
  /** Std of Gaussian noise added to each action before clipping, and to each observation entry. */
  actuatorNoise: number;
  sensorNoise: number;
}

export function nominalBuildSpec(): AntBuildSpec {
  return {
    massScale: new Array(NUM_BODIES).fill(1),
    shinScale: [1, 1, 1, 1],
    torqueScale: new Array(NUM_JOINTS).fill(1),
    lockedAngle: new Array(NUM_JOINTS).fill(null),
    friction: 1,
    gravity: 1,
    actuatorNoise: 0,
    sensorNoise: 0,
  };
}
