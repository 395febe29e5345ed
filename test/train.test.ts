import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTrainConfig, validateTrainConfig, type TrainConfig } from '../src/train/config.ts';
import { train, type TrainOutcome } from '../src/train/run.ts';
import { RunDir } from '../src/train/run-dir.ts';
import { adaptationFitness, meanFitness, type Trainer } from '../src/train/trainer.ts';
import { loadPolicyFile } from '../src/train/policy-file.ts';
import { RolloutPool, threadsFor } from '../workers/pool.ts';
import { availableParallelism } from 'node:os';
import { perturb } from '../core/noise.ts';
import { memberParams } from '../src/es/index.ts';
import type { RolloutResult, RolloutTask } from '../workers/types.ts';
import { BUILTIN_SUITES } from '../envs/suites.ts';
import { withDigest } from '../envs/digest.ts';
import { FAULTY_WORKER, withFault } from './helpers/faults.ts';
import { createPolicy, initParams, policyLayout, validatePolicyConfig, type PolicyConfig, type SnnPolicy, type SnnPolicyConfig as SnnPolicyConfigT } from '../policies/index.ts';
import { policyGenome } from '../src/train/plastic-from.ts';
import { stageAt, strategyGenerations } from '../src/train/stages.ts';
import { grownGenome, rescaledGenome, retimed } from '../src/train/init-from.ts';
import { Rng } from '../core/rng.ts';

const tmp = mkdtempSync(join(tmpdir(), 'propamine-train-'));
const quiet = () => {};

/** A tiny but real run: the plastic SNN (plastic from the start) on 60-step episodes with training conditions. */
function tiny(name: string, over: Record<string, unknown> = {}): TrainConfig {
  return resolveTrainConfig('quick', { outDir: tmp, name, generations: 4, maxSteps: 60, testEvery: 2, testEpisodes: 1, replayEvery: 2, episodesPerMember: 2, strategy: { name: 'openai-es', popSize: 8, sigma: 0.05, lr: 0.03 }, policy: { type: 'snn', hidden: [16] }, plasticFrom: 1, ...over });
}

/** Metrics without the wall-clock fields. */
function deterministic(runDir: string) {
  return new RunDir(runDir).readMetrics().map(({ wallTime: _w, stepsPerSec: _s, overheadFraction: _o, ...rest }) => rest);
}

test('training is reproducible and independent of the number of workers (1 vs 2)', async () => {
  const a = await train({ config: tiny('w1', { workers: 1 }), quiet: true, log: quiet });
  const b = await train({ config: tiny('w2', { workers: 2 }), quiet: true, log: quiet });
  const c = await train({ config: tiny('w0', { workers: 0 }), quiet: true, log: quiet });
  assert.equal(a.records.length, 4);
  assert.deepEqual(deterministic(a.runDir), deterministic(b.runDir));
  assert.deepEqual(deterministic(a.runDir), deterministic(c.runDir));
  const ca = JSON.parse(readFileSync(join(a.runDir, 'checkpoints', 'latest.json'), 'utf8'));
  const cb = JSON.parse(readFileSync(join(b.runDir, 'checkpoints', 'latest.json'), 'utf8'));
  assert.deepEqual(ca.maximizer, cb.maximizer);
  assert.deepEqual(ca.normalizer, cb.normalizer);
  // Another seed gives another run.
  const d = await train({ config: tiny('w1s2', { workers: 1, seed: 2 }), quiet: true, log: quiet });
  assert.notDeepEqual(deterministic(a.runDir), deterministic(d.runDir));
});

test('abcd per synapse on random weights per episode trains, reproducibly and independently of the number of workers', async () => {
  const policy = { type: 'snn', hidden: [16], rule: 'abcd', ruleSharing: 'synapse', weights: 'random-per-episode' };
  const a = await train({ config: tiny('abcd-w1', { workers: 1, generations: 2, policy }), quiet: true, log: quiet });
  const b = await train({ config: tiny('abcd-w2', { workers: 2, generations: 2, policy }), quiet: true, log: quiet });
  const c = await train({ config: tiny('abcd-w0', { workers: 0, generations: 2, policy }), quiet: true, log: quiet });
  assert.equal(a.records.length, 2);
  assert.deepEqual(deterministic(a.runDir), deterministic(b.runDir));
  assert.deepEqual(deterministic(a.runDir), deterministic(c.runDir));
  const best = JSON.parse(readFileSync(join(a.runDir, 'best.json'), 'utf8'));
  assert.equal(best.policy.weights, 'random-per-episode');
  assert.ok(!best.layout.some((s: { name: string }) => s.name === 'hidden0.W_in'));
});

test('3 generations, a stop, and 3 resumed generations equal 6 straight ones', async () => {
  const straight = await train({ config: tiny('straight', { generations: 6, workers: 2 }), quiet: true, log: quiet });
  let stopped: TrainOutcome = await trainStopped(tiny('resumed', { generations: 6, workers: 2 }), 3);
  assert.equal(stopped.status, 'stopped');
  assert.equal(new RunDir(stopped.runDir).readMetrics().length, 3);
  stopped = await train({ resume: stopped.runDir, quiet: true, log: quiet });
  assert.equal(stopped.status, 'done');
  assert.deepEqual(deterministic(stopped.runDir), deterministic(straight.runDir));
  const best = loadPolicyFile(join(stopped.runDir, 'best.json'));
  assert.equal(best.params.length, loadPolicyFile(join(straight.runDir, 'best.json')).params.length);
  assert.deepEqual(Array.from(best.params), Array.from(loadPolicyFile(join(straight.runDir, 'best.json')).params));
  assert.ok(existsSync(join(stopped.runDir, 'replays', 'index.json')));
});

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

