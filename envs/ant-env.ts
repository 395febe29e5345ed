/**
 * The ant environment with Gymnasium's contract: `reset(seed, condition) -> obs`,
 * `step(action) -> { obs, reward, terminated, truncated, info }`, where `info.terms` holds
 * the named reward terms and `reward` is their sum. Modelled on Gymnasium's MuJoCo Ant
 * (v4/v5) and simulated with Rapier.
 *
 * ## Physics (why these numbers)
 * Physics step 0.01 s, 5 physics steps per control step (0.05 s), 1000 control steps per
 * episode, as Gymnasium. Gymnasium's gear 150 relies on MuJoCo's joint armature (1 kg·m²
 * on links of 40–70 g) and explodes without it, so each joint is a force-based velocity
 * motor solved inside Rapier's constraint solver: 3 N·m per unit action, 0.2 N·m·s/rad of
 * viscous damping (torque = 3a - 0.2·qdot, capped at 3 N·m). With Rapier's default solver
 * (1 substep × 4 projected Gauss-Seidel iterations) the ankle limits give way under the
 * torso's weight by up to ~60°: a light limb between the heavy torso and the floor converges
 * slowly. The env's default is 2 substeps × 16 iterations, under which the worst violation
 * under uniformly random full-scale actions stays within 5°. New training runs use 3 × 3
 * with 0.004 kg·m² of angular inertia added to every limb (`AntPhysics.limbInertia`, like
 * MuJoCo's joint armature: it changes the dynamics), which holds the limits on random actions
 * and trained gaits alike at about 1.35× the speed of 2 × 16 (runs of 2 × 5 with the same inertia let a
 * trained gait's impact through for a step now and then); a run records its settings and is
 * always simulated under them
 * (envs/sim-settings.ts; both in test/ant-stability, the levers tried in README, *Speed*).
 *
 * ## Observation (27 numbers, Ant-v4 layout)
 * | index | name | unit |
 * |---|---|---|
 * | 0 | torso centre height z | m |
 * | 1–4 | torso orientation quaternion (w, x, y, z) | – |
 * | 5–12 | joint angles hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3, hip_4, ankle_4 | rad |
 * | 13–15 | torso linear velocity (x, y, z), world frame | m/s |
 * | 16–18 | torso angular velocity (x, y, z), torso frame | rad/s |
 * | 19–26 | joint angular velocities, same order as 5–12 | rad/s |
 * Joint angles and velocities are computed from the two bodies of each joint (twist of the
 * relative rotation about the joint axis). Hips: ±30°; ankles 1 and 4: 30°–70°, ankles 2
 * and 3: −70°–−30° (ant.xml's signs; larger magnitude = shin further down).
 *
 * ## Action (8 numbers in [-1, 1], ant.xml's actuator order)
 * | index | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 |
 * |---|---|---|---|---|---|---|---|---|
 * | joint | hip_4 | ankle_4 | hip_1 | ankle_1 | hip_2 | ankle_2 | hip_3 | ankle_3 |
 * Legs: 1 front_left (+x, +y), 2 back_left, 3 back_right, 4 front_right; x is forward.
 *
 * ## Reward and termination
 * reward = healthy (1 per step while healthy) + forward (torso x-velocity, m/s)
 *          + ctrl (−0.05·|a|²); contact costs are not modelled.
 * Gymnasium's control-cost weight 0.5 is calibrated for gear 150: a unit action there is
 * a strong torque, here 3 N·m. Walking this ant takes near-full-scale actions (a search
 * over open-loop gaits found ~1 m/s only at amplitudes whose cost under 0.5 is ~1.6 per
 * step, more than the forward reward), so under 0.5 standing still is optimal. 0.05 keeps
 * a price on needless effort without that; `RewardConfig.ctrlCostWeight` sets it.
 * Gymnasium's healthy range [0.2, 1.0] never ends an episode for a 0.25 m torso resting on
 * the floor, so here *fallen* means the torso centre below 0.26 m (the sphere within 1 cm
 * of the floor), above 1.0 m, the torso flipped (its up axis below horizontal), or any
 * non-finite state: `terminated`. Reaching 1000 steps is `truncated`.
 *
 * ## Reset
 * `reset(seed)` builds a fresh world: joint angles start at the middle of their range,
 * torso at z 0.75, plus U(−0.1, 0.1) on the pose and 0.1·N(0, 1) on velocities (Gymnasium's
 * reset noise), drawn from the seed. The same seed gives the same episode bit for bit.
 */
