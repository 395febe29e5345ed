/**
 * The gradient trainer: a genome it trains runs in SnnPolicy with the same outputs over whole
 * sequences; the same seed gives the same run; a run stopped and resumed equals the run
 * straight through, bit for bit; best.json is a policy file with the task's sizes; tasks are
 * seeded data with fresh patterns and the noise they claim.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../core/rng.ts';
import { createPolicy, type SnnPolicy } from '../policies/index.ts';
import { createTask, validateTaskConfig } from '../envs/tasks/index.ts';
import { showPattern } from '../envs/tasks/task.ts';
import { resolveLearnConfig, type LearnConfig } from '../src/learn/config.ts';
import { JsEngine } from '../src/learn/engine.ts';
import { heldOutSet } from '../src/learn/learner.ts';
import { loadTrainedGenome } from '../src/learn/evaluate.ts';
import { loadPolicyFile } from '../src/train/policy-file.ts';
import { learnSession } from '../src/learn/session.ts';

const tmp = mkdtempSync(join(tmpdir(), 'propamine-learn-'));
const quiet = () => {};

function tiny(name: string, over: Record<string, unknown> = {}): LearnConfig {
  return resolveLearnConfig({}, {
    name, outDir: tmp, iterations: 6, batch: 4, evalEvery: 2, evalSize: 16, checkpointEvery: 1,
    policy: { hidden: [10], rule: 'oja', modulation: 'retroactive', substeps: 2 },
    task: { name: 'cue-reward', options: { cues: 3, bits: 5, delay: 2 } },
    ...over,
  });
}

test('a trained genome runs in SnnPolicy with the same outputs over whole sequences', async () => {
  for (const over of [{}, { policy: { hidden: [10], rule: 'bcm', modulation: 'simple', substeps: 3 }, task: { name: 'pair-recall', options: { pairs: 2, delay: 1 } } }, { policy: { hidden: [10], rule: 'none', substeps: 1 } }]) {
    // Strong inputs and plasticity, so that the comparison sees many spikes and a moving H.
    const init = { inputGain: 1.5, alphaRange: 0.5, bias: 0.1 };
    const out = await learnSession({ config: tiny(`policy-${JSON.stringify(over).length}`, { init, ...over }), log: quiet });
    const g = loadTrainedGenome(out.runDir);
    const file = loadPolicyFile(join(out.runDir, 'best.json'), { anyIo: true });
    const task = createTask(g.task);
    assert.deepEqual(file.io, { obsSize: task.inputSize, actSize: task.outputSize });
    const policy = createPolicy(file.policy, task.inputSize, task.outputSize) as SnnPolicy;
    policy.setParams(file.params);
    const engine = new JsEngine(out.learner.config, task);
    engine.bptt.setParams(g.params);
    let spikes = 0;
    for (const seq of heldOutSet(task, 8)) {
      const u = engine.bptt.forward(seq.input);
      policy.reset();
      for (let k = 0; k < task.steps; k++) {
        const a = policy.act(seq.input.subarray(k * task.inputSize, (k + 1) * task.inputSize));
        for (let j = 0; j < task.outputSize; j++) assert.equal(a[j], Math.fround(Math.tanh(u[k * task.outputSize + j])), `step ${k} output ${j}`);
      }
      spikes += engine.bptt.trace.s.reduce((n, s) => n + s.reduce((a, b) => a + b, 0), 0);
    }
    assert.ok(spikes > 200, `the network spiked (${spikes})`);
  }
});

test('same seed, same run; a stopped and resumed run equals the run straight through', async () => {
  const strip = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const { wallTime: _w, iterTime: _t, ...rest } = JSON.parse(l);
    return rest;
  });
  const a = await learnSession({ config: tiny('same-a'), log: quiet });
  const b = await learnSession({ config: tiny('same-b'), log: quiet });
  assert.deepEqual(strip(a.runDir), strip(b.runDir));
  assert.equal(strip(a.runDir).length, 6);
  const stopped = await learnSession({ config: tiny('stopped'), log: quiet, onRecord: (r, l) => { if (r.iteration === 2) l.requestStop(); } });
  assert.equal(stopped.status, 'stopped');
  assert.equal(strip(stopped.runDir).length, 3);
  const resumed = await learnSession({ resume: stopped.runDir, log: quiet });
  assert.equal(resumed.status, 'done');
  assert.deepEqual(strip(resumed.runDir), strip(a.runDir));
  assert.deepEqual(Array.from(resumed.learner.state.params), Array.from(a.learner.state.params));
  // The run's name differs (and with it the file's digest): everything else is the same.
  const bestOf = (dir: string) => readFileSync(join(dir, 'best.json'), 'utf8').replace(/"run":"[^"]*"/, '').replace(/"digest":"[^"]*"/, '');
  assert.deepEqual(bestOf(resumed.runDir), bestOf(a.runDir));
  const other = await learnSession({ config: tiny('seed-2', { seed: 2 }), log: quiet });
  assert.notDeepEqual(strip(other.runDir), strip(a.runDir));
});

test('a corrupt checkpoint, a train run and a config with a bad field are one error naming the path or field', async () => {
  const out = await learnSession({ config: tiny('corrupt', { iterations: 2 }), log: quiet });
  writeFileSync(join(out.runDir, 'checkpoints', 'latest.json'), '{"format":"propamine-learn-checkpoint","version":1,"state":{"iteration":1}}');
  await assert.rejects(learnSession({ resume: out.runDir, log: quiet }), /checkpoint .*latest\.json is corrupt: state\.params must be/);
  const trainRun = join(tmp, 'a-train-run');
  mkdirSync(join(trainRun, 'checkpoints'), { recursive: true });
  writeFileSync(join(trainRun, 'config.json'), '{"name":"a-train-run","generations":3}');
  await assert.rejects(learnSession({ resume: trainRun, log: quiet }), /a-train-run is not a propamine learn run/);
  assert.throws(() => tiny('x', { batch: 0 }), /config\.batch must be a whole number in \[1, 4096\] \(got 0\)/);
  assert.throws(() => tiny('x', { policy: { hidden: [8, 8] } }), /config\.policy\.hidden must name exactly one layer/);
  assert.throws(() => tiny('x', { task: { name: 'maze' } }), /config\.task\.name must be one of cue-reward, pair-recall \(got "maze"\)/);
  assert.throws(() => tiny('x', { task: { name: 'cue-reward', options: { cues: 1 } } }), /config\.task\.options\.cues must be a whole number in \[2, 32\] \(got 1\)/);
  assert.throws(() => tiny('x', { task: { name: 'cue-reward', noise: 0.7 } }), /config\.task\.noise must be a number in \[0, 0\.5\] for flip noise/);
});

test('tasks: seeded, fresh patterns every sequence, answers that follow from the sequence, the noise they claim', () => {
  for (const name of ['cue-reward', 'pair-recall']) {
    const task = createTask(validateTaskConfig({ name }));
    const a = task.sample(new Rng(7));
    assert.deepEqual(a, task.sample(new Rng(7)));
    assert.notDeepEqual(a.input, task.sample(new Rng(8)).input);
    assert.equal(a.input.length, task.steps * task.inputSize);
    assert.equal(a.scored.reduce((x, y) => x + y, 0), 1);
  }
  // cue-reward: the answer is +1 exactly when the query equals the cue shown with the reward.
  const cue = createTask(validateTaskConfig({ name: 'cue-reward', options: { cues: 3, bits: 6 } }));
  let positives = 0;
  for (let s = 0; s < 200; s++) {
    const q = cue.sample(new Rng(s));
    const row = (t: number) => Array.from(q.input.subarray(t * cue.inputSize, t * cue.inputSize + 6));
    const rewarded = [...Array(cue.steps).keys()].find((t) => q.input[t * cue.inputSize + 6] === 1)!;
    const same = row(rewarded).join() === row(cue.steps - 1).join();
    assert.equal(q.target[cue.steps - 1], same ? 1 : -1);
    assert.equal(q.input[(cue.steps - 1) * cue.inputSize + 7], 1, 'query flag');
    if (same) positives++;
  }
  assert.ok(positives > 70 && positives < 130, `${positives} positive queries of 200`);
  // Noise: flips that fraction of shown bits, or adds Gaussian noise of that deviation.
  const ones = new Float32Array(4000).fill(1);
  const row = new Float32Array(4000);
  const rng = new Rng(3);
  showPattern(row, 4000, 0, 0, ones, { kind: 'flip', level: 0.2 }, rng);
  const flipped = row.filter((v) => v === -1).length / 4000;
  assert.ok(Math.abs(flipped - 0.2) < 0.02 && row.every((v) => v === 1 || v === -1), `flip fraction ${flipped}`);
  showPattern(row, 4000, 0, 0, ones, { kind: 'gauss', level: 0.5 }, rng);
  const sd = Math.sqrt(row.reduce((a, v) => a + (v - 1) ** 2, 0) / 4000);
  assert.ok(Math.abs(sd - 0.5) < 0.03, `gauss sd ${sd}`);
  // Flags stay clean under noise.
  const noisy = createTask(validateTaskConfig({ name: 'pair-recall', noise: 0.4 }));
  const q = noisy.sample(new Rng(1));
  for (let t = 0; t < noisy.steps; t++) assert.ok([0, 1].includes(q.input[t * noisy.inputSize + noisy.inputSize - 1]), 'query flag');
});