test('a changed checkpoint or config is refused naming the file and what is wrong; the previous checkpoint continues the run', async () => {
  const straight = await train({ config: tiny('corrupt-straight', { generations: 3, workers: 0 }), quiet: true, log: quiet });
  const run = await trainStopped(tiny('corrupt', { generations: 3, workers: 0 }), 2);
  // Generation 3 from scratch writes latest.json (3) and keeps the one before as previous.json (2).
  await train({ resume: run.runDir, quiet: true, log: quiet });
  const path = join(run.runDir, 'checkpoints', 'latest.json');
  const previous = join(run.runDir, 'checkpoints', 'previous.json');
  assert.equal(JSON.parse(readFileSync(previous, 'utf8')).generation, 2);
  const text = readFileSync(path, 'utf8');
  const resume = () => train({ resume: run.runDir, overrides: { generations: 4 }, quiet: true, log: quiet });
  const refused = async (content: string, what: RegExp) => {
    writeFileSync(path, content);
    await assert.rejects(resume(), (e: Error) => {
      assert.match(e.message, new RegExp(`^checkpoint ${esc(path)} is corrupt: `));
      assert.match(e.message, what);
      assert.match(e.message, new RegExp(`; the previous checkpoint \\(after generation 2\\) is intact: continue from it with propamine train --resume ${esc(previous)}$`));
      assert.ok(!e.message.includes('\n'), 'one line');
      return true;
    });
  };
  const digestMismatch = /its content does not match its digest \(it was changed after it was written\)/;
  const cp = JSON.parse(text);
  // A byte inside a number, and one base64 character turned into another valid one.
  const sum0 = String(cp.normalizer.sum[0]);
  const digit = sum0.search(/[1-8]/);
  await refused(text.replace(sum0, sum0.slice(0, digit) + String(Number(sum0[digit]) + 1) + sum0.slice(digit + 1)), digestMismatch);
  const b64 = cp.maximizer.core.mean.$f64 as string;
  await refused(text.replace(b64, b64.slice(0, 5) + (b64[5] === 'A' ? 'B' : 'A') + b64.slice(6)), digestMismatch);
  // What a digest cannot vouch for (a file written with a fresh digest, or by an earlier version without one) is checked too.
  const edit = (fn: (j: any) => void, digest = true) => {
    const j = JSON.parse(text);
    fn(j);
    delete j.digest;
    return JSON.stringify(digest ? withDigest(j) : j);
  };
  const nanCenter = (j: any) => {
    const mean = new Float64Array(Buffer.from(j.maximizer.core.mean.$f64, 'base64').buffer.slice(0));
    mean[7] = NaN;
    j.maximizer.core.mean.$f64 = Buffer.from(mean.buffer).toString('base64');
  };
  await refused(edit(nanCenter), /maximizer: state\.core\.mean\[7\] is NaN \(must be finite\)/);
  await refused(edit(nanCenter, false), /state\.core\.mean\[7\] is NaN/);
  await refused(edit((j) => (j.generation = 9)), /checkpoint\.generation is 9 but the strategy state is after generation 3 \(maximizer\.core\.generation\)/);
  await refused(edit((j) => { j.generation = 9; j.maximizer.core.generation = 9; }), new RegExp(`it is after generation 9 but ${esc(join(run.runDir, 'metrics.jsonl'))} records 3 generations`));
  await refused(edit((j) => (j.totalSteps += 1)), /checkpoint\.totalSteps is \d+ but .*metrics\.jsonl has \d+ after generation 3/);
  await refused(edit((j) => (j.normalizer.sum[3] = null)), /checkpoint\.normalizer\.sum\[3\] must be a finite number \(got null\)/);
  await refused(text.slice(0, text.length / 2), /not valid JSON/);
  // The config is checked the same way (sigma 0.08 -> 0.09 changes the whole run).
  writeFileSync(path, text);
  const configPath = join(run.runDir, 'config.json');
  const config = readFileSync(configPath, 'utf8');
  writeFileSync(configPath, config.replace('"sigma": 0.05', '"sigma": 0.06'));
  await assert.rejects(resume(), (e: Error) => e.message === `run config ${configPath} is corrupt: its content does not match its digest (it was changed after it was written); if the change was deliberate, delete its "digest" field to accept it`);
  writeFileSync(configPath, config);

  // Continuing from previous.json redoes generation 3 exactly, and keeps the rejected file.
  writeFileSync(path, edit(nanCenter));
  const lines: string[] = [];
  const resumed = await train({ resume: previous, quiet: true, log: (l) => lines.push(l) });
  assert.equal(resumed.status, 'done');
  assert.match(lines.join('\n'), new RegExp(`resuming .* from ${esc(previous)} after generation 2, training to generation 3\\nthe checkpoint it replaces is kept as .*latest\\.rejected\\.json`));
  assert.equal(readFileSync(join(run.runDir, 'checkpoints', 'latest.rejected.json'), 'utf8'), edit(nanCenter));
  assert.deepEqual(deterministic(run.runDir), deterministic(straight.runDir));
  const a = JSON.parse(readFileSync(path, 'utf8'));
  const b = JSON.parse(readFileSync(join(straight.runDir, 'checkpoints', 'latest.json'), 'utf8'));
  assert.deepEqual([a.maximizer, a.normalizer, a.bestTest], [b.maximizer, b.normalizer, b.bestTest]);
  assert.equal(JSON.parse(readFileSync(previous, 'utf8')).generation, 2);
  await assert.rejects(train({ config: tiny('corrupt', { generations: 2, workers: 0 }), quiet: true, log: quiet }), /already holds a run/);
});

test('best.json and init.json are checked like checkpoints: a changed byte, a null or NaN parameter', async () => {
  const src = await train({ config: tiny('policy-src', { workers: 0, generations: 2 }), quiet: true, log: quiet });
  const bestPath = join(src.runDir, 'best.json');
  const text = readFileSync(bestPath, 'utf8');
  const best = JSON.parse(text);
  assert.match(best.digest, /^sha256:[0-9a-f]{64}$/);
  const p0 = String(best.params[0]);
  // A changed value (not only a changed last digit, which may parse to the same number).
  writeFileSync(bestPath, text.replace(`[${p0},`, `[${String(Number(p0) + 1)},`));
  assert.throws(() => loadPolicyFile(bestPath), new RegExp(`^Error: policy file ${esc(bestPath)} is corrupt: its content does not match its digest`));
  const { digest: _d, ...rest } = best;
  writeFileSync(bestPath, JSON.stringify(withDigest({ ...rest, params: rest.params.map((v: number, i: number) => (i === 17 ? null : v)) })));
  assert.throws(() => loadPolicyFile(bestPath), new RegExp(`^Error: ${esc(bestPath)}: params\\[17\\] must be a finite number \\(got null\\)$`));
  writeFileSync(bestPath, JSON.stringify({ ...rest, normalizer: { ...rest.normalizer, std: rest.normalizer.std.map((v: number, i: number) => (i === 2 ? 0 : v)) } }));
  assert.throws(() => loadPolicyFile(bestPath), new RegExp(`^Error: ${esc(bestPath)}: normalizer\\.std\\[2\\] must be a finite number above 0 \\(got 0\\)$`));
  writeFileSync(bestPath, text);
  const ft = await train({ config: tiny('policy-ft', { workers: 0, generations: 1, init: src.runDir }), quiet: true, log: quiet });
  const initPath = join(ft.runDir, 'init.json');
  const init = readFileSync(initPath, 'utf8');
  writeFileSync(initPath, init.replace('"count":', '"count":1'));
  await assert.rejects(train({ config: tiny('policy-ft2', { workers: 0, generations: 1, init: initPath }), quiet: true, log: quiet }), new RegExp(`--init-from \\(config\\.init\\): policy file ${esc(initPath)} is corrupt: its content does not match its digest`));
});

test('bad config values get one error naming the field', () => {
  assert.throws(() => tiny('x', { generations: -1 }), /config\.generations must be a whole number/);
  assert.throws(() => tiny('x', { strategy: { name: 'nope' } }), /strategy\.name must be one of openai-es, pgpe, snes, sep-cma-es/);
  assert.throws(() => tiny('x', { strategy: { sigma: -1 } }), /strategy\.sigma must be > 0/);
  assert.throws(() => tiny('x', { policy: { rule: 'magic' } }), /policy\.rule must be one of/);
  assert.throws(() => tiny('x', { colour: 'red' }), /config\.colour is not a known field/);
  assert.throws(() => tiny('x', { name: '../escape' }), /config\.name must be letters/);
});

test('members are ranked by the configured fitness: shifted return, distance, or distance after the onset', async () => {
  const r = {
    returns: Float64Array.of(100, 50), steps: Int32Array.of(80, 40), distances: Float64Array.of(3, -1), onsetDistances: Float64Array.of(2, -0.5),
    onsetThirds: Float64Array.of(1.5, 0.5, 0, -0.5, 0, 0),
  } as unknown as RolloutResult;
  const both = [{ r, k: 0 }, { r, k: 1 }];
  assert.equal(meanFitness({ fitness: 'return', fitnessShift: 1 }, both), (150 - 120) / 2);
  assert.equal(meanFitness({ fitness: 'distance', fitnessShift: 1 }, both), 1);
  assert.equal(meanFitness({ fitness: 'onset-distance', fitnessShift: 1 }, both), 0.75);
  // onset-recovery: the distance after the onset plus last third minus first (0.5 + 2 * 0; 0 + 2 * 0), per episode.
  assert.equal(meanFitness({ fitness: 'onset-recovery', fitnessShift: 1 }, both), (0.5 + 0) / 2);
  // A gait that fades loses to one as far in all that regains speed; the first third counts for
  // nothing, so slowing there neither gains nor costs.
  const after = (d: number, thirds: number[]) => ({ returns: Float64Array.of(0), steps: Int32Array.of(1), onsetDistances: Float64Array.of(d), onsetThirds: Float64Array.from(thirds) }) as unknown as RolloutResult;
  const fades = after(9, [4, 3, 2]);
  const regains = after(9, [2, 3, 4]);
  const slowStart = after(7, [0, 3, 4]);
  const recovery = (r: RolloutResult) => meanFitness({ fitness: 'onset-recovery', fitnessShift: 1 }, [{ r, k: 0 }]);
  assert.ok(recovery(regains) > recovery(fades));
  assert.equal(recovery(slowStart), recovery(regains));
  assert.equal(tiny('x').fitness, 'distance', 'the presets rank by distance');
  const saved: Record<string, unknown> = { ...tiny('x') };
  delete saved.fitness;
  assert.equal(validateTrainConfig(saved).fitness, 'return', 'configs saved without the field ranked by the shifted return');
  assert.throws(() => tiny('x', { fitness: 'speed' }), /config\.fitness must be one of return, distance, onset-distance, onset-adaptation, onset-recovery \(got "speed"\)/);
  // The center's test fitness (what picks best.json) is the same quantity: on nominal test episodes, the distance.
  const d = await train({ config: tiny('fit-dist', { fitness: 'distance', workers: 1, generations: 2 }), quiet: true, log: quiet });
  const tested = new RunDir(d.runDir).readMetrics().filter((m) => m.testFitness !== null);
  assert.ok(tested.length > 0);
  for (const m of tested) assert.equal(m.testFitness, m.testDistance);
  // Another objective ranks members differently, so the run moves elsewhere.
  const ret = await train({ config: tiny('fit-ret', { fitness: 'return', workers: 1, generations: 2 }), quiet: true, log: quiet });
  assert.notDeepEqual(deterministic(d.runDir).map((m) => m.testDistance), deterministic(ret.runDir).map((m) => m.testDistance));
});

