/**
 * The rollout function: scores every member of a task on every episode of the task. The
 * (member, episode) pairs run as ants sharing Rapier worlds, `batch` at a time; an ant's
 * trajectory does not depend on which other ants share its world, so neither do results.
 */
import type { Rapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { ACT_SIZE, OBS_SIZE } from '../envs/ant-sim.ts';
import { perturb } from '../core/noise.ts';
import { createPolicy, SnnPolicy, type Policy } from '../policies/index.ts';
import type { Normalization, ObsStats, RolloutResult, RolloutTask } from './types.ts';


/** Writes normalized, clipped observations of `raw` into `out`. */
export function normalizeObs(raw: Float64Array, norm: Normalization | null, out: Float64Array): void {
  if (!norm) {
    out.set(raw);
    return;
  }
  const c = norm.clip;
  for (let i = 0; i < raw.length; i++) {
    const v = (raw[i]! - norm.mean[i]!) / norm.std[i]!;
    out[i] = v > c ? c : v < -c ? -c : v;
  }
}

/** Freezes a policy's plastic synapses (policies without plasticity have nothing to freeze). */
function freezePlasticity(p: Policy): void {
  if (p instanceof SnnPolicy) p.freezePlasticity();
}

export function runRolloutTask(R: Rapier, task: RolloutTask): RolloutResult {
  const t0 = performance.now();
  const nm = task.members.length;
  const ne = task.episodes.length;
  const total = nm * ne;
  const returns = new Float64Array(total);
  const distances = new Float64Array(total);
  const onsetDistances = new Float64Array(total);
  const onsetThirds = new Float64Array(3 * total);
  const steps = new Int32Array(total);
  const limitWorst = new Float64Array(total);
  const limitPast5 = new Int32Array(total);
  const stats: ObsStats | null = task.collectObsStats ? { count: 0, sum: new Float64Array(OBS_SIZE), sumSq: new Float64Array(OBS_SIZE) } : null;
  const batch = Math.max(1, Math.min(total, task.batch ?? total));

  const d = task.center.length;
  const z = new Float64Array(d);
  // Each member's parameters are built once; `batch` policy objects are reloaded per batch.
  const memberParams = task.members.map((m) => {
    const x = new Float64Array(d);
    perturb(task.center, task.scale, m.seed, m.sign, x, z);
    return x;
  });
  const policies: Policy[] = Array.from({ length: batch }, () => createPolicy(task.policy, OBS_SIZE, ACT_SIZE));
  if (policies[0]!.numParams !== d) throw new Error(`task.center has ${d} numbers but the policy needs ${policies[0]!.numParams}`);

  const world = new AntWorld(R, task.world);
  const normObs = new Float64Array(OBS_SIZE);
  const wasRunning = new Uint8Array(batch);
  const maxSteps = world.config.maxSteps;
  // Per ant of the batch: the control steps at which its post-onset thirds end, and the distance since onset there.
  const thirdEnd = new Int32Array(2 * batch);
  const thirdAt = new Float64Array(2 * batch);
  const freezeAt = new Int32Array(batch);
  try {
    for (let start = 0; start < total; start += batch) {
      const n = Math.min(batch, total - start);
      const specs = [];
      for (let k = 0; k < n; k++) {
        const flat = start + k;
        const episode = task.episodes[flat % ne]!;
        policies[k]!.setParams(memberParams[Math.floor(flat / ne)]!);
        // The episode seed reaches the policy too (random weights per episode are drawn from it).
        policies[k]!.reset(episode.seed);
        specs.push(episode);
      }
      const obs = world.reset(specs);
      for (let k = 0; k < n; k++) {
        const onset = world.ants[k]!.onset;
        const span = Math.max(0, maxSteps - onset);
        thirdEnd[2 * k] = onset + Math.floor(span / 3);
        thirdEnd[2 * k + 1] = onset + Math.floor((2 * span) / 3);
        thirdAt[2 * k] = NaN;
        thirdAt[2 * k + 1] = NaN;
        freezeAt[k] = task.freezeAtOnset && specs[k]!.condition.onset !== undefined ? onset : -1;
      }
      const actions = new Float64Array(n * ACT_SIZE);
      let running = n;
      while (running > 0) {
        for (let k = 0; k < n; k++) {
          wasRunning[k] = world.done[k] ? 0 : 1;
          if (!wasRunning[k]) continue;
          const raw = obs.subarray(k * OBS_SIZE, (k + 1) * OBS_SIZE);
          if (stats) {
            for (let i = 0; i < OBS_SIZE; i++) {
              const v = raw[i]!;
              stats.sum[i]! += v;
              stats.sumSq[i]! += v * v;
            }
            stats.count++;
          }
          normalizeObs(raw, task.normalizer, normObs);
          if (world.steps === freezeAt[k]) freezePlasticity(policies[k]!);
          actions.set(policies[k]!.act(normObs), k * ACT_SIZE);
        }
        running = world.step(actions);
        for (let k = 0; k < n; k++) {
          if (!wasRunning[k]) continue;
          returns[start + k]! += world.rewards[k]!;
          policies[k]!.observeReward?.(world.rewards[k]!);
          steps[start + k]!++;
          const ant = world.ants[k]!;
          if (world.steps === thirdEnd[2 * k]) thirdAt[2 * k] = ant.distanceSinceOnset();
          if (world.steps === thirdEnd[2 * k + 1]) thirdAt[2 * k + 1] = ant.distanceSinceOnset();
          for (let j = 0; j < ant.q.length; j++) {
            const v = ant.limitViolation(j);
            if (v > limitWorst[start + k]!) limitWorst[start + k] = v;
            if (v > 5) limitPast5[start + k]!++;
          }
        }
      }
      for (let k = 0; k < n; k++) {
        distances[start + k] = world.ants[k]!.distance();
        const after = world.ants[k]!.distanceSinceOnset();
        onsetDistances[start + k] = after;
        const a = Number.isNaN(thirdAt[2 * k]!) ? after : thirdAt[2 * k]!;
        const b = Number.isNaN(thirdAt[2 * k + 1]!) ? after : thirdAt[2 * k + 1]!;
        const o = 3 * (start + k);
        onsetThirds[o] = a;
        onsetThirds[o + 1] = b - a;
        onsetThirds[o + 2] = after - b;
      }
    }
  } finally {
    world.close();
  }
  return { index: task.index, runId: task.runId, generation: task.generation, returns, distances, onsetDistances, onsetThirds, steps, limitWorst, limitPast5, obsStats: stats, timeMs: performance.now() - t0 };
}
