import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { NUM_JOINTS } from '../envs/ant-model.ts';
import { Rng } from '../core/rng.ts';
import { randomActionEpisodes } from '../envs/random-actions.ts';
import { DEFAULT_SIM, LEGACY_SIM, SIM_2X5, simWorld } from '../envs/sim-settings.ts';

const R = await loadRapier();
const EPISODES = 200;
/** Ants per shared world; trajectories are the same as alone (see ant-env.test). */
const BATCH = 20;

/** Runs without recorded settings (2 × 16), the runs of 2 × 5 with inertia added to the limbs, and new runs (3 × 3 with it). */
const SOLVERS = [
  ['2 × 16 iterations (runs without sim)', LEGACY_SIM],
  ['2 × 5 with limb inertia (docs/runs/quick, docs/runs/long)', SIM_2X5],
  ['new runs\' settings, 3 × 3 with limb inertia', DEFAULT_SIM],
] as const;

for (const [label, sim] of SOLVERS) test(`${EPISODES} full episodes of uniformly random full-scale actions, ${label}: finite, no body over 20 m/s, joint limits within 5°`, () => {
  const world = new AntWorld(R, simWorld(sim));
  const rng = new Rng(2024);
  let worstLimit = 0;
  let worstSpeed = 0;
  let nonFinite = 0;
  let stepsPast5 = 0;
  let jointSteps = 0;
  const terminated = randomActionEpisodes(world, EPISODES, BATCH, rng, (ant) => {
    for (let j = 0; j < NUM_JOINTS; j++) {
      if (!Number.isFinite(ant.q[j]!)) nonFinite++;
      const v = ant.limitViolation(j);
      worstLimit = Math.max(worstLimit, v);
      if (v > 5) stepsPast5++;
      jointSteps++;
    }
    for (const body of ant.handles.bodies) {
      const lv = body.linvel();
      const s = Math.hypot(lv.x, lv.y, lv.z);
      if (!Number.isFinite(s)) nonFinite++;
      worstSpeed = Math.max(worstSpeed, s);
    }
  });
  world.close();
  console.log(`# random actions, ${label}: worst joint-limit violation ${worstLimit.toFixed(2)}°, fraction of joint-steps past 5° ${(stepsPast5 / jointSteps).toFixed(5)}, fastest body ${worstSpeed.toFixed(2)} m/s, ${terminated}/${EPISODES} episodes terminated`);
  assert.equal(nonFinite, 0);
  assert.ok(worstSpeed < 20, `a body reached ${worstSpeed.toFixed(2)} m/s`);
  assert.ok(worstLimit <= 5, `a joint went ${worstLimit.toFixed(2)}° past its limit`);
});

for (const [label, sim] of SOLVERS) test(`at zero action the ant settles and stands still (no creep), ${label}`, () => {
  const world = new AntWorld(R, simWorld(sim));
  for (const seed of [1, 2, 3]) {
    world.reset([{ seed, condition: {} }]);
    const zero = new Float64Array(8);
    let settled: { x: number; y: number; z: number } | null = null;
    let maxDrift = 0;
    for (let t = 0; t < 1000; t++) {
      world.step(zero);
      const p = world.ants[0]!.handles.bodies[0]!.translation();
      if (t === 200) settled = { x: p.x, y: p.y, z: p.z };
      if (settled) maxDrift = Math.max(maxDrift, Math.hypot(p.x - settled.x, p.y - settled.y, p.z - settled.z));
    }
    assert.equal(world.truncated[0], 1, 'the resting ant stays healthy');
    assert.ok(maxDrift < 0.005, `seed ${seed}: torso crept ${(maxDrift * 1000).toFixed(2)} mm over 800 steps at rest`);
  }
  world.close();
});