test('onset-adaptation: distance after the onset, plus what plasticity adds after damage, minus what it changes on the intact body', async () => {
  const damaged = { seed: 1, condition: { name: 'disabled ankle_2', jointDamage: [{ joint: 'ankle_2' as const, mode: 'disabled' as const }], onset: 20 } };
  const intact = { seed: 2, condition: { name: 'nominal', onset: 20 } };
  const plain = { seed: 3, condition: { name: 'nominal' } };
  const r = { onsetDistances: Float64Array.of(9, 5, 4, 7) } as unknown as RolloutResult;
  const frozen = { onsetDistances: Float64Array.of(9, 3, 6, 1) } as unknown as RolloutResult;
  // Member 1's episodes are entries 1..3: damaged 5 (frozen 3: +2), intact 4 (frozen 6: -|-2|), no onset 7 (counts 7).
  assert.equal(adaptationFitness([damaged, intact, plain], r, frozen, 1), (5 + 2 + 4 - 2 + 7) / 3);
  // Plasticity that helps the intact body after the onset pays too: only its size counts there.
  assert.equal(adaptationFitness([intact], { onsetDistances: Float64Array.of(8) } as unknown as RolloutResult, { onsetDistances: Float64Array.of(5) } as unknown as RolloutResult, 0), 8 - 3);
  // Without plasticity (no frozen runs) it is the distance after the onset.
  assert.equal(adaptationFitness([damaged, intact, plain], r, null, 1), (5 + 4 + 7) / 3);
  // Trained: each member's episodes also run frozen (twice the steps), reproducibly whatever the workers.
  const suite = join(tmp, 'onset-suite.json');
  writeFileSync(suite, JSON.stringify({ name: 'onset', conditions: [{ name: 'nominal', onset: [10, 30] }, { name: 'disabled ankle_2', jointDamage: [{ joint: 'ankle_2', mode: 'disabled' }], onset: [10, 30] }] }));
  const a = await train({ config: tiny('adapt-w1', { fitness: 'onset-adaptation', conditions: suite, workers: 1, generations: 2 }), quiet: true, log: quiet });
  const b = await train({ config: tiny('adapt-w2', { fitness: 'onset-adaptation', conditions: suite, workers: 2, generations: 2 }), quiet: true, log: quiet });
  assert.deepEqual(deterministic(a.runDir), deterministic(b.runDir));
  const o = await train({ config: tiny('onset-w1', { fitness: 'onset-distance', conditions: suite, workers: 1, generations: 2 }), quiet: true, log: quiet });
  assert.equal(a.records[0]!.steps, 2 * o.records[0]!.steps, 'the frozen runs are real rollouts and counted');
  assert.notDeepEqual(deterministic(a.runDir).map((m) => m.testDistance), deterministic(o.runDir).map((m) => m.testDistance), 'the objective ranks members otherwise');
  // onset-recovery: the same rollouts as onset-distance, ranked otherwise, whatever the workers.
  const ra = await train({ config: tiny('recover-w1', { fitness: 'onset-recovery', conditions: suite, workers: 1, generations: 2 }), quiet: true, log: quiet });
  const rb = await train({ config: tiny('recover-w2', { fitness: 'onset-recovery', conditions: suite, workers: 2, generations: 2 }), quiet: true, log: quiet });
  assert.deepEqual(deterministic(ra.runDir), deterministic(rb.runDir));
  assert.equal(ra.records[0]!.steps, o.records[0]!.steps);
  assert.notDeepEqual(deterministic(ra.runDir).map((m) => m.testFitness), deterministic(o.runDir).map((m) => m.testFitness), 'its test fitness is its own');
  // A policy without plasticity has nothing to freeze: the same run as onset-distance.
  const mlp = { type: 'mlp', hidden: [8] };
  const ma = await train({ config: tiny('adapt-mlp', { fitness: 'onset-adaptation', conditions: suite, workers: 1, generations: 2, policy: mlp }), quiet: true, log: quiet });
  const mo = await train({ config: tiny('onset-mlp', { fitness: 'onset-distance', conditions: suite, workers: 1, generations: 2, policy: mlp }), quiet: true, log: quiet });
  assert.deepEqual(deterministic(ma.runDir), deterministic(mo.runDir));
  // A suite without an onset cannot serve them: refused before anything is written, naming the suite.
  for (const fitness of ['onset-distance', 'onset-adaptation', 'onset-recovery'] as const) {
    const config = tiny(`no-onset-${fitness}`, { fitness, conditions: 'train', workers: 1, generations: 1 });
    await assert.rejects(train({ config, quiet: true, log: quiet }), new RegExp(`config\\.fitness ${fitness} needs damage that strikes mid-episode, and no condition of the suite "train" has an onset`));
    assert.ok(!existsSync(join(config.outDir, config.name)), 'no run directory is left behind');
  }
});

test('a member is center + sign * scale ⊙ z(seed), for strategies and workers alike; sign 0 is the center', () => {
  const pop = { mean: Float64Array.from({ length: 50 }, (_, i) => i / 50), scale: Float64Array.from({ length: 50 }, (_, i) => 0.01 + i / 1000), members: [{ seed: 99, sign: 1 as const }, { seed: 99, sign: -1 as const }] };
  const plus = new Float64Array(50);
  const minus = new Float64Array(50);
  memberParams(pop, 0, plus);
  memberParams(pop, 1, minus);
  for (let j = 0; j < 50; j++) assert.ok(Math.abs(plus[j]! + minus[j]! - 2 * pop.mean[j]!) < 1e-12);
  const center = new Float64Array(50);
  perturb(pop.mean, null, 99, 0, center, new Float64Array(50));
  assert.deepEqual(Array.from(center), Array.from(pop.mean));
});

test('a task whose worker throws or dies is retried to the result of a run without faults; a repeated failure names the task', async () => {
  const base: RolloutTask = {
    index: 0, runId: 'r', generation: 5, center: new Float64Array(0), scale: null, members: [{ seed: 0, sign: 0 }],
    policy: { type: 'mlp', hidden: [4] } as never, world: { maxSteps: 10 }, episodes: [{ seed: 3, condition: BUILTIN_SUITES.nominal!.conditions[0]! }], normalizer: null, collectObsStats: false,
  };
  const { createPolicy } = await import('../policies/index.ts');
  base.center = new Float64Array(createPolicy(base.policy, 27, 8).numParams);
  const pool = new RolloutPool({ threads: 2, maxAttempts: 3, workerFile: FAULTY_WORKER });
  try {
    const ok = await pool.runAll([withFault(base, { kind: 'exit', times: 2, key: 'exit twice' }), withFault({ ...base, index: 1 }, { kind: 'throw', times: 1, key: 'throw once' })]);
    assert.equal(ok.length, 2);
    assert.equal(ok[0]!.steps[0], 10);
    const clean = await pool.runAll([base, { ...base, index: 1 }]);
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(Array.from(ok[i]!.returns), Array.from(clean[i]!.returns));
      assert.deepEqual(Array.from(ok[i]!.distances), Array.from(clean[i]!.distances));
    }
    await assert.rejects(pool.runAll([withFault(base, { kind: 'throw', times: 5, key: 'always' })]), /task 0 of run r generation 5 .* failed 3 times; last error: .*injected fault \(always\)/);
  } finally {
    await pool.close();
  }
});