import type { Rapier } from './rapier.ts';
import { AntWorld, DEFAULT_WORLD, type AntWorldConfig } from './ant-world.ts';
import { ACT_SIZE, OBS_SIZE, type RewardTerms } from './ant-sim.ts';
import { NOMINAL, validateCondition, type Condition } from './conditions.ts';
import { JOINT_NAMES } from './ant-model.ts';

/** A box space as plain data. */
export interface BoxSpace { shape: [number]; low: number[]; high: number[]; names: string[] }

export const OBSERVATION_NAMES: readonly string[] = [
  'torso_z', 'torso_qw', 'torso_qx', 'torso_qy', 'torso_qz',
  ...JOINT_NAMES.map((j) => `${j}_angle`),
  'torso_vx', 'torso_vy', 'torso_vz', 'torso_wx', 'torso_wy', 'torso_wz',
  ...JOINT_NAMES.map((j) => `${j}_velocity`),
];

export const observationSpace: BoxSpace = {
  shape: [OBS_SIZE], low: new Array(OBS_SIZE).fill(-Infinity), high: new Array(OBS_SIZE).fill(Infinity), names: [...OBSERVATION_NAMES],
};
export const actionSpace: BoxSpace = {
  shape: [ACT_SIZE], low: new Array(ACT_SIZE).fill(-1), high: new Array(ACT_SIZE).fill(1),
  names: ['hip_4', 'ankle_4', 'hip_1', 'ankle_1', 'hip_2', 'ankle_2', 'hip_3', 'ankle_3'],
};

export interface StepInfo {
  terms: RewardTerms;
  /** Torso x displacement since reset, metres. */
  xDistance: number;
  step: number;
}

export interface StepResult {
  obs: Float64Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: StepInfo;
}

export class AntEnv {
  readonly observationSpace = observationSpace;
  readonly actionSpace = actionSpace;
  private readonly world: AntWorld;
  private started = false;

  constructor(R: Rapier, config: Partial<AntWorldConfig> = {}) {
    this.world = new AntWorld(R, { ...DEFAULT_WORLD, ...config });
  }

  get config(): AntWorldConfig {
    return this.world.config;
  }

  /** Starts an episode. `condition` is validated (errors name the field). */
  reset(seed: number, condition: Condition = NOMINAL): Float64Array {
    if (!Number.isInteger(seed)) throw new Error(`reset: seed must be an integer (got ${seed})`);
    const c = validateCondition(condition);
    this.started = true;
    return this.world.reset([{ seed, condition: c }]).slice();
  }

  step(action: ArrayLike<number>): StepResult {
    if (!this.started) throw new Error('step called before reset');
    if (this.world.done[0]) throw new Error('step called after the episode ended; call reset first');
    if (action.length !== ACT_SIZE) throw new Error(`action must have ${ACT_SIZE} entries (got ${action.length})`);
    this.world.step(action);
    const ant = this.world.ants[0]!;
    return {
      obs: this.world.obs.slice(),
      reward: this.world.rewards[0]!,
      terminated: this.world.terminated[0] === 1,
      truncated: this.world.truncated[0] === 1,
      info: { terms: { ...this.world.terms[0]! }, xDistance: ant.distance(), step: this.world.steps },
    };
  }

  /** The underlying single-ant world (poses for replays, raw joint state for tests). */
  get sim() {
    return this.world.ants[0]!;
  }

  close(): void {
    this.world.close();
    this.started = false;
  }
}
