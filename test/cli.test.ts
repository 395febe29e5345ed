import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDigest } from '../envs/digest.ts';
import { main } from '../src/cli/main.ts';
import { loadPolicyFile, savePolicyFile } from '../src/train/policy-file.ts';
import { policyLayout } from '../policies/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'propamine-cli-'));
const MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');

/** main() in this process, with its output collected and the working directory at `tmp`. */
async function cliInProcess(...args: string[]) {
  let out = '';
  let err = '';
  const cwd = process.cwd();
  process.chdir(tmp);
  try {
    const code = await main(args, { out: (l) => void (out += l + '\n'), err: (l) => void (err += l + '\n') });
    return { code, out, err };
  } finally {
    process.chdir(cwd);
  }
}

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, ...args], { encoding: 'utf8', cwd: tmp, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('a reader that closes early (propamine eval RUN | true) does not crash the command on EPIPE', () => {
  const run = join(import.meta.dirname, '..', 'docs', 'runs', 'quick3', 'snn32-s1');
  const q = (x: string) => `'${x.replace(/'/g, `'\\''`)}'`;
  const cmd = [process.execPath, '--import', import.meta.resolve('tsx'), MAIN, 'eval', run, '--episodes', '1', '--max-steps', '20', '--workers', '0'].map(q).join(' ');
  // `true` exits at once, so every line the command writes meets a closed pipe.
  const r = spawnSync('bash', ['-c', `${cmd} | true; exit \${PIPESTATUS[0]}`], { encoding: 'utf8', cwd: tmp, timeout: 120_000 });
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
});

test('help is printed for the program and every command', () => {
  const top = cli('--help');
  assert.equal(top.code, 0);
  // No command at all is a mistake: the usage goes to stderr, with exit code 2.
  const none = cli();
  assert.equal(none.code, 2);
  assert.equal(none.out, '');
  assert.match(none.err, /^Usage: propamine <command>/);
  for (const c of ['train', 'learn', 'eval', 'stress', 'record', 'view', 'worker']) {
    assert.match(top.out, new RegExp(`\\n  ${c} `));
    const h = cli(c, '--help');
    assert.equal(h.code, 0, `${c} --help: ${h.err}`);
    assert.match(h.out, new RegExp(`Usage: propamine ${c}`));
  }
});

test('bad input gets one clear line naming the field, flag or file', async () => {
  const cases: [string[], RegExp][] = [
    [['train', '--pop', 'many'], /^propamine train: --pop must be a number \(got "many"\)\n$/],
    [['train', '--starts', '4'], /^propamine train: --starts must be COUNTxGENERATIONS, e\.g\. 4x20 \(got "4"\)\n$/],
    [['train', '--starts', '4x20'], /^propamine train: config\.starts: count × generations \(4 × 20 = 80\) must be less than config\.generations \(80\)/],
    [['train', '--strategy', 'hill-climb'], /strategy\.name must be one of openai-es, pgpe, snes, sep-cma-es/],
    [['train', '--rule', 'stdp'], /policy\.rule must be one of/],
    [['train', '--colour', 'red'], /Unknown option '--colour'/],
    [['train', '--conditions', 'nowhere.json'], /suite "nowhere.json" is neither a built-in suite/],
    [['eval', 'runs/missing'], /no such policy file or run directory: runs\/missing/],
    [['frobnicate'], /unknown command "frobnicate"\n/],
    [['trian'], /^propamine: unknown command "trian" \(did you mean train\?\)\n/],
    [['eval', 'p.json', '--episodes', '0'], /^propamine eval: --episodes must be a whole number >= 1 \(got 0\)\n$/],
    [['train', '--redis-wait', '0', '--backend', 'redis'], /^propamine train: --redis-wait must be a number of seconds > 0 \(got 0\)\n$/],
    [['train', '--backend', 'local', '--redis', 'redis://x:1'], /--redis and --redis-wait apply to --backend redis/],
    [['train', '--backend', 'redis', '--redis', 'http://x'], /--redis must start with redis:\/\/ or rediss:\/\//],
    [['worker', '--threads', '0'], /^propamine worker: --threads must be a whole number >= 1 \(got 0\)\n$/],
    [['worker', '--max-tasks', 'lots'], /--max-tasks must be a number \(got "lots"\)/],
    [['train', '--init-from', 'nowhere'], /^propamine train: --init-from \(config\.init\): nowhere does not exist \(give a run directory, a checkpoint in its checkpoints\/ folder, or a policy file\)\n$/],
    [['stress', 'p.json', '--suite', 'onset.json'], /onset\.json\.conditions\[0\]\.onset must be a range \[first, last\] with first <= last/],
    [['eval', 'p.json', '--condition', '{"gravity":1e999}'], /^propamine eval: --condition\.gravity must be a number in \[0, 5\] \(got Infinity\)\n$/],
    [['train', '--config', 'big.json'], /^propamine train: config\.seed must be a whole number in \[0, 4294967295\] \(got -Infinity\)\n$/],
    [['train', '--backend', 'redis', '--redis', 'redis://127.0.0.1:1', '--name', 'no-redis'], /^propamine train: cannot connect to Redis at redis:\/\/127\.0\.0\.1:1: connection refused/],
    [['learn', '--task', 'maze'], /^propamine learn: config\.task\.name must be one of cue-reward, pair-recall \(got "maze"\)\n$/],
    [['learn', '--rule', 'abcd'], /^propamine learn: config\.policy\.rule "abcd" has no differentiable form; gradient training takes none, hebb, oja, bcm\n$/],
    [['train', '--rule', 'abcd', '--rule-sharing', 'neuron'], /policy\.ruleSharing must be one of synapse, post, layer \(got "neuron"\)/],
    [['train', '--policy', 'static-snn', '--weights', 'random-per-episode'], /config\.policy\.rule must not be "none" with weights "random-per-episode" \(random weights need plastic synapses\)/],
    [['learn', '--hidden', '0'], /^propamine learn: config\.policy\.hidden\[0\] must be a positive integer \(got 0\)\n$/],
    [['learn', '--hidden', '8,8'], /config\.policy\.hidden must name exactly one layer for gradient training/],
    [['learn', '--batch', 'many'], /^propamine learn: --batch must be a number \(got "many"\)\n$/],
    [['learn', '--noise', 'loud'], /--noise must be a number \(a flip probability\) or gauss:SD \(got "loud"\)/],
    [['learn', '--config', 'nowhere.json'], /config file not found: nowhere\.json/],
    [['learn', '--eval', 'runs/missing'], /no such run directory or policy file: runs\/missing/],
    [['learn', '--resume', 'runs/missing'], /run directory not found: .*runs\/missing/],
    [['learn', '--eval', 'p.json'], /p\.json is not a propamine policy file/],
  ];
  writeFileSync(join(tmp, 'onset.json'), JSON.stringify({ name: 'late', conditions: [{ name: 'x', friction: 0.5, onset: [200, 100] }] }));
  writeFileSync(join(tmp, 'p.json'), '{}');
  writeFileSync(join(tmp, 'big.json'), '{"seed": -1e999}');
  for (const [args, re] of cases) {
    const r = await cliInProcess(...args);
    assert.equal(r.code, 2, `${args.join(' ')} exited ${r.code}: ${r.err}`);
    assert.match(r.err, re);
    assert.ok(!/\n\s+at /.test(r.err), `no stack trace for ${args.join(' ')}`);
  }
  // A run that never started leaves no directory behind (a later train --name no-redis starts afresh).
  assert.ok(!existsSync(join(tmp, 'runs', 'no-redis')));
  writeFileSync(join(tmp, 'suite.json'), JSON.stringify({ name: 's', conditions: [{ name: 'x', wobble: 1 }] }));
  const r = await cliInProcess('train', '--conditions', 'suite.json', '--generations', '1');
  assert.equal(r.code, 2);
  assert.match(r.err, /suite\.json\.conditions\[0\]\.wobble is not a known condition field/);
});

test('train, eval and record run end to end with a tiny budget', () => {
  // Plastic from generation 2, so the resume below continues across the switch from the static stage.
  const t = cli('train', '--name', 'smoke', '--generations', '2', '--plastic-from', '2', '--pop', '4', '--max-steps', '40', '--workers', '1', '--hidden', '8');
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /gen 2\/2 \[#+\] return mean/);
  const run = join(tmp, 'runs', 'smoke');
  for (const f of ['config.json', 'metrics.jsonl', 'best.json', 'checkpoints/latest.json', 'replays/index.json']) assert.ok(existsSync(join(run, f)), f);
  assert.equal(readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 2);
  const e = cli('eval', run, '--episodes', '2', '--max-steps', '30', '--workers', '0', '--json');
  assert.equal(e.code, 0, e.err);
  const report = JSON.parse(e.out);
  assert.equal(report.returns.length, 2);
  assert.deepEqual(report.steps, [30, 30]);
  assert.match(report.source, /^best\.json, generation \d+$/);
  const rec = cli('record', run, '--suite', 'tiny', '--max-steps', '20');
  assert.equal(rec.code, 0, rec.err);
  const index = JSON.parse(readFileSync(join(run, 'replays', 'index.json'), 'utf8'));
  assert.ok(index.replays.length >= 3);
  const again = cli('train', '--name', 'smoke', '--generations', '2');
  assert.equal(again.code, 2);
  assert.match(again.err, /already holds a run: continue it with --resume/);
  const resumed = cli('train', '--resume', run, '--generations', '3', '--workers', '1');
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.out, /resuming .* after generation 2, training to generation 3\n/);
  assert.equal(readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 3);
  // A NaN in the center's bytes (the digest rewritten to match): eval and train refuse it in one line and name the way on.
  const latest = join(run, 'checkpoints', 'latest.json');
  const cp = JSON.parse(readFileSync(latest, 'utf8'));
  const mean = new Float64Array(Buffer.from(cp.maximizer.core.mean.$f64, 'base64').buffer.slice(0));
  mean[0] = NaN;
  cp.maximizer.core.mean.$f64 = Buffer.from(mean.buffer).toString('base64');
  delete cp.digest;
  writeFileSync(latest, JSON.stringify(withDigest(cp)));
  for (const args of [['eval', run, '--checkpoint', '--episodes', '1', '--workers', '0'], ['train', '--resume', run, '--generations', '4']]) {
    const r = cli(...args);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.out, '');
    assert.match(r.err, /^propamine (eval|train): checkpoint \S+latest\.json is corrupt: maximizer: state\.core\.mean\[0\] is NaN \(must be finite\); the previous checkpoint \(after generation 2\) is intact: continue from it with propamine train --resume \S+previous\.json\n$/);
  }
  const fallback = cli('train', '--resume', join(run, 'checkpoints', 'previous.json'), '--generations', '3', '--workers', '1');
  assert.equal(fallback.code, 0, fallback.err);
  assert.match(fallback.out, /resuming .* from .*previous\.json after generation 2, training to generation 3\n/);
  // One episode has no interval (not "± NaN"); 64 workers for one episode is one thread, and says so.
  const e2 = cli('eval', run, '--checkpoint', '--episodes', '1', '--workers', '64', '--max-steps', '10');
  assert.equal(e2.code, 0, e2.err);
  assert.match(e2.out, /^1 episode: return -?\d+\.\d, forward distance -?\d+\.\d\d m \(n = 1, no interval\), mean speed /);
  assert.ok(!e2.out.includes('NaN'), e2.out);
  assert.match(e2.out, /\npolicy: \S+smoke, the latest checkpoint's center, generation \d+\n/);
  assert.match(e2.err, /^--workers 64 is more than (this machine's \d+ cores? and )?the 1 task that run at once: using 1 worker thread\n$/);
});

test('Ctrl-C finishes the generation, writes a checkpoint, and the run resumes from it', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, 'train', '--name', 'interrupted', '--generations', '200', '--pop', '4', '--max-steps', '40', '--workers', '1', '--hidden', '8'], { cwd: tmp });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const run = join(tmp, 'runs', 'interrupted');
  const metrics = join(run, 'metrics.jsonl');
  const deadline = Date.now() + 90_000;
  while (!(existsSync(metrics) && readFileSync(metrics, 'utf8').trim().split('\n').filter(Boolean).length >= 2)) {
    if (Date.now() > deadline) throw new Error('training produced no generations');
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 0, out);
  assert.match(out, /interrupt: finishing this generation/);
  const done = readFileSync(metrics, 'utf8').trim().split('\n').length;
  // One count everywhere: the last progress line, the stop message, metrics.jsonl and the checkpoint.
  assert.match(out, new RegExp(`gen +${done}/200 .*\\nstopped after generation ${done}; resume with: propamine train --resume`));
  const cp = JSON.parse(readFileSync(join(run, 'checkpoints', 'latest.json'), 'utf8'));
  assert.equal(cp.generation, done);
  const r = cli('train', '--resume', run, '--generations', String(done + 1), '--workers', '1');
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(metrics, 'utf8').trim().split('\n').length, done + 1);
});

test('learn trains with a tiny budget, stops on Ctrl-C, resumes, scores and plots; the ant commands refuse its policy', async () => {
  const { spawn } = await import('node:child_process');
  writeFileSync(join(tmp, 'tiny-learn.json'), JSON.stringify({ batch: 2, evalEvery: 2, evalSize: 8, checkpointEvery: 1, policy: { hidden: [8] }, task: { name: 'cue-reward', options: { cues: 2, bits: 4, delay: 1 } } }));
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, 'learn', '--config', 'tiny-learn.json', '--name', 'lrn', '--iterations', '100000'], { cwd: tmp });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const run = join(tmp, 'runs', 'lrn');
  const deadline = Date.now() + 60_000;
  while (!/iter +3\/100000 loss [0-9.]+ acc [0-9.]+ \| held-out [0-9.]+ \(best [0-9.]+ @ 2\) \| rate [0-9.]+ .* left/.test(out)) {
    if (Date.now() > deadline) throw new Error(`no progress lines: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(out, /gradients: hand-written BPTT \(Float32Array\)/);
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 0, out);
  assert.match(out, /stopped after iteration (\d+); resume with: propamine learn --resume/);
  const done = Number(/stopped after iteration (\d+)/.exec(out)![1]);
  const resumed = cli('learn', '--resume', run, '--iterations', String(done + 2));
  assert.equal(resumed.code, 0, resumed.err);
  assert.match(resumed.out, new RegExp(`resuming .* at iteration ${done} of ${done + 2}`));
  assert.equal(readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').length, done + 2);
  const changed = cli('learn', '--resume', run, '--lr', '0.1');
  assert.equal(changed.code, 2);
  assert.match(changed.err, /--resume keeps the run's config; only --iterations may change \(got a change of lr\)/);
  const score = cli('learn', '--eval', run, '--sequences', '16', '--noise', '0.1');
  assert.equal(score.code, 0, score.err);
  assert.match(score.out, /cue-reward with flip noise 0\.1\nheld-out: accuracy [0-9.]+.*\ntest \(16 fresh sequences\): accuracy [0-9.]+/);
  const plot = cli('learn', '--plot', run);
  assert.equal(plot.code, 0, plot.err);
  const html = readFileSync(join(run, 'learn.html'), 'utf8');
  for (const part of ['accuracy', 'spikes (8 neurons)', 'modulator M_t', 'mean |H_in|', '<svg']) assert.ok(html.includes(part), part);
  const ant = cli('eval', run, '--episodes', '1');
  assert.equal(ant.code, 2);
  assert.match(ant.err, /best\.json is a policy for 6 inputs and 1 outputs \(task cue-reward\), not the ant's 27 and 8; score it with propamine learn --eval\n$/);
});

test('stress --no-plasticity: every alpha at 0 on the same episodes, its own report and replays, no frozen copies; compared with the report as trained', async () => {
  const runs = join(import.meta.dirname, '..', 'docs', 'runs', 'quick3');
  const run = join(tmp, 'snn-np');
  cpSync(join(runs, 'snn32-s1'), run, { recursive: true });
  const suite = join(tmp, 'onset-suite.json');
  writeFileSync(suite, JSON.stringify({ name: 'struck', conditions: [{ name: 'nominal', onset: 20 }, { name: 'heavy', massScale: [{ target: 'front_left', factor: 3 }], onset: 20 }] }));
  const args = ['--suite', suite, '--episodes', '2', '--max-steps', '60', '--workers', '0'];
  const trained = await cliInProcess('stress', run, ...args);
  assert.equal(trained.code, 0, trained.err);
  const removed = await cliInProcess('stress', run, '--no-plasticity', ...args);
  assert.equal(removed.code, 0, removed.err);
  const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
  const a = read(join(run, 'stress', 'struck.json'));
  const b = read(join(run, 'stress-no-plasticity', 'struck.json'));
  assert.equal(b.policy, 'snn-np (no plasticity)');
  assert.match(b.source, /^best\.json.*, every alpha at 0$/);
  assert.deepEqual(b.episodeSeeds, a.episodeSeeds);
  // As trained, the onset condition has its frozen copy and index; without plasticity there is nothing to freeze.
  assert.ok(Array.isArray(a.conditions[1].adaptation));
  assert.equal(b.conditions[1].adaptation ?? null, null);
  assert.equal(b.conditions[1].frozen ?? null, null);
  assert.notDeepEqual(b.conditions[0].returns, a.conditions[0].returns);
  // The same as stressing the policy file with its alphas zeroed by hand.
  const p = loadPolicyFile(join(run, 'best.json'));
  const params = Float64Array.from(p.params);
  for (const s of policyLayout(p.policy, 27, 8)) if (/\.alpha_(in|rec)$/.test(s.name)) params.fill(0, s.offset, s.offset + s.length);
  const zeroed = join(tmp, 'np-alpha0.json');
  savePolicyFile(zeroed, { ...p, params });
  const byHand = await cliInProcess('stress', zeroed, ...args, '--out', join(tmp, 'np-byhand'));
  assert.equal(byHand.code, 0, byHand.err);
  assert.deepEqual(read(join(tmp, 'np-byhand', 'struck.json')).conditions.map((c: { returns: number[] }) => c.returns), b.conditions.map((c: { returns: number[] }) => c.returns));
  // Its replays beside, not over, those as trained.
  const index = read(join(run, 'replays', 'index.json')) as { replays: { file: string; label: string }[] };
  const labels = Object.fromEntries(index.replays.map((r) => [r.file, r.label]));
  assert.equal(labels['stress-struck-01.json'], 'stress struck: heavy');
  assert.equal(labels['stress-struck-no-plasticity-01.json'], 'stress struck (no plasticity): heavy');
  // Side by side.
  const cmp = await cliInProcess('stress', '--compare', join(run, 'stress', 'struck.json'), join(run, 'stress-no-plasticity', 'struck.json'));
  assert.equal(cmp.code, 0, cmp.err);
  assert.match(cmp.out, /snn-np \(no plasticity\)/);
  const refused = await cliInProcess('stress', join(runs, 'static-snn32-s1'), '--no-plasticity', ...args, '--out', join(tmp, 'np-static'));
  assert.equal(refused.code, 2);
  assert.match(refused.err, /--no-plasticity: .*static-snn32-s1: the policy has no plasticity to remove \(no alpha parameters\)/);
  const both = await cliInProcess('stress', '--compare', run, run, '--no-plasticity');
  assert.equal(both.code, 2);
  assert.match(both.err, /--compare reads reports already written and runs nothing: --no-plasticity is for running a stress test/);
});

test('eval --no-plasticity runs a plastic SNN with every alpha at 0; a network without plasticity is refused', async () => {
  const runs = join(import.meta.dirname, '..', 'docs', 'runs', 'quick3');
  const plastic = join(runs, 'snn32-s1', 'best.json');
  const args = ['--episodes', '2', '--max-steps', '60', '--workers', '0', '--json'];
  const removed = await cliInProcess('eval', plastic, '--no-plasticity', ...args);
  assert.equal(removed.code, 0, removed.err);
  const asTrained = JSON.parse((await cliInProcess('eval', plastic, ...args)).out);
  const r = JSON.parse(removed.out);
  assert.equal(r.plasticity, 'removed');
  // The same as the policy file with its alpha slices zeroed by hand, and not the network as trained.
  const p = loadPolicyFile(plastic);
  const params = Float64Array.from(p.params);
  const slices = policyLayout(p.policy, 27, 8).filter((s) => /\.alpha_(in|rec)$/.test(s.name));
  assert.equal(slices.length, 2);
  for (const s of slices) params.fill(0, s.offset, s.offset + s.length);
  const zeroed = join(tmp, 'alpha0.json');
  savePolicyFile(zeroed, { ...p, params });
  const byHand = JSON.parse((await cliInProcess('eval', zeroed, ...args)).out);
  assert.deepEqual(r.returns, byHand.returns);
  assert.notDeepEqual(r.returns, asTrained.returns);
  // A network whose alphas are all 0 already says that nothing was removed.
  const none = await cliInProcess('eval', zeroed, '--no-plasticity', ...args);
  assert.equal(JSON.parse(none.out).plasticity, 'already-zero');
  assert.deepEqual(JSON.parse(none.out).returns, byHand.returns);
  for (const other of ['static-snn32-s1', 'mlp-s1']) {
    const refused = await cliInProcess('eval', join(runs, other), '--no-plasticity', ...args);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /--no-plasticity: .*: the policy has no plasticity to remove \(no alpha parameters\)/);
  }
});