test('a run can start from another run or a policy file: its best center and observation statistics', async () => {
  // A source whose best test is not its last generation's (checked below), so the latest center differs from best.json's.
  const src = await train({ config: tiny('init-src', { workers: 0, generations: 5 }), quiet: true, log: quiet });
  const best = loadPolicyFile(join(src.runDir, 'best.json'));
  const start = (t: Trainer) => ({ center: Float64Array.from(t.center()), norm: t.normalizer.snapshot() });
  let fromRun: ReturnType<typeof start> | null = null;
  const ft = await train({ config: tiny('init-run', { workers: 0, generations: 2, init: src.runDir, conditions: 'train-damage' }), quiet: true, log: quiet, onTrainer: (t) => (fromRun = start(t)) });
  assert.deepEqual(fromRun!.center, best.params);
  assert.deepEqual(fromRun!.norm, best.normalizer);
  assert.equal(JSON.parse(readFileSync(join(ft.runDir, 'config.json'), 'utf8')).init, src.runDir);
  // The start is kept in the new run: starting from init.json starts exactly there, normalizer counts included.
  let fromKept: Trainer | null = null;
  let fromSource: Trainer | null = null;
  await train({ config: tiny('init-kept', { workers: 0, generations: 1, init: join(ft.runDir, 'init.json') }), quiet: true, log: quiet, onTrainer: (t) => (fromKept = t) });
  await train({ config: tiny('init-again', { workers: 0, generations: 1, init: src.runDir }), quiet: true, log: quiet, onTrainer: (t) => (fromSource = t) });
  assert.deepEqual(deterministic(join(tmp, 'init-kept')), deterministic(join(tmp, 'init-again')));
  assert.deepEqual(fromKept!.normalizer.toJSON(), fromSource!.normalizer.toJSON());
  // A policy file has mean and std only: they come back (to rounding) as the starting statistics.
  let fromFile: ReturnType<typeof start> | null = null;
  await train({ config: tiny('init-file', { workers: 0, generations: 1, init: join(src.runDir, 'best.json') }), quiet: true, log: quiet, onTrainer: (t) => (fromFile = start(t)) });
  assert.deepEqual(fromFile!.center, best.params);
  for (let i = 0; i < best.normalizer!.mean.length; i++) {
    assert.ok(Math.abs(fromFile!.norm!.mean[i]! - best.normalizer!.mean[i]!) < 1e-9);
    assert.ok(Math.abs(fromFile!.norm!.std[i]! - best.normalizer!.std[i]!) < 1e-9);
  }
  // A checkpoint file starts from the center after its generation, with the checkpoint's statistics.
  let fromCheckpoint: ReturnType<typeof start> | null = null;
  const latest = join(src.runDir, 'checkpoints', 'latest.json');
  await train({ config: tiny('init-cp', { workers: 0, generations: 1, init: latest }), quiet: true, log: quiet, onTrainer: (t) => (fromCheckpoint = start(t)) });
  const lastCenter = new RunDir(src.runDir).loadCenterPolicy();
  assert.deepEqual(fromCheckpoint!.center, lastCenter.params);
  assert.notDeepEqual(lastCenter.params, best.params, 'the case tells the latest center from the best one');
  // A random start differs, and the fine-tuned run resumes from its own checkpoint.
  let fresh: ReturnType<typeof start> | null = null;
  await train({ config: tiny('init-none', { workers: 0, generations: 1 }), quiet: true, log: quiet, onTrainer: (t) => (fresh = start(t)) });
  assert.notDeepEqual(fresh!.center, best.params);
  const before = new RunDir(ft.runDir).readConfig();
  const resumed = await train({ resume: ft.runDir, overrides: { generations: 3 }, quiet: true, log: quiet });
  assert.equal(resumed.records.length, 3);
  // config.json says what the run was trained to; the rest of it is as before.
  assert.notEqual(before.generations, 3);
  assert.deepEqual(new RunDir(ft.runDir).readConfig(), { ...before, generations: 3 });
  await assert.rejects(train({ config: tiny('init-bad', { init: src.runDir, policy: { type: 'mlp', hidden: [8] } }), quiet: true, log: quiet }), /--init-from \(config\.init\): .* holds a snn .* policy, but the config trains a mlp/);
  await assert.rejects(train({ config: tiny('init-gone', { init: join(tmp, 'nowhere') }), quiet: true, log: quiet }), /--init-from \(config\.init\): .*nowhere does not exist/);
  assert.throws(() => tiny('init-num', { init: 3 }), /config\.init must be a run directory or policy file path, or null/);
  // The same network with modulator inputs added: every trained weight kept, v_M = 0, so it starts acting exactly as the source.
  let extended: ReturnType<typeof start> | null = null;
  const srcPolicy = tiny('x').policy;
  const ext = await train({ config: tiny('init-mod', { workers: 0, generations: 1, init: src.runDir, policy: { ...srcPolicy, modInputs: ['reward'] } }), quiet: true, log: quiet, onTrainer: (t) => (extended = start(t)) });
  // The same plastic network with slow plasticity: the genome read as it is, the run's policy the retimed one.
  let slow: ReturnType<typeof start> | null = null;
  const slowRun = await train({ config: tiny('init-slow', { workers: 0, generations: 1, init: src.runDir, policy: { ...srcPolicy, plasticityEvery: 4, activityDecay: 0.9 } }), quiet: true, log: quiet, onTrainer: (t) => (slow = start(t)) });
  assert.deepEqual(slow!.center, best.params);
  // The same network at other genome scales: the genome rescaled, the parameters it decodes to unchanged.
  let wide: ReturnType<typeof start> | null = null;
  const wideScale = { ...srcPolicy.genomeScale, alpha: 1, mod: 1 };
  await train({ config: tiny('init-wide', { workers: 0, generations: 1, init: src.runDir, policy: { ...srcPolicy, genomeScale: wideScale } }), quiet: true, log: quiet, onTrainer: (t) => (wide = start(t)) });
  assert.deepEqual(wide!.center, rescaledGenome(srcPolicy, best.params, validatePolicyConfig({ ...srcPolicy, genomeScale: wideScale })));
  assert.notDeepEqual(wide!.center, best.params);
  // Rescaled and retimed at once.
  let wideSlow: ReturnType<typeof start> | null = null;
  const wsRun = await train({ config: tiny('init-wide-slow', { workers: 0, generations: 1, init: src.runDir, policy: { ...srcPolicy, genomeScale: wideScale, plasticityEvery: 4, activityDecay: 0.9 } }), quiet: true, log: quiet, onTrainer: (t) => (wideSlow = start(t)) });
  assert.deepEqual(wideSlow!.center, wide!.center);
  assert.equal((new RunDir(wsRun.runDir).readConfig().policy as SnnPolicyConfigT).plasticityEvery, 4);
  // Rescaled, retimed and grown (a modulator input) at once: the wide genome with v_M = 0 added.
  let wideSlowMod: ReturnType<typeof start> | null = null;
  const wsmRun = await train({ config: tiny('init-wide-slow-mod', { workers: 0, generations: 1, init: src.runDir, policy: { ...srcPolicy, genomeScale: wideScale, plasticityEvery: 4, activityDecay: 0.9, modInputs: ['reward'] } }), quiet: true, log: quiet, onTrainer: (t) => (wideSlowMod = start(t)) });
  const wsmPolicy = new RunDir(wsmRun.runDir).readConfig().policy as SnnPolicyConfigT;
  assert.deepEqual([wsmPolicy.plasticityEvery, wsmPolicy.activityDecay, wsmPolicy.modInputs], [4, 0.9, ['reward']]);
  const vm = policyLayout(wsmPolicy, 27, 8).find((x) => x.name === 'hidden0.mod.v')!;
  assert.deepEqual(Array.from(wideSlowMod!.center.subarray(vm.offset, vm.offset + vm.length)), [0]);
  assert.deepEqual([...wideSlowMod!.center.subarray(0, vm.offset), ...wideSlowMod!.center.subarray(vm.offset + vm.length)], Array.from(wide!.center));
  const slowPolicy = new RunDir(slowRun.runDir).readConfig().policy as SnnPolicyConfigT;
  assert.deepEqual([slowPolicy.plasticityEvery, slowPolicy.activityDecay], [4, 0.9]);
  const v = policyLayout(new RunDir(ext.runDir).readConfig().policy, 27, 8).find((x) => x.name === 'hidden0.mod.v')!;
  assert.deepEqual(Array.from(extended!.center.subarray(v.offset, v.offset + v.length)), [0]);
  assert.deepEqual([...extended!.center.subarray(0, v.offset), ...extended!.center.subarray(v.offset + v.length)], Array.from(best.params));
  const a = createPolicy(srcPolicy, 27, 8);
  const b = createPolicy({ ...srcPolicy, modInputs: ['reward'] } as PolicyConfig, 27, 8);
  a.setParams(best.params);
  b.setParams(extended!.center);
  for (let t = 0; t < 20; t++) {
    const obs = Float64Array.from({ length: 27 }, (_, i) => Math.sin(7 * t + i));
    assert.deepEqual(Array.from(b.act(obs)), Array.from(a.act(obs)));
    b.observeReward!(t % 3);
  }
  await assert.rejects(train({ config: tiny('init-hidden', { init: src.runDir, policy: { ...srcPolicy, hidden: [9] } }), quiet: true, log: quiet }), /only plasticity, on a static network, and --mod-inputs may be added/);
});

