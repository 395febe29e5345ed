import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { ACT_SIZE, OBS_SIZE } from '../envs/ant-sim.ts';
import { BUILTIN_SUITES } from '../envs/suites.ts';
import type { Condition } from '../envs/conditions.ts';
import { Rng } from '../core/rng.ts';
import { createPolicy, initParams, validatePolicyConfig, type SnnPolicy } from '../policies/index.ts';
import { normalizeObs } from '../workers/rollout.ts';
import { RolloutPool } from '../workers/pool.ts';
import { collapsed, stopped, runStress, stressMarkdown, stressSeeds, type ConditionResult, type StressReport } from '../src/stress.ts';
import { compareStress, comparisonMarkdown, readStressReport } from '../src/stress-compare.ts';
import { mcnemarExact, meanCI, sideOfZero } from '../src/stats.ts';
import type { PolicyFile } from '../src/train/policy-file.ts';
import { loadPolicy } from '../src/policy-source.ts';

const tmp = mkdtempSync(join(tmpdir(), 'propamine-stress-'));
const MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, ...args], { encoding: 'utf8', cwd: tmp, timeout: 300_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const config = validatePolicyConfig({ type: 'snn', hidden: [12] });
const policy: PolicyFile = {
  policy: config,
  params: Float64Array.from(initParams(config, OBS_SIZE, ACT_SIZE, new Rng(4))),
  normalizer: { mean: new Float64Array(OBS_SIZE), std: new Float64Array(OBS_SIZE).fill(2), clip: 5 },
  meta: {},
};
const opts = { episodes: 2, seed: 9, maxSteps: 40 };
const R = await loadRapier();

/** The policy driving the env by hand for one episode; `before(t, w)` runs before each step. Returns the return and the world (close it). */
function direct(condition: Condition, seed: number, before?: (t: number, w: AntWorld) => void): { ret: number; w: AntWorld } {
  const p = createPolicy(policy.policy, OBS_SIZE, ACT_SIZE);
  p.setParams(policy.params);
  p.reset();
  const w = new AntWorld(R, { maxSteps: opts.maxSteps });
  const obs = w.reset([{ seed, condition }]);
  const norm = new Float64Array(OBS_SIZE);
  let ret = 0;
  for (let t = 0; !w.done[0]; t++) {
    before?.(t, w);
    normalizeObs(obs, policy.normalizer, norm);
    w.step(Float64Array.from(p.act(norm)));
    ret += w.rewards[0]!;
  }
  return { ret, w };
}

test('the report matches a direct evaluation, and does not depend on the number of workers', async () => {
  const one = new RolloutPool({ threads: 1 });
  const two = new RolloutPool({ threads: 2 });
  const a = await runStress(policy, 'p', BUILTIN_SUITES.tiny!, opts, one);
  const b = await runStress(policy, 'p', BUILTIN_SUITES.tiny!, opts, two);
  await one.close();
  await two.close();
  assert.deepEqual(a, b);
  assert.deepEqual(a.conditions.map((c) => c.name), ['nominal', 'disabled ankle_1', 'low friction (×0.3)']);
  // Direct: the policy driving the env by hand, condition by condition, on the same seeds.
  const seeds = stressSeeds(opts);
  for (const [ci, c] of BUILTIN_SUITES.tiny!.conditions.entries()) {
    for (const [e, seed] of seeds.entries()) {
      const { ret, w } = direct(c, seed);
      assert.equal(a.conditions[ci]!.returns[e], ret, `${c.name}, episode ${e}`);
      assert.equal(a.conditions[ci]!.distances[e], w.ants[0]!.distance());
      w.close();
    }
  }
  const nominal = a.conditions[0]!;
  assert.equal(nominal.returnDegradationPct, 0);
  const low = a.conditions[2]!;
  assert.ok(Math.abs(low.returnDegradationPct! - (100 * (nominal.returnMean - low.returnMean)) / Math.abs(nominal.returnMean)) < 1e-9);
});

test('conditions with an onset: the report adds the distance after it, against nominal over the same steps', async () => {
  const suite = {
    name: 'mid', conditions: [{ name: 'nominal', onset: 15 }, { name: 'slippery', friction: 0.3, onset: 15 }, { name: 'late heavy', massScale: [{ target: 'torso' as const, factor: 2 }], onset: 20 }, { name: 'plain', gravity: 0.9 }, { name: 'ranged', actuatorNoise: 0.2, onset: [5, 30] as [number, number] }],
  };
  const one = new RolloutPool({ threads: 1 });
  const two = new RolloutPool({ threads: 2 });
  const r = await runStress(policy, 'p', suite, opts, one);
  assert.deepEqual(await runStress(policy, 'p', suite, opts, two), r);
  await one.close();
  await two.close();
  assert.deepEqual(r.conditions.map((c) => c.name), ['nominal', 'slippery', 'late heavy', 'plain', 'ranged']);
  for (const [ci, c] of suite.conditions.entries()) {
    const row = r.conditions[ci]!;
    if (c.onset === undefined) {
      assert.equal(row.onsetDistances, null);
      continue;
    }
    for (const [e, seed] of stressSeeds(opts).entries()) {
      let atOnset = NaN;
      const { w } = direct(c, seed, (t, world) => {
        if (t === world.ants[0]!.onset) atOnset = world.ants[0]!.distance();
      });
      assert.ok(Math.abs(row.onsetDistances![e]! - (w.ants[0]!.distance() - atOnset)) < 1e-9, `${c.name}, episode ${e}`);
      w.close();
    }
  }
  const [nominal, slippery, late] = r.conditions as [typeof r.conditions[0], typeof r.conditions[0], typeof r.conditions[0]];
  assert.equal(nominal.onsetDistanceDegradationPct, 0);
  assert.ok(Math.abs(slippery.onsetDistanceDegradationPct! - (100 * (nominal.onsetDistanceMean! - slippery.onsetDistanceMean!)) / Math.abs(nominal.onsetDistanceMean!)) < 1e-9);
  // Another onset than nominal's: no like-for-like comparison, so no degradation.
  assert.equal(late.onsetDistanceDegradationPct, null);
});

test('plasticity frozen at the onset, thirds after the onset, and the adaptation index agree with a direct run', async () => {
  const suite = { name: 'mid', conditions: [{ name: 'nominal', onset: 12 }, { name: 'slippery', friction: 0.3, onset: 12 }, { name: 'ranged', actuatorNoise: 0.2, onset: [5, 30] as [number, number] }, { name: 'plain', gravity: 0.9 }] };
  // Larger inputs than the other tests' policy, so that the small network spikes and its synapses change.
  const lively: PolicyFile = { ...policy, normalizer: { mean: new Float64Array(OBS_SIZE), std: new Float64Array(OBS_SIZE).fill(0.2), clip: 5 } };
  const pool = new RolloutPool({ threads: 2 });
  const r = await runStress(lively, 'p', suite, opts, pool);
  /** One episode by hand: the distance since the onset at each step, optionally freezing H at the onset. */
  const byHand = (c: Condition, seed: number, freeze: boolean) => {
    const p = createPolicy(policy.policy, OBS_SIZE, ACT_SIZE) as SnnPolicy;
    p.setParams(policy.params);
    p.reset();
    const w = new AntWorld(R, { maxSteps: opts.maxSteps });
    const obs = w.reset([{ seed, condition: c }]);
    const norm = new Float64Array(OBS_SIZE);
    const onset = w.ants[0]!.onset;
    const since: number[] = [];
    let x0 = 0;
    for (let t = 0; !w.done[0]; t++) {
      if (t === onset) x0 = w.ants[0]!.distance();
      if (freeze && t === onset) p.freezePlasticity();
      normalizeObs(obs, lively.normalizer, norm);
      w.step(Float64Array.from(p.act(norm)));
      since.push(t + 1 > onset ? w.ants[0]!.distance() - x0 : 0);
    }
    w.close();
    const at = (s: number) => since[Math.min(s, since.length) - 1] ?? 0;
    const span = opts.maxSteps - onset;
    const a = at(onset + Math.floor(span / 3));
    const b = at(onset + Math.floor((2 * span) / 3));
    const end = at(opts.maxSteps);
    return { after: end, thirds: [a, b - a, end - b] };
  };
  const seeds = stressSeeds(opts);
  const gains: number[][] = [];
  for (const [ci, c] of suite.conditions.entries()) {
    const row = r.conditions[ci]!;
    if (c.onset === undefined) {
      assert.equal(row.frozen, undefined);
      assert.equal(row.adaptation, undefined);
      continue;
    }
    gains[ci] = [];
    const sum = [0, 0, 0];
    const changes: number[] = [];
    for (const [e, seed] of seeds.entries()) {
      const live = byHand(c, seed, false);
      const frozen = byHand(c, seed, true);
      assert.ok(Math.abs(row.onsetDistances![e]! - live.after) < 1e-9, `${c.name} ${e}`);
      assert.ok(Math.abs(row.frozen!.onsetDistances[e]! - frozen.after) < 1e-9, `${c.name} ${e} frozen`);
      for (let t = 0; t < 3; t++) {
        sum[t] += live.thirds[t]! / seeds.length;
        assert.ok(Math.abs(row.onsetThirds![e]![t]! - live.thirds[t]!) < 1e-9, `${c.name} ${e} third ${t}`);
        assert.ok(Math.abs(row.frozen!.onsetThirds![e]![t]! - frozen.thirds[t]!) < 1e-9, `${c.name} ${e} frozen third ${t}`);
      }
      changes.push(live.thirds[2]! - live.thirds[0]!);
      gains[ci]!.push(live.after - frozen.after);
    }
    // The lesion must change what the plastic network does after the onset.
    assert.ok(gains[ci]!.some((g) => g !== 0), `${c.name}: freezing at the onset changed nothing`);
    row.onsetThirdsMean!.forEach((v, t) => assert.ok(Math.abs(v - sum[t]!) < 1e-9, `${c.name} third ${t}`));
    // Recovery is a ratio of forward speeds: undefined (null) when the first third went nowhere or backwards.
    if (sum[0]! > 1e-9) assert.ok(Math.abs(row.speedRecovery! - sum[2]! / sum[0]!) < 1e-9);
    else assert.equal(row.speedRecovery, null);
    // The speed change: last third minus first, episode by episode, with its interval.
    const ch = meanCI(changes);
    assert.ok(Math.abs(row.speedChangeMean! - ch.mean) < 1e-9 && Math.abs(row.speedChangeCI95! - ch.ci95) < 1e-9, `${c.name} speed change`);
  }
  // The index: gain on the condition minus gain on nominal, episode by episode (same onset only).
  const slippery = r.conditions[1]!;
  slippery.adaptation!.forEach((a, e) => assert.ok(Math.abs(a - (gains[1]![e]! - gains[0]![e]!)) < 1e-9));
  assert.ok(r.conditions[0]!.adaptation!.every((a) => a === 0));
  assert.equal(r.conditions[2]!.adaptation, null, 'another onset than nominal: no index');
  assert.match(stressMarkdown(r), /\| slippery \| [-\d.]+ \/ [-\d.]+ \/ [-\d.]+ \| [-\d.—]+ \| [-\d.]+ ± [\d.]+ \| [-\d.]+ ± [\d.]+ \| .* \| [-\d.]+ ± [\d.]+ \|/);
  // A static network has nothing to freeze: no frozen runs, and freezing changes nothing in the rollout.
  const stat = { ...lively, policy: validatePolicyConfig({ type: 'snn', hidden: [12], rule: 'none' }) };
  stat.params = Float64Array.from(initParams(stat.policy, OBS_SIZE, ACT_SIZE, new Rng(4)));
  const s = await runStress(stat, 's', suite, opts, pool);
  assert.equal(s.conditions[1]!.frozen, null);
  assert.ok(s.conditions[1]!.onsetThirdsMean);
  const task = (freezeAtOnset: boolean) => ({
    index: 0, runId: 't', generation: 0, center: stat.params, scale: null, members: [{ seed: 0, sign: 0 as const }], policy: stat.policy,
    world: { maxSteps: opts.maxSteps }, episodes: [{ seed: 3, condition: suite.conditions[1]! }], normalizer: stat.normalizer, collectObsStats: false, freezeAtOnset,
  });
  const [x, y] = await pool.runAll([task(false), task(true)]);
  assert.deepEqual(Array.from(x!.distances), Array.from(y!.distances));
  await pool.close();
});

test('rollouts tell the policy each reward: a modulator reading it behaves as in a loop that does', async () => {
  const cfg = validatePolicyConfig({ type: 'snn', hidden: [12], modInputs: ['reward'] });
  const params = Float64Array.from(initParams(cfg, OBS_SIZE, ACT_SIZE, new Rng(4)));
  const v = createPolicy(cfg, OBS_SIZE, ACT_SIZE).layout().find((x) => x.name === 'hidden0.mod.v')!;
  params[v.offset] = 3;
  const pf: PolicyFile = { ...policy, policy: cfg, params, normalizer: { mean: new Float64Array(OBS_SIZE), std: new Float64Array(OBS_SIZE).fill(0.2), clip: 5 } };
  const pool = new RolloutPool({ threads: 1 });
  const r = await runStress(pf, 'p', { name: 'n', conditions: [{ name: 'nominal' }] }, opts, pool);
  await pool.close();
  const loop = (feed: boolean, seed: number) => {
    const p = createPolicy(cfg, OBS_SIZE, ACT_SIZE);
    p.setParams(params);
    p.reset();
    const w = new AntWorld(R, { maxSteps: opts.maxSteps });
    const obs = w.reset([{ seed, condition: {} }]);
    const norm = new Float64Array(OBS_SIZE);
    while (!w.done[0]) {
      normalizeObs(obs, pf.normalizer, norm);
      w.step(Float64Array.from(p.act(norm)));
      if (feed) p.observeReward!(w.rewards[0]!);
    }
    const d = w.ants[0]!.distance();
    w.close();
    return d;
  };
  const seeds = stressSeeds(opts);
  assert.deepEqual(r.conditions[0]!.distances, seeds.map((s) => loop(true, s)));
  assert.notDeepEqual(r.conditions[0]!.distances, seeds.map((s) => loop(false, s)), 'the reward input must matter in this test');
});

test('a suite file with an unknown condition field or joint is rejected with its name', () => {
  writeFileSync(join(tmp, 'p.json'), '{}');
  writeFileSync(join(tmp, 'bad1.json'), JSON.stringify({ name: 'mine', conditions: [{ name: 'ok', friction: 0.5 }, { name: 'windy', wind: 3 }] }));
  writeFileSync(join(tmp, 'bad2.json'), JSON.stringify({ name: 'mine', conditions: [{ name: 'knee', jointDamage: [{ joint: 'knee_1', mode: 'disabled' }] }] }));
  const r1 = cli('stress', 'p.json', '--suite', 'bad1.json');
  assert.equal(r1.code, 2);
  assert.match(r1.err, /bad1\.json\.conditions\[1\]\.wind is not a known condition field/);
  const r2 = cli('stress', 'p.json', '--suite', 'bad2.json');
  assert.equal(r2.code, 2);
  assert.match(r2.err, /bad2\.json\.conditions\[0\]\.jointDamage\[0\]\.joint "knee_1" is not a joint/);
  const r3 = cli('stress', 'p.json', '--suite', 'nosuch');
  assert.match(r3.err, /suite "nosuch" is neither a built-in suite/);
});

test('stress runs end to end on a tiny suite: table, JSON and Markdown reports, replays, same seeds same report', () => {
  const t = cli('train', '--name', 'r', '--generations', '1', '--pop', '4', '--max-steps', '30', '--workers', '1', '--hidden', '8');
  assert.equal(t.code, 0, t.err);
  const run = join(tmp, 'runs', 'r');
  const s = cli('stress', run, '--suite', 'tiny', '--episodes', '2', '--max-steps', '30', '--workers', '1');
  assert.equal(s.code, 0, s.err);
  assert.match(s.out, /\| disabled ankle_1 \| [-\d.]+ ± [\d.]+ \|/);
  const json = readFileSync(join(run, 'stress', 'tiny.json'), 'utf8');
  assert.match(JSON.parse(json).source, /^best\.json, generation \d+$/);
  assert.ok(existsSync(join(run, 'stress', 'tiny.md')));
  const index = JSON.parse(readFileSync(join(run, 'replays', 'index.json'), 'utf8'));
  assert.equal(index.replays.filter((x: { file: string }) => x.file.startsWith('stress-tiny-')).length, 3);
  const again = cli('stress', run, '--suite', 'tiny', '--episodes', '2', '--max-steps', '30', '--workers', '2', '--no-replays');
  assert.equal(again.code, 0, again.err);
  assert.equal(readFileSync(join(run, 'stress', 'tiny.json'), 'utf8'), json);
});

test('a committed stress report re-evaluates bit for bit: docs/runs/adaptation/ft-plain-s1 from its latest checkpoint (not best.json)', async () => {
  // Made with `propamine stress docs/runs/adaptation/ft-plain-s1 --checkpoint --suite heldout-onset
  // --episodes 5 --max-steps 1000`; its best.json is an earlier center (generation 44), which gives
  // other figures. The first episode of nominal (as trained and frozen at the onset) stands for the rest.
  const run = join(import.meta.dirname, '..', 'docs', 'runs', 'adaptation', 'ft-plain-s1');
  const committed = JSON.parse(readFileSync(join(run, 'stress', 'heldout-onset.json'), 'utf8'));
  const nominal = BUILTIN_SUITES['heldout-onset']!.conditions[0]!;
  const suite = { name: 'nominal-onset', conditions: [nominal] };
  const o = { episodes: 1, seed: committed.seed, maxSteps: committed.maxSteps };
  const pool = new RolloutPool({ threads: 1 });
  try {
    const latest = loadPolicy(run, { checkpoint: true });
    assert.equal(latest.source, "the latest checkpoint's center, generation 60");
    const fromCheckpoint = await runStress(latest, 'ft-plain-s1', suite, o, pool, latest.source);
    assert.match(stressMarkdown(fromCheckpoint), /^Stress test of ft-plain-s1 \(the latest checkpoint's center, generation 60\) on suite "nominal-onset"/);
    const c = fromCheckpoint.conditions[0]!;
    const want = committed.conditions[0];
    assert.equal(want.name, 'nominal');
    assert.deepEqual(fromCheckpoint.episodeSeeds, committed.episodeSeeds.slice(0, 1));
    assert.deepEqual(c.returns, want.returns.slice(0, 1));
    assert.deepEqual(c.distances, want.distances.slice(0, 1));
    assert.deepEqual(c.onsetDistances, want.onsetDistances.slice(0, 1));
    assert.deepEqual(c.frozen!.onsetDistances, want.frozen.onsetDistances.slice(0, 1));
    const best = loadPolicy(run);
    assert.equal(best.source, 'best.json, generation 44');
    const fromBest = await runStress(best, 'ft-plain-s1', suite, o, pool);
    assert.notEqual(fromBest.conditions[0]!.returns[0], want.returns[0]);
  } finally {
    await pool.close();
  }
});

/** A stress report with the given distances after an onset, per condition (nominal first). */
function fakeReport(policy: string, after: number[][], extra: (i: number) => Partial<ConditionResult> = () => ({})): StressReport {
  const seeds = after[0]!.map((_, e) => 100 + e);
  return {
    format: 'propamine-stress', version: 1, suite: 'fake', policy, episodes: seeds.length, seed: 1, maxSteps: 50, episodeSeeds: seeds,
    conditions: after.map((xs, i) => ({
      name: i === 0 ? 'nominal' : `c${i}`, description: '', returns: xs, distances: xs.map((x) => x + 1), steps: xs.map(() => 50),
      returnMean: 0, returnCI95: 0, distanceMean: 0, distanceCI95: 0, falls: 0, limitWorst: 0, limitPast5: 0,
      onsetStep: 10, onsetDistances: xs, onsetDistanceMean: 0, onsetDistanceCI95: 0, onsetDistanceDegradationPct: null, returnDegradationPct: null, distanceDegradationPct: null,
      ...extra(i),
    })),
  };
}

test('an interval lies above 0, below 0, or across it; a missing half-width counts as across', () => {
  assert.equal(sideOfZero(1, 0.5), 1);
  assert.equal(sideOfZero(-1, 0.5), -1);
  assert.equal(sideOfZero(1, 1), 0); // touching 0 is not excluding it
  assert.equal(sideOfZero(0.2, 3), 0);
  assert.equal(sideOfZero(5, NaN), 0);
});

test('McNemar exact p and what counts as a collapse after the onset', () => {
  // Binomial(n, 1/2) two-sided: 0 of 5 discordant pairs one way: 2 / 32; 16 of 63: the sum by hand.
  assert.equal(mcnemarExact(0, 5), 2 / 32);
  assert.equal(mcnemarExact(5, 0), 2 / 32);
  assert.equal(mcnemarExact(3, 3), 1);
  assert.equal(mcnemarExact(0, 0), 1);
  let tail = 0;
  let binom = 1;
  for (let i = 0; i <= 16; i++) { tail += binom; binom = (binom * (63 - i)) / (i + 1); }
  assert.ok(Math.abs(mcnemarExact(16, 47) - (2 * tail) / 2 ** 63) < 1e-15);
  // Many pairs (2^-n underflows past 1074): balanced is 1, a 45/55 split of 2000 is far from 0 or 1.
  assert.ok(Math.abs(mcnemarExact(1000, 1000) - 1) < 1e-12);
  const p = mcnemarExact(900, 1100);
  assert.ok(p > 1e-7 && p < 1e-5, `p ${p}`);
  assert.equal(collapsed([10, 6, 4.9]), true);
  assert.equal(collapsed([10, 6, 5]), false);
  assert.equal(collapsed([0.9, 0, -3]), false, 'stuck from the onset on: nothing to collapse from');
  // A stop: a third of 1 m or less; walking again: a later third of 5 m or more.
  assert.equal(stopped([10, 1.01, 10]), 'walking');
  assert.equal(stopped([10, 1, 4.99]), 'stopped');
  assert.equal(stopped([10, 1, 5]), 'walks again');
  assert.equal(stopped([0.5, 8, 0]), 'walks again', 'a stop in the first third, walking in the second');
  assert.equal(stopped([9, 6, -2]), 'stopped', 'a stop in the last third cannot be undone');
});

test('stress reports compared: collapses counted over the held-out episodes, paired with the frozen runs', () => {
  const walk = [10, 10, 10];
  const fell = [10, 4, 1];
  const thirds = (i: number, frozen: boolean): number[][] => (i === 0 ? [walk, walk, walk] : frozen ? [fell, fell, walk] : i === 1 ? [walk, fell, walk] : [walk, walk, fell]);
  const extra = (plastic: boolean) => (i: number): Partial<ConditionResult> => ({
    onsetThirds: thirds(i, false) as [number, number, number][],
    ...(plastic ? { frozen: { onsetDistances: [0, 0, 0], onsetDistanceMean: 0, onsetDistanceCI95: 0, onsetThirdsMean: [0, 0, 0], speedRecovery: null, onsetThirds: thirds(i, true) as [number, number, number][] } } : {}),
  });
  const a = fakeReport('a', [[1, 1, 1], [1, 1, 1], [1, 1, 1]], extra(true));
  const b = fakeReport('b', [[1, 1, 1], [1, 1, 1], [1, 1, 1]], extra(false));
  const old = fakeReport('old', [[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
  const c = compareStress([{ label: 'a', file: 'a', report: a }, { label: 'b', file: 'b', report: b }, { label: 'old', file: 'old', report: old }]);
  // Held-out episodes: c1 collapses on episode 2 as trained, c2 on episode 3; frozen, both on episodes 1 and 2.
  assert.deepEqual(c.policies[0]!.collapses, { episodes: 6, asTrained: 2, frozen: { collapses: 4, onlyAsTrained: 1, onlyFrozen: 3, p: mcnemarExact(1, 3) } });
  assert.deepEqual(c.policies[1]!.collapses, { episodes: 6, asTrained: 2, frozen: null });
  assert.equal(c.policies[2]!.collapses, null);
  const md = comparisonMarkdown(c);
  assert.match(md, /\| episodes whose gait collapses after the onset \(last third under half the first\) \| 2 of 6 \| 2 of 6 \| — \|/);
  assert.match(md, /\| the same with plasticity frozen at the onset; only as trained \/ only frozen \(McNemar exact p\) \| 4; 1 \/ 3 \(p 0\.63\) \| — \| — \|/);
  // Stops: [10, 4, 1] stops in its last third and never walks again; frozen, two such episodes per condition.
  assert.deepEqual(c.policies[0]!.stops, { episodes: 6, stopped: 2, walkAgain: 0, frozen: { stopped: 4, walkAgain: 0 } });
  assert.deepEqual(c.policies[1]!.stops, { episodes: 6, stopped: 2, walkAgain: 0, frozen: null });
  assert.equal(c.policies[2]!.stops, null);
  assert.match(md, /\| episodes whose gait stops after the onset \(a third of 1 m or less\), and of those walk again \(a later third of 5 m or more\) \| 2 of 6, 0 \| 2 of 6, 0 \| — \|/);
  assert.match(md, /\| the same with plasticity frozen at the onset \| 4, 0 \| — \| — \|/);
});

test('stress reports compared: paired by episode, the farthest per condition, counts over the held-out conditions', () => {
  // c1: b is ahead of a by 1 m on every episode (a paired interval of 0 width) though their
  // own intervals overlap; c2: a is farthest; c3: b and a tie on the mean, a is counted.
  const a = fakeReport('a', [[10, 12, 14], [5, 9, 13], [8, 8, 8], [3, 4, 5]], (i) => (i === 0 ? {} : { adaptationMean: i === 1 ? 2 : -1, adaptationCI95: i === 3 ? 5 : 0.5, speedRecovery: i === 2 ? 1.2 : 0.9, speedChangeMean: [0, 1, -2, 0.5][i], speedChangeCI95: 0.8 }));
  const b = fakeReport('b', [[20, 22, 24], [6, 10, 14], [1, 2, 3], [5, 4, 3]]);
  const c = compareStress([{ label: 'a', file: 'a.json', report: a }, { label: 'b', file: 'b.json', report: b }]);
  assert.equal(c.afterOnset, true);
  assert.deepEqual(c.conditions.map((x) => x.farthest), [1, 1, 0, 0]);
  const c1 = c.conditions[1]!.cells[1]!;
  assert.equal(c1.pairedMean, 1);
  assert.equal(c1.pairedCI95, 0);
  assert.equal(c.policies[0]!.heldOutMean, (9 + 8 + 4) / 3);
  assert.equal(c.policies[1]!.heldOutMean, (10 + 2 + 4) / 3);
  assert.deepEqual(c.policies.map((p) => p.farthestOn), [2, 1]);
  assert.deepEqual([c.policies[1]!.ahead, c.policies[1]!.behind], [1, 1]);
  assert.deepEqual([c.policies[0]!.indexAbove, c.policies[0]!.indexBelow, c.policies[0]!.recovered], [1, 1, 1]);
  assert.deepEqual([c.policies[1]!.indexAbove, c.policies[1]!.recovered], [null, null]);
  assert.deepEqual([c.policies[0]!.speedUp, c.policies[0]!.slowDown, c.policies[1]!.speedUp], [1, 1, null]);
  const md = comparisonMarkdown(c);
  assert.match(md, /\| c1 \| 9\.0 ± [\d.]+ \| \*\*10\.0 ± [\d.]+\*\* \(\+1\.0 ± 0\.0\) \|/);
  assert.match(md, /\| against a: ahead \/ behind \(interval excludes 0\) \| — \| 1 \/ 1 \|/);
  assert.match(md, /\| adaptation index above 0 \/ below 0 \| 1 \/ 1 \| — \|/);
  assert.match(md, /\| speed change after the onset above 0 \/ below 0 \(last third − first, interval excludes 0\) \| 1 \/ 1 \| — \|/);
  // Without onsets the whole episode's distance is compared.
  const plain = (r: StressReport): StressReport => ({ ...r, conditions: r.conditions.map((x) => ({ ...x, onsetDistances: null })) });
  const p = compareStress([{ label: 'a', file: 'a.json', report: plain(a) }, { label: 'b', file: 'b.json', report: plain(b) }]);
  assert.equal(p.afterOnset, false);
  assert.equal(p.policies[0]!.nominal, 13);
});

test('stress reports of other episodes, suites or conditions are refused with the file and the field', () => {
  const a = fakeReport('a', [[1, 2], [3, 4]]);
  const cmp = (b: StressReport) => () => compareStress([{ label: 'a', file: 'a.json', report: a }, { label: 'b', file: 'b.json', report: b }]);
  assert.throws(cmp({ ...a, seed: 2, episodeSeeds: [7, 8] }), /^Error: b\.json: episodes \(seed, count\) \[2,2\] differs from a\.json's \[1,2\]: compare reports of one suite run with the same --seed/);
  assert.throws(cmp({ ...a, suite: 'other' }), /b\.json: suite "other" differs from a\.json's "fake"/);
  assert.throws(cmp({ ...a, maxSteps: 1000 }), /b\.json: maxSteps 1000 differs/);
  assert.throws(cmp({ ...a, conditions: a.conditions.slice(0, 1) }), /b\.json: conditions \["nominal"\] differs/);
  assert.throws(() => compareStress([{ label: 'a', file: 'a.json', report: a }]), /two stress reports or more/);
  const file = join(tmp, 'not-a-report.json');
  writeFileSync(file, JSON.stringify({ format: 'propamine-stress', version: 1, suite: 's', policy: 'p', episodes: 1, seed: 1, maxSteps: 5, episodeSeeds: [1], conditions: [{ name: 'nominal', description: 'nominal' }] }));
  assert.throws(() => readStressReport(file), new RegExp(`^Error: stress report ${file}: conditions\\[0\\]\\.returns must be a list of numbers \\(got nothing\\)$`));
  // One episode: the intervals are NaN, which JSON writes as null; they read back as NaN.
  const one = fakeReport('one', [[3]]);
  writeFileSync(file, JSON.stringify({ ...one, conditions: one.conditions.map((x) => ({ ...x, returnCI95: NaN, distanceCI95: NaN, onsetDistanceCI95: NaN })) }));
  const back = readStressReport(file).conditions[0]!;
  assert.ok(Number.isNaN(back.distanceCI95) && Number.isNaN(back.returnCI95));
  assert.equal(back.onsetDistanceCI95, null);
  writeFileSync(file, JSON.stringify({ format: 'propamine-run' }));
  assert.throws(() => readStressReport(file), /format must be "propamine-stress" \(write one with propamine stress\) \(got "propamine-run"\)$/);
  assert.throws(() => readStressReport(join(tmp, 'absent.json')), /stress report not found: .*absent\.json/);
});

test('propamine stress --compare reproduces experiment 9 seed 3 from the committed reports, collapses included (docs/results.md)', () => {
  const D = join(import.meta.dirname, '..', 'docs', 'runs');
  const r = cli('stress', '--compare', ...['adapt', 'static', 'mlp'].map((arm) => join(D, 'adaptation', `e9-${arm}-s3`)), join(D, 'long', 'snn-stage-s3'), '--suite', 'heldout-onset');
  assert.equal(r.code, 0, r.err);
  // results.md: held-out mean 42.0 / 41.7 / 37.4 m (43.1 before); collapses 43 / 51 / 97 of 240,
  // frozen 75 with 18 / 50 one way only (p 0.0001; before 58, 14 / 27, p 0.060); no speed change above 0.
  assert.match(r.out, /\| mean distance after the onset \(m\) \| 42\.0 \| 41\.7 \| 37\.4 \| 43\.1 \|/);
  assert.match(r.out, /\| episodes whose gait collapses after the onset \(last third under half the first\) \| 43 of 240 \| 51 of 240 \| 97 of 240 \| 45 of 240 \|/);
  assert.match(r.out, /\| 75; 18 \/ 50 \(p 0\.00013\) \| — \| — \| 58; 14 \/ 27 \(p 0\.060\) \|/);
  assert.match(r.out, /\| speed change after the onset above 0 \/ below 0 \(last third − first, interval excludes 0\) \| 0 \/ 4 \| 0 \/ 7 \| 0 \/ 8 \| 0 \/ 4 \|/);
  // results.md, *Stalls*: stops are absorbing (40 / 52 / 80 / 50 stop; 2 / 0 / 0 / 0 walk again).
  assert.match(r.out, /\| episodes whose gait stops after the onset \(a third of 1 m or less\), and of those walk again \(a later third of 5 m or more\) \| 40 of 240, 2 \| 52 of 240, 0 \| 80 of 240, 0 \| 50 of 240, 0 \|/);
  assert.match(r.out, /\| the same with plasticity frozen at the onset \| 81, 2 \| — \| — \| 62, 1 \|/);
});

test('propamine stress --compare reproduces experiment 7 seed 1 from the committed reports (docs/results.md)', () => {
  const A = join(import.meta.dirname, '..', 'docs', 'runs', 'adaptation');
  const report = (arm: string) => join(A, `e7-${arm}-s1`, 'stress20', 'heldout-onset.json');
  const r = cli('stress', '--compare', report('adapt1000'), report('static'), report('mlp'));
  assert.equal(r.code, 0, r.err);
  // results.md: held-out mean 32.9 / 35.5 / 37.8 m, recovered 4 / 1 / 0, ahead of both on 1 of 12, index 2 / 2.
  assert.match(r.out, /\| mean distance after the onset \(m\) \| 32\.9 \| 35\.5 \| 37\.8 \|/);
  assert.match(r.out, /\| farthest on \| 1 of 12 \| 4 of 12 \| 7 of 12 \|/);
  assert.match(r.out, /\| adaptation index above 0 \/ below 0 \| 2 \/ 2 \| — \| — \|/);
  assert.match(r.out, /\| speed recovery 1 or more \| 4 of 12 \| 1 of 12 \| 0 of 12 \|/);
  assert.match(r.out, /\| weak hip_2 \(×0\.3\) \| \*\*36\.6 ± 0\.9\*\* \| 0\.7 ± 0\.4 \(-35\.8 ± 0\.8\) \|/);
  // Run directories: stress/<suite>.json is read; the same run twice is labelled by its path.
  const run = join(tmp, 'cmp-run');
  mkdirSync(join(run, 'stress'), { recursive: true });
  copyFileSync(report('mlp'), join(run, 'stress', 'heldout-onset.json'));
  const d = cli('stress', '--compare', run, run, '--suite', 'heldout-onset');
  assert.equal(d.code, 0, d.err);
  assert.match(d.out, new RegExp(`\\| condition \\| ${run} \\| ${run} \\|`));
  assert.match(d.out, /\| against .*: ahead \/ behind \(interval excludes 0\) \| — \| 0 \/ 0 \|/);
  // The same policy's reports in two folders: labelled by folder.
  mkdirSync(join(run, 'stress-again'));
  copyFileSync(report('mlp'), join(run, 'stress-again', 'heldout-onset.json'));
  const f = cli('stress', '--compare', join(run, 'stress', 'heldout-onset.json'), join(run, 'stress-again', 'heldout-onset.json'), report('static'));
  assert.equal(f.code, 0, f.err);
  assert.match(f.out, /\| condition \| cmp-run\/stress \| cmp-run\/stress-again \| e7-static-s1 \|/);
  const missing = cli('stress', '--compare', run, run);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /stress report not found: .*cmp-run\/stress\/heldout\.json \(.*cmp-run has stress reports for --suite heldout-onset\)/);
  const flag = cli('stress', '--compare', run, run, '--episodes', '5');
  assert.equal(flag.code, 2);
  assert.match(flag.err, /--compare reads reports already written and runs nothing: --episodes is for running a stress test/);
});
