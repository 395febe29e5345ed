/**
 * The file formats' schemas: a bad field in a policy file, a suite file, a normalizer's state,
 * a metrics.jsonl line or a replay index is one error naming the file and the field; and the
 * files earlier versions wrote (the runs under docs/runs) still read as they did.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OBS_SIZE } from '../envs/ant-sim.ts';
import { createPolicy, initParams, validatePolicyConfig } from '../policies/index.ts';
import { Rng } from '../core/rng.ts';
import { parseIn } from '../core/schema.ts';
import { loadPolicyFile, savePolicyFile } from '../src/train/policy-file.ts';
import { ObsNormalizer } from '../src/train/normalizer.ts';
import { loadSuite } from '../src/suites.ts';
import { RunDir } from '../src/train/run-dir.ts';
import { ChartedRecordSchema } from '../src/train/metrics.ts';
import { LearnRecordSchema } from '../src/learn/learner.ts';
import { readReplayIndex } from '../src/replays.ts';
import { readLearnConfig } from '../src/learn/run-dir.ts';
import { validateTaskConfig } from '../envs/tasks/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'propamine-formats-'));

/** Writes `value` as JSON to a file in the temporary folder; returns its path. */
function file(name: string, value: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

const policy = validatePolicyConfig({ type: 'mlp', hidden: [4] });

/** A policy file as savePolicyFile writes it (without its digest, as earlier versions wrote them), changed by `edit`. */
function policyFile(name: string, edit: (j: any) => void = () => {}): string {
  const path = join(tmp, name);
  const normalizer = { mean: new Float64Array(OBS_SIZE), std: new Float64Array(OBS_SIZE).fill(1), clip: 5 };
  savePolicyFile(path, { policy, params: Float64Array.from(initParams(policy, OBS_SIZE, 8, new Rng(1))), normalizer, meta: { run: 'r', generation: 4, testReturn: 1.5 } });
  const { digest: _, ...j } = JSON.parse(readFileSync(path, 'utf8'));
  edit(j);
  return file(name, j);
}

test('a bad field in a policy file (best.json, init.json) is one error naming the file and the field', () => {
  const ok = loadPolicyFile(policyFile('ok.json'));
  assert.deepEqual(ok.meta, { run: 'r', generation: 4, testReturn: 1.5 });
  assert.equal(ok.normalizer!.clip, 5);
  const refused = (name: string, edit: (j: any) => void, message: string) => {
    const path = policyFile(name, edit);
    assert.throws(() => loadPolicyFile(path), (e: Error) => e.message === `${path}: ${message}`);
  };
  const n = ok.params.length;
  refused('params.json', (j) => j.params.pop(), `params must be ${n} numbers for this policy (got ${n - 1})`);
  refused('param.json', (j) => (j.params[3] = 'x'), 'params[3] must be a finite number (got "x")');
  refused('policy.json', (j) => (j.policy.hidden = [0]), 'policy.hidden[0] must be a positive integer (got 0)');
  refused('io.json', (j) => (j.io = { obsSize: 0, actSize: 8 }), 'io.obsSize must be a whole number in [1, 65536] (got 0)');
  refused('mean.json', (j) => delete j.normalizer.mean, `normalizer.mean must be ${OBS_SIZE} numbers (got nothing)`);
  refused('clip.json', (j) => (j.normalizer.clip = 0), 'normalizer.clip must be a number > 0 (got 0)');
  refused('meta.json', (j) => (j.meta.generation = 'last'), 'meta.generation must be a whole number in [0, 9007199254740991] (got "last")');
  refused('state.json', (j) => (j.meta.normalizerState = { count: 3, sum: new Array(OBS_SIZE).fill(0), sumSq: new Array(OBS_SIZE).fill(-1) }), 'meta.normalizerState.sumSq[0] must be a finite number >= 0 (got -1)');
  // Version 1 counted generations from 0; a task policy's normalizer is not read.
  assert.equal(loadPolicyFile(policyFile('v1.json', (j) => (j.version = 1))).meta.generation, 5);
  const task = loadPolicyFile(policyFile('task.json', (j) => {
    j.io = { obsSize: 3, actSize: 1 };
    j.params = new Array(createPolicy(policy, 3, 1).numParams).fill(0.5);
    j.normalizer = 'not read';
  }), { anyIo: true });
  assert.equal(task.normalizer, null);
  assert.throws(() => loadPolicyFile(policyFile('format.json', (j) => (j.format = 'x'))), /is not a propamine policy file \(format "x"\)$/);
});

test('a bad field in a suite file is one error naming the file and the field', () => {
  const good = file('good.json', { name: 's', conditions: [{ gravity: 0.5 }, { name: 'slippery', friction: 0.3 }], weights: [1, 0] });
  assert.deepEqual(loadSuite(good), { name: 's', conditions: [{ gravity: 0.5, name: 'condition 0' }, { name: 'slippery', friction: 0.3 }], weights: [1, 0] });
  const path = join(tmp, 'bad.json');
  const refused = (value: unknown, message: string) => {
    file('bad.json', value);
    assert.throws(() => loadSuite(path), (e: Error) => e.message === `${path}${message}`);
  };
  refused({ name: 's', conditions: [{}, { gravity: -1 }] }, '.conditions[1].gravity must be a number in [0, 5] (got -1)');
  refused({ name: 's', conditions: [{ name: 'a' }, { name: 'a' }] }, '.conditions[1].name must be unique: "a" is also the name of conditions[0]');
  refused({ name: 's', conditions: [{}, {}], weights: [1] }, '.weights must be 2 numbers, one per condition (got 1)');
  refused({ name: 's', conditions: [{}, {}], weights: [1, -1] }, '.weights[1] must be a finite number >= 0 (got -1)');
  refused({ name: 's', conditions: [{}, {}], weights: [0, 0] }, '.weights must not all be zero');
  refused({ name: 's', conditions: [] }, '.conditions must be a non-empty list');
  refused({ conditions: [{}] }, '.name must be a non-empty string');
  refused({ name: 's', conditions: [{}], colour: 'red' }, '.colour is not a known suite field (known: name, description, conditions, weights)');
  refused([], ' must be an object with "name" and "conditions" (got [])');
  refused({ name: 's', conditions: [{ legLength: [{ leg: 'front_left', factor: 1.2 }], onset: 5 }] }, `.conditions[0].legLength[0].factor must be at most 1 with ${path}.conditions[0].onset: a shin can shorten mid-episode, not grow (got 1.2)`);
});

test("a bad field in a normalizer's saved state names it", () => {
  const state = { count: 10, sum: [1, 2, 3], sumSq: [1, 4, 9] };
  assert.deepEqual(ObsNormalizer.fromJSON(state, 3, 5).toJSON(), state);
  const refused = (change: Partial<typeof state> | null, message: string) => {
    assert.throws(() => ObsNormalizer.fromJSON(change && { ...state, ...change }, 3, 5, 'checkpoint.normalizer'), (e: Error) => e.message === `checkpoint.normalizer${message}`);
  };
  refused({ count: -1 }, '.count must be a whole number >= 0 (got -1)');
  refused({ count: 2.5 }, '.count must be a whole number >= 0 (got 2.5)');
  refused({ sum: [1, 2] }, '.sum must be 3 numbers (got 2)');
  refused({ sum: [1, null as never, 3] }, '.sum[1] must be a finite number (got null)');
  refused({ sumSq: [1, -4, 9] }, '.sumSq[1] must be a finite number >= 0 (got -4)');
  refused(null, ' must be an object with count, sum and sumSq (got null)');
});

test('a bad metrics.jsonl line is one error naming the file, the line and the field; a NaN written as null reads back as NaN', () => {
  const dir = join(tmp, 'run');
  mkdirSync(dir);
  const line = { generation: 1, returnMean: 1, returnMax: 2, returnMin: 0, returnStd: 0.5, distanceMean: 0.1, testReturn: null, testDistance: null, testFitness: null, bestTestReturn: null, steps: 10, totalSteps: 10, wallTime: 1, stepsPerSec: 10, overheadFraction: 0.1, limitWorst: 0, limitPast5Fraction: 0, strategy: { sigma: 0.1 } };
  const run = new RunDir(dir);
  const write = (...lines: object[]) => writeFileSync(run.metricsPath, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  write(line, { ...line, generation: 2, returnMean: null, strategy: { sigma: null } });
  const [a, b] = run.readMetrics();
  assert.deepEqual(a, line);
  assert.ok(Number.isNaN(b!.returnMean) && Number.isNaN(b!.strategy.sigma!));
  // Written back, it is the same line.
  run.writeMetrics([a!, b!]);
  assert.deepEqual(run.readMetrics()[1]!.generation, 2);
  write(line, { ...line, generation: 2, returnMax: 'high' });
  assert.throws(() => run.readMetrics(), (e: Error) => e.message === `${run.metricsPath} line 2: returnMax must be a number or null (got "high")`);
  write(line, { ...line, generation: 2, steps: undefined });
  assert.throws(() => run.readMetrics(), (e: Error) => e.message === `${run.metricsPath} line 2: steps must be a whole number in [0, 9007199254740991] (got nothing)`);
  // Lines of versions that counted from 0, and before testFitness and the joint-limit figures existed.
  const { testFitness: _t, limitWorst: _w, limitPast5Fraction: _p, ...old } = line;
  write({ ...old, generation: 0 }, { ...old, generation: 1 });
  assert.deepEqual(run.readMetrics().map((r) => [r.generation, 'testFitness' in r]), [[1, false], [2, false]]);
  // A learn run's lines have their own schema.
  write({ iteration: 0, loss: 1, taskLoss: 1, rateLoss: 0, accuracy: 0.5, rate: 0.1, gradNorm: 'big', lr: 0.01, evalAccuracy: null, evalLoss: null, wallTime: 1, iterTime: 1 });
  assert.throws(() => run.readMetrics(LearnRecordSchema), (e: Error) => e.message === `${run.metricsPath} line 1: gradNorm must be a number or null (got "big")`);
  // The viewer charts a line's generation and mean return, and the other charted fields when it has them.
  assert.deepEqual(parseIn(ChartedRecordSchema, { generation: 3, returnMean: 5, steps: 1 }, 'm line 1'), { generation: 3, returnMean: 5, returnMax: NaN, testReturn: null, testDistance: null });
  assert.throws(() => parseIn(ChartedRecordSchema, { generation: 3 }, 'm: line 1'), /^Error: m: line 1: returnMean must be a number or null \(got nothing\)$/);
});

test("a bad entry in a run's replay index names the file and the entry", () => {
  const dir = join(tmp, 'replays');
  mkdirSync(dir);
  const path = file(join('replays', 'index.json'), { version: 1, replays: [{ file: 'a.json', label: 'a' }, { label: 'b' }] });
  assert.throws(() => readReplayIndex(dir), (e: Error) => e.message === `replay index ${path}: replays[1].file must be a file name (got nothing)`);
  file(join('replays', 'index.json'), { version: 2, replays: [] });
  assert.throws(() => readReplayIndex(dir), (e: Error) => e.message === `replay index ${path}: version must be 1, the version this build reads (got 2)`);
});

test("a bad field in a learn run's task config names it", () => {
  assert.throws(() => validateTaskConfig({ name: 'cue-reward', options: { cues: 99 } }, 'meta.taskConfig'), /^Error: meta\.taskConfig\.options\.cues must be a whole number in \[2, 32\] \(got 99\)$/);
  assert.throws(() => validateTaskConfig({ name: 'cue-reward', options: { colours: 2 } }), /^Error: task\.options\.colours is not a known option of task cue-reward \(known: cues, bits, show, gap, delay, query\)$/);
  assert.throws(() => validateTaskConfig({ name: 'recall' }), /^Error: task\.name must be one of cue-reward, pair-recall \(got "recall"\)$/);
  assert.deepEqual(validateTaskConfig({ name: 'pair-recall', noise: 2, noiseKind: 'gauss', options: { pairs: 2 } }).options.pairs, 2);
});

test('the policy files, metrics and learn configs that earlier versions wrote (docs/runs) still read', () => {
  const files = execFileSync('git', ['ls-files', 'docs/runs'], { encoding: 'utf8' }).trim().split('\n');
  const policies = files.filter((f) => /\/(best|init)\.json$/.test(f));
  const metrics = files.filter((f) => f.endsWith('/metrics.jsonl'));
  const learnRuns = files.filter((f) => f.startsWith('docs/runs/learn/') && f.endsWith('/config.json'));
  assert.ok(policies.length > 100 && metrics.length > 10 && learnRuns.length > 10);
  for (const f of policies) loadPolicyFile(f, { anyIo: true });
  for (const f of learnRuns) readLearnConfig(new RunDir(join(f, '..')));
  for (const f of metrics) {
    const records = new RunDir(join(f, '..')).readMetrics();
    assert.ok(records.length > 0 && records[0]!.generation === 1, f);
  }
});