test('a trained static SNN grows plasticity (alpha 0) and modulator inputs (v_M 0) and acts exactly as before', () => {
  const stat = validatePolicyConfig({ type: 'snn', hidden: [12], rule: 'none', genomeScale: { readout: 4 } });
  const params = Float64Array.from(initParams(stat, 27, 8, new Rng(7)));
  for (const rule of ['oja', 'hebb', 'bcm'] as const) {
    const target = validatePolicyConfig({ ...stat, rule, modulation: rule === 'hebb' ? 'retroactive' : 'simple', modInputs: ['reward', 'action'], genomeScale: { readout: 4, alpha: 0.25 } });
    const grown = grownGenome(stat, params, target, new Rng(1))!;
    const layout = policyLayout(target, 27, 8);
    for (const s of layout) if (/alpha_(in|rec)$|mod\.v$/.test(s.name)) assert.ok(grown.subarray(s.offset, s.offset + s.length).every((x) => x === 0), s.name);
    const a = createPolicy(stat, 27, 8);
    const b = createPolicy(target, 27, 8);
    a.setParams(params);
    b.setParams(grown);
    let plastic = false;
    for (let t = 0; t < 40; t++) {
      const obs = Float64Array.from({ length: 27 }, (_, i) => 2 * Math.sin(7 * t + i));
      assert.deepEqual(Array.from(b.act(obs)), Array.from(a.act(obs)), `${rule}, step ${t}`);
      b.observeReward!(t % 3);
      plastic ||= (b as SnnPolicy).plasticState(0).Hin.some((h) => h !== 0);
    }
    assert.ok(plastic, `${rule}: the grown synapses' traces move (and alpha = 0 hides them)`);
  }
  // Nothing else may change: sizes, or a plastic network's own rule.
  assert.equal(grownGenome(stat, params, validatePolicyConfig({ ...stat, hidden: [13], rule: 'oja' }), new Rng(1)), null);
  const oja = validatePolicyConfig({ ...stat, rule: 'oja' });
  assert.equal(grownGenome(oja, Float64Array.from(initParams(oja, 27, 8, new Rng(1))), validatePolicyConfig({ ...stat, rule: 'bcm' }), new Rng(1)), null);
  // Retiming a plastic network is not growing it, and only the timing may change.
  const slowOja = validatePolicyConfig({ ...oja, plasticityEvery: 4 });
  assert.equal(grownGenome(oja, Float64Array.from(initParams(oja, 27, 8, new Rng(1))), slowOja, new Rng(1)), null);
  assert.ok(retimed(oja, slowOja) && retimed(oja, validatePolicyConfig({ ...oja, activityDecay: 0.5 })));
  assert.ok(!retimed(oja, oja) && !retimed(stat, validatePolicyConfig({ ...stat, plasticityEvery: 4 })));
  assert.ok(!retimed(oja, validatePolicyConfig({ ...oja, plasticityEvery: 4, clip: 2 })));
});

test('a trained network searched at other genome scales decodes to exactly its trained parameters and acts as before', () => {
  const oja = validatePolicyConfig({ type: 'snn', hidden: [12], rule: 'oja', genomeScale: { alpha: 0.1, mod: 0.1, readout: 4 } });
  const wide = validatePolicyConfig({ ...oja, genomeScale: { alpha: 1, mod: 0.3, readout: 4, weights: 0.5 } });
  const params = Float64Array.from(initParams(oja, 27, 8, new Rng(3)));
  const g = rescaledGenome(oja, params, wide)!;
  const layout = policyLayout(oja, 27, 8);
  const alpha = layout.find((x) => x.name === 'hidden0.alpha_in')!;
  // The genome itself changes by the ratio of the scales (alpha 0.1 -> 1: ten times smaller).
  assert.ok(Math.abs(g[alpha.offset]! - params[alpha.offset]! / 10) < 1e-6 * Math.abs(params[alpha.offset]!) + 1e-12);
  assert.notDeepEqual(Array.from(g), Array.from(params));
  const a = createPolicy(oja, 27, 8) as SnnPolicy;
  const b = createPolicy(wide, 27, 8) as SnnPolicy;
  a.setParams(params);
  b.setParams(g);
  for (let t = 0; t < 40; t++) {
    const obs = Float64Array.from({ length: 27 }, (_, i) => 2 * Math.sin(7 * t + i));
    assert.deepEqual(Array.from(b.act(obs)), Array.from(a.act(obs)), `step ${t}`);
  }
  assert.deepEqual(Array.from(b.plasticState(0).Hin), Array.from(a.plasticState(0).Hin));
  // An MLP too; and only the scales may differ.
  const mlp = validatePolicyConfig({ type: 'mlp', hidden: [8] });
  const mlp2 = validatePolicyConfig({ type: 'mlp', hidden: [8], genomeScale: { readout: 2 } });
  const mp = Float64Array.from(initParams(mlp, 27, 8, new Rng(4)));
  const m1 = createPolicy(mlp, 27, 8);
  const m2 = createPolicy(mlp2, 27, 8);
  m1.setParams(mp);
  m2.setParams(rescaledGenome(mlp, mp, mlp2)!);
  const obs = Float64Array.from({ length: 27 }, (_, i) => Math.cos(i));
  assert.deepEqual(Array.from(m2.act(obs)), Array.from(m1.act(obs)));
  assert.equal(rescaledGenome(oja, params, oja), null, 'nothing to rescale');
  assert.equal(rescaledGenome(oja, params, validatePolicyConfig({ ...wide, clip: 2 })), null, 'more than the scales differ');
});

/** Runs `config` and stops it after `stopAt` generations; returns the outcome and the lines it printed. */
async function trainStopped(config: TrainConfig, stopAt: number) {
  const lines: string[] = [];
  const outcome = await train({
    config, log: (l) => lines.push(l),
    onTrainer: afterEachStep((t) => {
      if (t.generation === stopAt) t.requestStop();
    }),
  });
  return { ...outcome, lines };
}

/** An `onTrainer` hook that calls `after` once each generation is done. */
function afterEachStep(after: (t: Trainer) => void) {
  return (t: Trainer) => {
    const step = t.step.bind(t);
    t.step = async (ev) => {
      const r = await step(ev);
      after(t);
      return r;
    };
  };
}

test('generations count from 1 in metrics, checkpoints, best.json, replays and messages', async () => {
  const run = await trainStopped(tiny('count', { workers: 0 }), 3);
  assert.equal(run.status, 'stopped');
  assert.deepEqual(new RunDir(run.runDir).readMetrics().map((r) => r.generation), [1, 2, 3]);
  assert.match(run.lines.join('\n'), /gen 3\/4 .*\nstopped after generation 3; resume with/);
  const cp = JSON.parse(readFileSync(join(run.runDir, 'checkpoints', 'latest.json'), 'utf8'));
  assert.equal(cp.version, 2);
  assert.equal(cp.generation, 3);
  assert.ok([1, 2].includes(cp.bestTest.generation), 'tested after generations 1 and 2 so far');
  const index = JSON.parse(readFileSync(join(run.runDir, 'replays', 'index.json'), 'utf8'));
  assert.deepEqual(index.replays.map((r: { file: string; label: string; generation: number }) => [r.file, r.label, r.generation]), [
    ['gen00001-nominal.json', 'center after generation 1', 1],
    ['gen00002-nominal.json', 'center after generation 2', 2],
  ]);
  const best = loadPolicyFile(join(run.runDir, 'best.json'));
  assert.ok(best.meta.generation === 1 || best.meta.generation === 2);
  const lines: string[] = [];
  const resumed = await train({ resume: run.runDir, log: (l) => lines.push(l) });
  assert.match(lines[0]!, /^resuming .*count after generation 3, training to generation 4$/);
  assert.match(lines.join('\n'), /gen 4\/4 /);
  assert.deepEqual(resumed.records.map((r) => r.generation), [1, 2, 3, 4]);
  // Nothing left to do is said, not done.
  await assert.rejects(train({ resume: run.runDir, log: quiet }), /count is already trained to generation 4; to continue it, give --generations more than 4/);
});

