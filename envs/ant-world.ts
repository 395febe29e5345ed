/**
 * N ants in one Rapier world, stepped together. Ants collide only with the floor, so each
 * ant's trajectory is the one it would have alone; sharing the world amortises Rapier's
 * per-step overhead. Every reset builds a fresh world (and frees the old one), which keeps
 * episodes bit-for-bit reproducible: no contact cache or warm-start survives a reset.
 */
import type RAPIER_NS from '@dimforge/rapier3d-compat';
import type { Rapier } from './rapier.ts';
import { buildFloor, DEFAULT_PHYSICS, type AntPhysics } from './ant-builder.ts';
import { AntSim, ACT_SIZE, DEFAULT_REWARD, OBS_SIZE, type RewardConfig, type RewardTerms } from './ant-sim.ts';
import type { Condition } from './conditions.ts';

export interface AntWorldConfig {
  /** Physics step in seconds (Gymnasium: 0.01). */
  dt: number;
  /** Physics steps per control step (Gymnasium: 5). */
  frameSkip: number;
  /** Control steps per episode before truncation (Gymnasium: 1000). */
  maxSteps: number;
  /** Rapier solver iterations (substeps) per physics step. */
  solverIterations: number;
  /** Projected Gauss-Seidel iterations inside each solver iteration. */
  pgsIterations: number;
  physics: AntPhysics;
  reward: RewardConfig;
}

export const DEFAULT_WORLD: Readonly<AntWorldConfig> = Object.freeze({
  dt: 0.01,
  frameSkip: 5,
  maxSteps: 1000,
  solverIterations: 2,
  pgsIterations: 16,
  physics: DEFAULT_PHYSICS,
  reward: DEFAULT_REWARD,
});

/**
 * Every ant stands at the world origin. They never touch (collision groups), and Rapier
 * computes in f32, so an ant moved to another origin would round differently and drift
 * from the trajectory it has alone; at one origin the trajectories are bit-identical.
 */
const ORIGIN = Object.freeze({ x: 0, y: 0, z: 0 });

export interface EpisodeSpec { seed: number; condition: Condition }

export class AntWorld {
  readonly config: AntWorldConfig;
  private world: RAPIER_NS.World | null = null;
  ants: AntSim[] = [];
  /** Observations, N × 27, refreshed by reset and step. */
  obs = new Float64Array(0);
  rewards = new Float64Array(0);
  terms: RewardTerms[] = [];
  /** Per ant: 1 once its episode has ended (terminated or truncated). */
  done = new Uint8Array(0);
  terminated = new Uint8Array(0);
  truncated = new Uint8Array(0);
  steps = 0;

  constructor(private readonly R: Rapier, config: Partial<AntWorldConfig> = {}) {
    this.config = { ...DEFAULT_WORLD, ...config };
  }

  get controlDt(): number {
    return this.config.dt * this.config.frameSkip;
  }

  get size(): number {
    return this.ants.length;
  }

  /** Builds a fresh world with one ant per episode spec and returns the N × 27 observations. */
  reset(episodes: EpisodeSpec[]): Float64Array {
    this.close();
    const R = this.R;
    const w = new R.World({ x: 0, y: 0, z: -9.81 });
    w.timestep = this.config.dt;
    w.numSolverIterations = this.config.solverIterations;
    w.numInternalPgsIterations = this.config.pgsIterations;
    this.world = w;
    buildFloor(R, w);
    const n = episodes.length;
    this.ants = episodes.map((e) => new AntSim(R, w, {
      offset: ORIGIN, physics: this.config.physics, condition: e.condition, seed: e.seed, reward: this.config.reward,
    }));
    this.obs = new Float64Array(n * OBS_SIZE);
    this.rewards = new Float64Array(n);
    this.terms = episodes.map(() => ({ healthy: 0, forward: 0, ctrl: 0 }));
    this.done = new Uint8Array(n);
    this.terminated = new Uint8Array(n);
    this.truncated = new Uint8Array(n);
    this.steps = 0;
    for (let i = 0; i < n; i++) this.ants[i]!.observe(this.obs.subarray(i * OBS_SIZE, (i + 1) * OBS_SIZE));
    return this.obs;
  }

  /**
   * One control step for every ant still running. `actions` is N × 8 in actuator order;
   * rows of finished ants are ignored. Returns the number of ants still running.
   */
  step(actions: ArrayLike<number>): number {
    const w = this.world;
    if (!w) throw new Error('AntWorld.step called before reset (or after close)');
    const n = this.ants.length;
    if (actions.length !== n * ACT_SIZE) throw new Error(`actions must have ${n} × ${ACT_SIZE} = ${n * ACT_SIZE} entries (got ${actions.length})`);
    for (let i = 0; i < n; i++) {
      if (this.done[i]) continue;
      this.ants[i]!.applyAction(subarrayOf(actions, i * ACT_SIZE, ACT_SIZE));
    }
    for (let k = 0; k < this.config.frameSkip; k++) stepPhysics(w);
    this.steps++;
    let running = 0;
    const dt = this.controlDt;
    for (let i = 0; i < n; i++) {
      if (this.done[i]) {
        this.rewards[i] = 0;
        continue;
      }
      const ant = this.ants[i]!;
      ant.observe(this.obs.subarray(i * OBS_SIZE, (i + 1) * OBS_SIZE));
      const t = ant.rewardTerms(subarrayOf(actions, i * ACT_SIZE, ACT_SIZE), dt, this.config.reward);
      this.terms[i] = t;
      this.rewards[i] = t.healthy + t.forward + t.ctrl;
      this.terminated[i] = ant.terminated ? 1 : 0;
      this.truncated[i] = !ant.terminated && this.steps >= this.config.maxSteps ? 1 : 0;
      if (this.terminated[i] || this.truncated[i]) {
        this.done[i] = 1;
        ant.freeze();
      } else running++;
    }
    return running;
  }

  close(): void {
    if (this.world) {
      this.world.free();
      this.world = null;
    }
    this.ants = [];
  }
}

/**
 * One physics step: `World.step` without the bookkeeping its wrapper runs after every step
 * (`mapNewSoftBodies`: a WebAssembly round trip per body, collider and joint to map ones
 * the step created and unmap removed ones). A step of this world creates and removes
 * nothing, so the simulation is the same bit for bit, at a fraction of the crossings.
 */
function stepPhysics(w: RAPIER_NS.World): void {
  w.physicsPipeline.step(w.gravity, w.integrationParameters, w.islands, w.broadPhase, w.narrowPhase, w.bodies, w.colliders, w.softBodies, w.impulseJoints, w.multibodyJoints, w.ccdSolver);
}

function subarrayOf(a: ArrayLike<number>, start: number, len: number): ArrayLike<number> {
  if (a instanceof Float64Array || a instanceof Float32Array) return a.subarray(start, start + len);
  return Array.prototype.slice.call(a, start, start + len) as number[];
}
