/**
 * Two probes behind docs/snn-learning.md.
 *
 *  explore CONFIG_JSON [--sigma 0.08]: for a policy at initialisation, how far ES noise of
 *    scale sigma on the genome moves the actions (RMS over a 200-step observation stream of
 *    the ant under random actions, normalised by its own moments), perturbing each parameter
 *    group alone and all together: the exploration ES gets in action space, per group.
 *  gait FILE|RUN... [--steps 300]: action statistics of trained policies (a policy file, or a run's latest center) over one nominal
 *    episode: RMS, share of saturated actions (|a| > 0.95), mean |a_t - a_{t-1}|, crossings of
 *    the mean per 100 steps, and each joint's dominant period (autocorrelation peak, in steps);
 *    and the body's carriage after the first 100 steps: the torso's yaw (its heading against the
 *    direction of travel, x; at 45° a leg points forward), mean and standard deviation, the
 *    torso's height, and the sideways drift (y, m).
 *
 *   node --import tsx docs/snn-probe.ts explore '{"hidden":[32],"rule":"none"}'
 *   node --import tsx docs/snn-probe.ts gait runs/mlp-s1/best.json runs/quick-snn-s1/best.json --steps 1000
 */
import { parseArgs } from 'node:util';
import { loadRapier, type Rapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { ACT_SIZE, OBS_SIZE } from '../envs/ant-sim.ts';
import { Rng } from '../core/rng.ts';
import { createPolicy, genomeGroupOf, initParams, policyLayout, validatePolicyConfig } from '../policies/index.ts';
import { loadPolicyFile, simOf, type PolicyFile } from '../src/train/policy-file.ts';
import { simWorld } from '../envs/sim-settings.ts';
import { RunDir } from '../src/train/run-dir.ts';
import { normalizeObs } from '../workers/rollout.ts';
import { twistAngle } from '../envs/quat.ts';

const UP = { x: 0, y: 0, z: 1 };

const { values, positionals } = parseArgs({ allowPositionals: true, options: { sigma: { type: 'string', default: '0.08' }, steps: { type: 'string', default: '300' } } });
const [mode, ...rest] = positionals;
const R = await loadRapier();

function observationStream(R: Rapier): Float64Array[] {
  const world = new AntWorld(R, { maxSteps: 200 });
  const rng = new Rng(4);
  const raw: Float64Array[] = [];
  try {
    let obs = world.reset([{ seed: 3, condition: {} }]);
    while (!world.done[0]) {
      raw.push(Float64Array.from(obs.subarray(0, OBS_SIZE)));
      world.step(Float64Array.from({ length: ACT_SIZE }, () => rng.uniform() * 2 - 1));
      obs = world.obs;
    }
  } finally {
    world.close();
  }
  const mean = new Float64Array(OBS_SIZE);
  const std = new Float64Array(OBS_SIZE);
  for (const o of raw) o.forEach((v, i) => (mean[i]! += v / raw.length));
  for (const o of raw) o.forEach((v, i) => (std[i]! += (v - mean[i]!) ** 2 / raw.length));
  for (let i = 0; i < OBS_SIZE; i++) std[i] = Math.sqrt(std[i]!) + 1e-8;
  return raw.map((o) => {
    const out = new Float64Array(OBS_SIZE);
    normalizeObs(o, { mean, std, clip: 5 }, out);
    return out;
  });
}

function explore(configJson: string, sigma: number): void {
  const config = validatePolicyConfig(JSON.parse(configJson));
  const policy = createPolicy(config, OBS_SIZE, ACT_SIZE);
  const x0 = initParams(config, OBS_SIZE, ACT_SIZE, new Rng(1));
  const stream = observationStream(R);
  const run = (genome: Float32Array) => {
    policy.setParams(genome);
    policy.reset();
    return stream.map((o) => Array.from(policy.act(o)));
  };
  const a0 = run(x0);
  const slices = policyLayout(config, OBS_SIZE, ACT_SIZE);
  const groups = ['all', ...new Set(slices.map((s) => genomeGroupOf(s.name)))];
  const z = new Float64Array(policy.numParams);
  const cells = groups.map((g) => {
    let total = 0;
    const draws = 6;
    for (let k = 0; k < draws; k++) {
      new Rng(100 + k).fillNormal(z);
      const x = Float32Array.from(x0);
      for (const s of slices) {
        if (g !== 'all' && genomeGroupOf(s.name) !== g) continue;
        for (let j = s.offset; j < s.offset + s.length; j++) x[j]! += sigma * z[j]!;
      }
      const a = run(x);
      let sq = 0;
      for (let t = 0; t < a.length; t++) for (let j = 0; j < ACT_SIZE; j++) sq += (a[t]![j]! - a0[t]![j]!) ** 2;
      total += Math.sqrt(sq / (a.length * ACT_SIZE)) / draws;
    }
    return `${g} ${total.toFixed(3)}`;
  });
  console.log(`${configJson} (${policy.numParams} params), sigma ${sigma}: action change RMS by perturbed group: ${cells.join(' | ')}`);
}

/** A policy file, or a run directory's latest center with its normalizer. */
function loadPolicy(path: string): PolicyFile {
  if (path.endsWith('.json')) return loadPolicyFile(path);
  return RunDir.open(path).loadCenterPolicy();
}

function gait(file: string, steps: number): void {
  const pf = loadPolicy(file);
  const policy = createPolicy(pf.policy, OBS_SIZE, ACT_SIZE);
  policy.setParams(pf.params);
  policy.reset();
  const world = new AntWorld(R, { maxSteps: steps, ...simWorld(simOf(pf)) });
  const actions: number[][] = [];
  const norm = new Float64Array(OBS_SIZE);
  const pose = new Float64Array(7);
  const yaws: number[] = [];
  const heights: number[] = [];
  let distance = 0;
  let y0 = 0;
  let drift = 0;
  try {
    let obs = world.reset([{ seed: 11, condition: {} }]);
    while (!world.done[0]) {
      normalizeObs(obs.subarray(0, OBS_SIZE), pf.normalizer, norm);
      const a = Float64Array.from(policy.act(norm));
      actions.push(Array.from(a));
      world.step(a);
      obs = world.obs;
      world.ants[0]!.poses(pose);
      if (actions.length === 100) y0 = pose[1]!;
      if (actions.length > 100) {
        yaws.push((twistAngle({ x: pose[3]!, y: pose[4]!, z: pose[5]!, w: pose[6]! }, UP) * 180) / Math.PI);
        heights.push(pose[2]!);
        drift = pose[1]! - y0;
      }
    }
    distance = world.ants[0]!.distance();
  } finally {
    world.close();
  }
  const T = actions.length;
  let sq = 0, sat = 0, jump = 0, crossings = 0;
  const periods: number[] = [];
  for (let j = 0; j < ACT_SIZE; j++) {
    const x = actions.map((a) => a[j]!);
    const m = x.reduce((p, c) => p + c, 0) / T;
    const v0 = x.reduce((p, c) => p + (c - m) ** 2, 0) || 1;
    let best = -Infinity, bestLag = 0;
    for (let lag = 2; lag < 60; lag++) {
      let c = 0;
      for (let t = lag; t < T; t++) c += (x[t]! - m) * (x[t - lag]! - m);
      if (c / v0 > best) [best, bestLag] = [c / v0, lag];
    }
    periods.push(bestLag);
    for (let t = 0; t < T; t++) {
      sq += x[t]! ** 2;
      if (Math.abs(x[t]!) > 0.95) sat++;
      if (t === 0) continue;
      jump += Math.abs(x[t]! - x[t - 1]!);
      if (Math.sign(x[t]! - m) !== Math.sign(x[t - 1]! - m)) crossings++;
    }
  }
  const n = T * ACT_SIZE;
  const mean = (x: number[]) => x.reduce((p, c) => p + c, 0) / Math.max(1, x.length);
  const sd = (x: number[]) => Math.sqrt(mean(x.map((v) => (v - mean(x)) ** 2)));
  console.log(
    `${file}: ${distance.toFixed(2)} m in ${T} steps; action RMS ${Math.sqrt(sq / n).toFixed(2)}, saturated ${((100 * sat) / n).toFixed(0)}%, ` +
      `mean |da| ${(jump / n).toFixed(3)}, crossings per 100 steps ${((100 * crossings) / n).toFixed(1)}, periods ${periods.join(',')}` +
      (yaws.length ? `; after step 100: yaw ${mean(yaws).toFixed(0)}° ± ${sd(yaws).toFixed(0)}°, torso height ${mean(heights).toFixed(3)} m, sideways drift ${drift.toFixed(1)} m` : ''),
  );
}

if (mode === 'explore') for (const c of rest) explore(c, Number(values.sigma));
else if (mode === 'gait') for (const f of rest) gait(f, Number(values.steps));
else throw new Error('usage: snn-probe.ts explore CONFIG_JSON... | gait FILE... [--steps N]');