test('a run written by an earlier version (counting from 0) resumes exactly as a current one', async () => {
  const current = await trainStopped(tiny('count-new', { workers: 0 }), 3);
  const old = await trainStopped(tiny('count-old', { workers: 0 }), 3);
  // Rewrite count-old's files as the earlier version wrote them.
  const cpPath = join(old.runDir, 'checkpoints', 'latest.json');
  const cp = JSON.parse(readFileSync(cpPath, 'utf8'));
  const { generation, digest: _d, ...rest } = cp;
  rest.bestTest.generation -= 1;
  rest.maximizer.best.generation -= 1;
  writeFileSync(cpPath, JSON.stringify({ ...rest, version: 1, nextGeneration: generation }));
  const metricsPath = join(old.runDir, 'metrics.jsonl');
  writeFileSync(metricsPath, readFileSync(metricsPath, 'utf8').trim().split('\n').map((l) => JSON.stringify({ ...JSON.parse(l), generation: JSON.parse(l).generation - 1 })).join('\n') + '\n');
  const a = await train({ resume: current.runDir, quiet: true, log: quiet });
  const b = await train({ resume: old.runDir, quiet: true, log: quiet });
  assert.deepEqual(b.records.map((r) => r.generation), [1, 2, 3, 4]);
  assert.deepEqual(deterministic(old.runDir), deterministic(current.runDir));
  assert.deepEqual(JSON.parse(readFileSync(cpPath, 'utf8')).maximizer, JSON.parse(readFileSync(join(a.runDir, 'checkpoints', 'latest.json'), 'utf8')).maximizer);
});

test('a start that fails before its first generation finishes leaves no run directory; one left by an earlier version resumes from generation 1', async () => {
  const failing = tiny('never-started', { workers: 0 });
  await assert.rejects(train({
    config: failing, quiet: true, log: quiet,
    onTrainer: (t) => {
      t.step = async () => {
        throw new Error('no live rollout worker');
      };
    },
  }), /no live rollout worker/);
  assert.ok(!existsSync(join(tmp, 'never-started')), 'nothing is left behind');
  // Files that are not the run's own are left alone.
  mkdirSync(join(tmp, 'never-started'));
  writeFileSync(join(tmp, 'never-started', 'notes.txt'), 'mine');
  await assert.rejects(train({ config: failing, quiet: true, log: quiet, onTrainer: (t) => (t.step = async () => Promise.reject(new Error('boom'))) }), /boom/);
  assert.deepEqual(readdirSync(join(tmp, 'never-started')), ['notes.txt']);
  // What an earlier version left (config.json, an empty metrics.jsonl and checkpoints/): --resume starts it.
  const left = tiny('left-behind', { workers: 0, generations: 2 });
  mkdirSync(join(tmp, 'left-behind', 'checkpoints'), { recursive: true });
  writeFileSync(join(tmp, 'left-behind', 'config.json'), JSON.stringify(left, null, 2));
  writeFileSync(join(tmp, 'left-behind', 'metrics.jsonl'), '');
  const lines: string[] = [];
  const resumed = await train({ resume: join(tmp, 'left-behind'), quiet: true, log: (l) => lines.push(l) });
  assert.equal(resumed.status, 'done');
  assert.match(lines.join('\n'), /left-behind has no checkpoint yet: starting it at generation 1 with its config\.json/);
  const fresh = await train({ config: tiny('left-fresh', { workers: 0, generations: 2 }), quiet: true, log: quiet });
  assert.deepEqual(deterministic(resumed.runDir), deterministic(fresh.runDir));
});

test('worker threads are capped at the cores and at the tasks that run at once, saying so', async () => {
  assert.deepEqual(threadsFor(256, 2, 2), { threads: 2, note: "--workers 256 is more than this machine's 2 cores and the 2 tasks that run at once: using 2 worker threads" });
  assert.deepEqual(threadsFor(256, 16, 2), { threads: 2, note: "--workers 256 is more than this machine's 2 cores: using 2 worker threads" });
  assert.deepEqual(threadsFor(8, 3, 16), { threads: 3, note: '--workers 8 is more than the 3 tasks that run at once: using 3 worker threads' });
  assert.deepEqual(threadsFor(2, 16, 2), { threads: 2, note: null });
  assert.deepEqual(threadsFor(0, 16, 2), { threads: 0, note: null });
  // A generation of 8 members in tasks of 2 runs 4 tasks at once; 64 workers start no more threads than that or the cores.
  const lines: string[] = [];
  let threads = -1;
  await train({ config: tiny('many-workers', { workers: 64, generations: 1 }), quiet: true, log: (l) => lines.push(l), onTrainer: (t) => (threads = (t.backend as RolloutPool).threads) });
  assert.equal(threads, Math.min(4, availableParallelism()));
  assert.match(lines[0]!, new RegExp(`^--workers 64 is more than .*: using ${threads} worker threads?$`));
  assert.match(lines[1]!, new RegExp(`, ${threads} worker threads?$`));
});

test('plasticFrom: a static stage, then the grown plastic network; reproducible across workers, resumable across the switch, reported as the plastic policy', async () => {
  const cfg = (name: string, over: Record<string, unknown> = {}) => tiny(name, { generations: 5, plasticFrom: 3, testEvery: 1, ...over });
  const plastic = tiny('pf-none', {}).policy;
  const staticSize = createPolicy({ ...(plastic as SnnPolicyConfigT), rule: 'none' } as PolicyConfig, 27, 8).numParams;
  const plasticSize = createPolicy(plastic, 27, 8).numParams;
  const sizes: number[] = [];
  const straight = await train({
    config: cfg('pf-straight', { workers: 2 }), quiet: true, log: quiet,
    onTrainer: afterEachStep((t) => {
      sizes.push(t.searchCenter().length);
      // The center a run reports is the plastic network's at every stage.
      assert.equal(t.center().length, plasticSize);
    }),
  });
  assert.deepEqual(sizes, [staticSize, staticSize, plasticSize, plasticSize, plasticSize], 'static search for generations 1-2, plastic from 3');
  // The grown center acts exactly as the static one did (alpha = 0), so its test at generation 2 is the static network's.
  const other = await train({ config: cfg('pf-w0', { workers: 0 }), quiet: true, log: quiet });
  assert.deepEqual(deterministic(other.runDir), deterministic(straight.runDir));
  let stopped: TrainOutcome = await trainStopped(cfg('pf-resumed', { workers: 2 }), 2);
  assert.equal(stopped.status, 'stopped');
  const cp = JSON.parse(readFileSync(join(stopped.runDir, 'checkpoints', 'latest.json'), 'utf8'));
  assert.equal(cp.generation, 2);
  stopped = await train({ resume: stopped.runDir, quiet: true, log: quiet });
  assert.deepEqual(deterministic(stopped.runDir), deterministic(straight.runDir));
  const best = loadPolicyFile(join(straight.runDir, 'best.json'));
  assert.equal(best.params.length, plasticSize);
  assert.deepEqual(best.policy, new RunDir(straight.runDir).readConfig().policy);
  const latest = new RunDir(straight.runDir).loadCenterPolicy();
  assert.equal(latest.params.length, plasticSize);
  const metrics = deterministic(straight.runDir);
  assert.equal(metrics.length, 5);
  // No static stage for networks without plasticity: an MLP run is the same with or without the field.
  const m1 = await train({ config: tiny('pf-mlp1', { generations: 2, workers: 0, policy: { type: 'mlp', hidden: [8] } }), quiet: true, log: quiet });
  const m3 = await train({ config: tiny('pf-mlp3', { generations: 2, workers: 0, plasticFrom: 3, policy: { type: 'mlp', hidden: [8] } }), quiet: true, log: quiet });
  assert.deepEqual(deterministic(m3.runDir), deterministic(m1.runDir));
  assert.throws(() => resolveTrainConfig('quick', { plasticFrom: 0 }), /config\.plasticFrom must be a whole number in \[1, \d+\] \(got 0\)/);
  // The presets are plastic from the start (docs/snn-learning.md, round 8), unless told otherwise.
  for (const preset of ['quick', 'long', 'full'] as const) assert.equal(resolveTrainConfig(preset).plasticFrom, 1, preset);
  assert.equal(resolveTrainConfig('quick', {}, { generations: 30 }).plasticFrom, 1);
  assert.equal(resolveTrainConfig('quick', { generations: 30 }, { plasticFrom: 5 }).plasticFrom, 5);
});

