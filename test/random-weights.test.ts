/**
 * Random weights per episode through every runner of episodes: a rollout (training, eval and
 * stress run on it) and a recorded replay of the same episode seed drive the same network, so
 * they cover the same distance; another episode seed draws another network.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.ts';
import { loadRapier } from '../envs/rapier.ts';
import { ACT_SIZE, OBS_SIZE } from '../envs/ant-sim.ts';
import { NOMINAL } from '../envs/conditions.ts';
import { initParams, validatePolicyConfig } from '../policies/index.ts';
import { runRolloutTask } from '../workers/rollout.ts';
import { recordEpisode } from '../workers/record.ts';
import type { RolloutTask } from '../workers/types.ts';

const R = await loadRapier();
const policy = validatePolicyConfig({ hidden: [16], rule: 'abcd', weights: 'random-per-episode', alphaInit: 1 });
const params = Float64Array.from(initParams(policy, OBS_SIZE, ACT_SIZE, new Rng(2)));
const maxSteps = 40;

function rollout(seeds: number[]): RolloutTask {
  return {
    index: 0, runId: 'random-weights', generation: 0, center: params, scale: null, members: [{ seed: 0, sign: 0 }],
    policy, world: { maxSteps }, episodes: seeds.map((seed) => ({ seed, condition: NOMINAL })), normalizer: null, collectObsStats: false,
  };
}

test('a rollout and a replay of the same episode seed drive the same random network; another seed another', () => {
  const seeds = [11, 12];
  const batched = runRolloutTask(R, rollout(seeds));
  const alone = seeds.map((s) => runRolloutTask(R, { ...rollout([s]), batch: 1 }).distances[0]!);
  assert.deepEqual(Array.from(batched.distances), alone, 'batching does not change an episode');
  const replays = seeds.map((seed) => recordEpisode(R, { policy, params, normalizer: null, episode: { seed, condition: NOMINAL }, world: { maxSteps } }));
  assert.deepEqual(replays.map((r) => r.meta.episodeSeed), seeds);
  // The replay keeps 5 decimals.
  seeds.forEach((_, e) => assert.ok(Math.abs(replays[e]!.summary.distance - batched.distances[e]!) <= 5e-6, `episode ${e}`));
  assert.notEqual(batched.distances[0], batched.distances[1]);
});