test('stages: longer episodes and another population from a generation on, the strategy restarted there; reproducible across workers, resumable on either side of the switch', async () => {
  const stages = [{ from: 3, maxSteps: 90, strategy: { popSize: 12, sigma: 0.03 } }];
  const cfg = (name: string, over: Record<string, unknown> = {}) => tiny(name, { generations: 5, testEvery: 1, stages, ...over });
  const seen: { gen: number; maxSteps: number; members: number; told: number }[] = [];
  const tested: [number, number][] = [];
  const straight = await train({
    config: cfg('st-straight', { workers: 2 }), quiet: true, log: quiet,
    onTrainer: (t) => {
      const runAll = t.backend.runAll.bind(t.backend);
      t.backend.runAll = async (tasks) => {
        const population = tasks.filter((k) => k.scale !== null);
        if (!population.length) tested.push([tasks[0]!.generation, tasks[0]!.world.maxSteps ?? -1]);
        else seen.push({ gen: tasks[0]!.generation, maxSteps: tasks[0]!.world.maxSteps ?? -1, members: population.reduce((n, k) => n + k.members.length, 0), told: t.state.core.generation ?? -1 });
        return runAll(tasks);
      };
    },
  });
  // Generations 1-2 as the config says; from 3 the stage's episodes and population, asked by a strategy started anew.
  assert.deepEqual(seen.map((x) => [x.gen, x.maxSteps, x.members]), [[1, 60, 8], [2, 60, 8], [3, 90, 12], [4, 90, 12], [5, 90, 12]]);
  assert.deepEqual(seen.map((x) => x.told), [0, 1, 0, 1, 2]);
  assert.deepEqual(tested, [[1, 60], [2, 60], [3, 90], [4, 90], [5, 90]]);
  const metrics = deterministic(straight.runDir);
  assert.deepEqual(metrics.map((r) => r.strategy.sigma), [0.05, 0.05, 0.03, 0.03, 0.03]);
  // The saved policies use the episodes of their generation's stage; best.json compares tests of one length, the latest.
  const best = loadPolicyFile(join(straight.runDir, 'best.json'));
  assert.equal(best.meta?.world?.maxSteps, 90);
  assert.ok(best.meta!.generation! >= 3);
  assert.equal(new RunDir(straight.runDir).loadCenterPolicy().meta?.world?.maxSteps, 90);
  const other = await train({ config: cfg('st-w0', { workers: 0 }), quiet: true, log: quiet });
  assert.deepEqual(deterministic(other.runDir), metrics);
  for (const stopAt of [2, 3]) {
    let stopped: TrainOutcome = await trainStopped(cfg(`st-resumed${stopAt}`, { workers: 1 }), stopAt);
    assert.equal(stopped.status, 'stopped');
    stopped = await train({ resume: stopped.runDir, quiet: true, log: quiet });
    assert.deepEqual(deterministic(stopped.runDir), metrics, `stopped after generation ${stopAt}`);
  }
  // With a static stage: a stage before plasticFrom restarts the static search, plasticity grows at plasticFrom.
  const sizes: number[] = [];
  const staged = await train({
    config: cfg('st-pf', { workers: 0, plasticFrom: 4, stages: [{ from: 2, strategy: { sigma: 0.04 } }, { from: 4, maxSteps: 90 }] }), quiet: true, log: quiet,
    onTrainer: afterEachStep((t) => {
      sizes.push(t.searchCenter().length);
    }),
  });
  const plastic = createPolicy(tiny('st-size').policy, 27, 8).numParams;
  assert.equal(sizes.length, 5);
  assert.ok(sizes[2]! < plastic, 'generations 1-3 search the static network');
  assert.deepEqual(sizes.slice(3), [plastic, plastic]);
  assert.deepEqual(deterministic(staged.runDir).map((r) => [r.strategy.sigma, r.steps <= 8 * 2 * 90]), [[0.05, true], [0.04, true], [0.04, true], [0.04, true], [0.04, true]]);
  assert.deepEqual([1, 2, 3, 4, 5].map((g) => strategyGenerations(new RunDir(staged.runDir).readConfig(), g)), [1, 1, 2, 1, 2]);
  let resumed: TrainOutcome = await trainStopped(cfg('st-pf-r', { workers: 1, plasticFrom: 4, stages: [{ from: 2, strategy: { sigma: 0.04 } }, { from: 4, maxSteps: 90 }] }), 3);
  resumed = await train({ resume: resumed.runDir, quiet: true, log: quiet });
  assert.deepEqual(deterministic(resumed.runDir), deterministic(staged.runDir));
  // A stage that changes nothing but restarts the strategy is a different run from none.
  const plain = await train({ config: tiny('st-none', { generations: 5, testEvery: 1, workers: 0 }), quiet: true, log: quiet });
  assert.deepEqual(deterministic(plain.runDir).slice(0, 2), metrics.slice(0, 2));
  assert.notDeepEqual(deterministic(plain.runDir)[2], metrics[2]);
});

test('stages: a bad stage is refused, naming its field', () => {
  const bad: [unknown, RegExp][] = [
    [{}, /config\.stages must be a list of stages \(got \{\}\)$/],
    [[{ from: 1, maxSteps: 10 }], /config\.stages\[0\]\.from must be a whole number in \[2, \d+\] \(got 1\)$/],
    [[{ from: 5, maxSteps: 10 }, { from: 5, maxSteps: 20 }], /config\.stages\[1\]\.from must be after the stage before it \(5\) \(got 5\)$/],
    [[{ from: 5, maxSteps: 0 }], /config\.stages\[0\]\.maxSteps must be a whole number in \[1, 100000\] \(got 0\)$/],
    [[{ from: 5, episodes: 2 }], /config\.stages\[0\]\.episodes is not a known field \(known: from, maxSteps, strategy\)$/],
    [[{ maxSteps: 10 }], /config\.stages\[0\]\.from must be a whole number in \[2, \d+\] \(got nothing\)$/],
    [[{ from: 5, strategy: { popSize: 7 } }], /config\.stages\[0\]\.strategy\.popSize must be/],
    [[{ from: 5, strategy: { name: 'pgpe' } }], /config\.stages\[0\]\.strategy\.name must be the run's strategy, openai-es \(got "pgpe"\)/],
    [[{ from: 5, strategy: { temperature: 2 } }], /config\.stages\[0\]\.strategy\.temperature is not/],
  ];
  for (const [stages, re] of bad) assert.throws(() => resolveTrainConfig('quick', { stages }), re, JSON.stringify(stages));
  // Stages add up: a later stage keeps what an earlier one changed and it does not name.
  const c = resolveTrainConfig('quick', { stages: [{ from: 5, maxSteps: 600, strategy: { popSize: 64 } }, { from: 9, strategy: { sigma: 0.02 } }] });
  assert.deepEqual([stageAt(c, 4).maxSteps, stageAt(c, 5).maxSteps, stageAt(c, 9).maxSteps], [300, 600, 600]);
  assert.deepEqual([stageAt(c, 9).strategy.popSize, stageAt(c, 9).strategy.sigma, stageAt(c, 5).strategy.sigma], [64, 0.02, 0.08]);
  assert.deepEqual([5, 8, 9, 12].map((g) => strategyGenerations(c, g)), [1, 4, 1, 4]);
  // The long preset ends on episodes as long as the evaluation's.
  const long = resolveTrainConfig('long');
  assert.deepEqual([long.generations, long.maxSteps, long.stages, stageAt(long, 1600).maxSteps, stageAt(long, 1601).maxSteps], [1790, 300, [{ from: 1601, maxSteps: 1000 }], 300, 1000]);
  // A saved config without the field had one stage.
  const { stages: _s, ...old } = resolveTrainConfig('quick') as unknown as Record<string, unknown>;
  assert.deepEqual(validateTrainConfig(old).stages, []);
});

test('starts: several searches from their own random networks, the best-tested one continued with its state and statistics; reproducible across workers, resumable within and after the starts', async () => {
  const starts = { count: 3, generations: 2 };
  const cfg = (name: string, over: Record<string, unknown> = {}) => tiny(name, { generations: 8, testEvery: 4, starts, ...over });
  const centers: Float64Array[] = [];
  const told: number[] = [];
  const kept: (number | null)[] = [];
  let continued: { center: Float64Array; normalizer: unknown } | null = null;
  const lines: string[] = [];
  const straight = await train({
    config: cfg('sx-straight', { workers: 2 }), log: (l) => lines.push(l),
    onTrainer: (t) => {
      const step = t.step.bind(t);
      t.step = async (ev) => {
        const r = await step(ev);
        centers.push(Float64Array.from(t.searchCenter()));
        told.push(t.state.core.generation);
        kept.push(t.bestStart?.start ?? null);
        if (t.generation === 6) continued = { center: Float64Array.from(t.bestStart!.state.core.mean), normalizer: t.bestStart!.normalizer.toJSON() };
        if (t.generation === 7) assert.deepEqual(t.normalizer.toJSON().count > (continued!.normalizer as { count: number }).count, true);
        return r;
      };
    },
  });
  const metrics = deterministic(straight.runDir);
  // Each start is tested at its end (whatever testEvery says), and the records say which start they belong to.
  assert.deepEqual(metrics.map((r) => r.start ?? null), [1, 1, 2, 2, 3, 3, null, null]);
  assert.deepEqual(metrics.map((r) => r.testFitness !== null), [true, true, false, true, false, true, false, true]);
  // The strategy starts anew with each start; after them, the best start's strategy goes on counting.
  const ends = [2, 4, 6].map((g) => metrics[g - 1]!.testFitness!);
  const best = ends.indexOf(Math.max(...ends));
  assert.deepEqual(told, [1, 2, 1, 2, 1, 2, 3, 4]);
  assert.deepEqual(kept.slice(0, 6), [null, 0, 0, ends[1]! > ends[0]! ? 1 : 0, ends[1]! > ends[0]! ? 1 : 0, best]);
  assert.deepEqual(kept.slice(6), [null, null]);
  assert.deepEqual(Array.from(continued!.center), Array.from(centers[2 * best + 1]!), 'the best start continues from its own center');
  assert.notDeepEqual(Array.from(centers[1]!), Array.from(centers[3]!), 'the starts search from different networks');
  assert.deepEqual(strategyGenerations(new RunDir(straight.runDir).readConfig(), 8), 4);
  assert.ok(lines.some((l) => l === `start ${best + 1} of 3 tested best (fitness ${ends[best]!.toFixed(2)} on the test episodes): it continues from generation 7`), lines.join('\n'));
  assert.ok(lines.some((l) => /^starts: 3 starts of 2 generations from different random networks/.test(l)));
  // The first start is the run without starts, generation for generation.
  const plain = await train({ config: tiny('sx-plain', { generations: 2, testEvery: 4, workers: 0 }), quiet: true, log: quiet });
  assert.deepEqual(deterministic(plain.runDir).map(({ start: _s, ...r }) => r), metrics.slice(0, 2).map(({ start: _s, ...r }) => r));
  // The same run with other worker counts, and stopped within a start, at a start's end and once the best continues.
  const other = await train({ config: cfg('sx-w0', { workers: 0 }), quiet: true, log: quiet });
  assert.deepEqual(deterministic(other.runDir), metrics);
  for (const stopAt of [3, 4, 6, 7]) {
    let stopped: TrainOutcome = await trainStopped(cfg(`sx-resumed${stopAt}`, { workers: 1 }), stopAt);
    assert.equal(stopped.status, 'stopped');
    const cp = JSON.parse(readFileSync(join(stopped.runDir, 'checkpoints', 'latest.json'), 'utf8'));
    assert.equal(cp.bestStart !== undefined, stopAt <= 6, `a checkpoint after generation ${stopAt} keeps the best start only while the starts run`);
    stopped = await train({ resume: stopped.runDir, quiet: true, log: quiet });
    assert.deepEqual(deterministic(stopped.runDir), metrics, `stopped after generation ${stopAt}`);
  }
  await assert.rejects(train({ resume: join(tmp, 'sx-resumed3'), overrides: { generations: 6 }, quiet: true, log: quiet }), /--generations 6: the run's 3 starts of 2 generations end at generation 6, and the best start continues after them \(give more than 6\)/);
  // A checkpoint whose best start is missing, out of range or kept after the starts is refused, naming the field.
  const stoppedAt4 = await trainStopped(cfg('sx-bad', { workers: 0 }), 4);
  const good = JSON.parse(readFileSync(join(stoppedAt4.runDir, 'checkpoints', 'latest.json'), 'utf8'));
  const { digest: _d, ...body } = good;
  const refused = (changed: Record<string, unknown>, re: RegExp) => {
    writeFileSync(join(stoppedAt4.runDir, 'checkpoints', 'latest.json'), JSON.stringify(withDigest(changed)));
    writeFileSync(join(stoppedAt4.runDir, 'checkpoints', 'previous.json'), JSON.stringify(withDigest(changed)));
    return assert.rejects(train({ resume: stoppedAt4.runDir, quiet: true, log: quiet }), re);
  };
  const { bestStart: _b, ...without } = body;
  await refused(without, /checkpoint\.bestStart is missing: after generation 4, 2 of the 3 starts of config\.starts have ended/);
  await refused({ ...body, bestStart: { ...body.bestStart, start: 2 } }, /checkpoint\.bestStart\.start is 2, but only starts 0 to 1 have ended after generation 4/);
  await refused({ ...body, bestStart: { ...body.bestStart, fitness: 'x' } }, /bestStart\.fitness must be a number/);
});

test('starts: bad starts are refused, naming the field', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ starts: { count: 1, generations: 10 } }, /config\.starts\.count must be a whole number in \[2, 64\] \(got 1\)$/],
    [{ starts: { count: 4 } }, /config\.starts\.generations must be a whole number in \[1, \d+\] \(got nothing\)$/],
    [{ starts: 4 }, /config\.starts must be null or an object: \{ count, generations \} \(got 4\)$/],
    [{ starts: { count: 4, generations: 20, best: 'test' } }, /config\.starts\.best is not a known field \(known: count, generations\)$/],
    [{ starts: { count: 4, generations: 20 } }, /config\.starts: count × generations \(4 × 20 = 80\) must be less than config\.generations \(80\): the best start continues after them$/],
    [{ generations: 100, starts: { count: 4, generations: 20 }, stages: [{ from: 80, maxSteps: 1000 }] }, /config\.stages\[0\]\.from must be after the starts, which end at generation 80 \(got 80\)$/],
    [{ generations: 100, starts: { count: 4, generations: 20 }, plasticFrom: 40 }, /config\.starts cannot be combined with plasticFrom 40/],
    [{ generations: 100, starts: { count: 4, generations: 20 }, init: 'runs/x' }, /config\.starts draw their own random networks: config\.init must be null/],
  ];
  for (const [over, re] of bad) assert.throws(() => resolveTrainConfig('quick', over), re, JSON.stringify(over));
  const c = resolveTrainConfig('quick', { generations: 160, starts: { count: 4, generations: 20 }, stages: [{ from: 81, maxSteps: 1000 }] });
  assert.deepEqual([20, 21, 80, 81, 82].map((g) => strategyGenerations(c, g)), [20, 1, 20, 1, 2], 'a stage right after the starts restarts around the continued center');
  // A saved config without the field had one start.
  const { starts: _s, ...old } = resolveTrainConfig('quick') as unknown as Record<string, unknown>;
  assert.equal(validateTrainConfig(old).starts, null);
});

test('plasticFrom: the static stage\'s center grown acts exactly as the static network', () => {
  const plastic = tiny('pf-act').policy;
  const stat = { ...(plastic as SnnPolicyConfigT), rule: 'none', modInputs: [] } as PolicyConfig;
  const config = { policy: plastic, plasticFrom: 3, init: null, seed: 1 };
  const params = Float64Array.from(initParams(stat, 27, 8, new Rng(9)));
  const grown = policyGenome(config, params);
  assert.equal(grown.length, createPolicy(plastic, 27, 8).numParams);
  const a = createPolicy(stat, 27, 8);
  const b = createPolicy(plastic, 27, 8);
  a.setParams(params);
  b.setParams(grown);
  const rng = new Rng(4);
  const obs = new Float32Array(27);
  for (let t = 0; t < 100; t++) {
    for (let i = 0; i < 27; i++) obs[i] = rng.normal();
    assert.deepEqual(Array.from(b.act(obs)), Array.from(a.act(obs)), `step ${t}`);
  }
  assert.ok(((b as SnnPolicy).plasticState(0).Hin as Float32Array).some((x) => x !== 0), 'the grown network is plastic (its traces move)');
});
