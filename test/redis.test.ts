/**
 * The Redis backend against a private redis-server and real `propamine worker` processes:
 * identical results to a local run, a worker killed mid-generation, foreign or stale results,
 * no workers, Redis restarting, and clear errors for a wrong address or password.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { resolveTrainConfig, type TrainConfig } from '../src/train/config.ts';
import { train } from '../src/train/run.ts';
import { RunDir } from '../src/train/run-dir.ts';
import { RolloutPool } from '../workers/pool.ts';
import { RedisBackend, WIRE_VERSION, connectRedis } from '../workers/redis.ts';
import { decode, encode } from '../core/codec.ts';
import { createPolicy, initParams } from '../policies/index.ts';
import { Rng } from '../core/rng.ts';
import { BUILTIN_SUITES } from '../envs/suites.ts';
import type { RolloutTask } from '../workers/types.ts';
import { freePort, haveRedis, startRedis, startWorker, type RedisServer, type WorkerProc } from './helpers/redis.ts';

const tmp = mkdtempSync(join(tmpdir(), 'propamine-redis-'));
const quiet = () => {};
// CI requires the server (.ci/run installs it); elsewhere the tests say why they are skipped.
const skip = haveRedis || process.env.PROPAMINE_REQUIRE_REDIS ? false : 'redis-server is not installed (apt-get install redis-server)';
const MAIN = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');

const servers: RedisServer[] = [];
const workers: WorkerProc[] = [];
after(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(servers.map((s) => s.stop()));
});
async function server(o: { port?: number; password?: string } = {}) {
  const s = await startRedis(o);
  servers.push(s);
  return s;
}
function worker(url: string, threads = 1) {
  const w = startWorker(url, threads);
  workers.push(w);
  return w;
}

function tiny(name: string, over: Record<string, unknown> = {}): TrainConfig {
  return resolveTrainConfig('quick', { outDir: tmp, name, generations: 4, maxSteps: 60, testEvery: 2, testEpisodes: 1, replayEvery: 0, episodesPerMember: 2, membersPerTask: 2, strategy: { name: 'openai-es', popSize: 8, sigma: 0.05, lr: 0.03 }, policy: { type: 'snn', hidden: [16] }, plasticFrom: 3, ...over });
}
function deterministic(runDir: string) {
  return new RunDir(runDir).readMetrics().map(({ wallTime: _w, stepsPerSec: _s, overheadFraction: _o, ...rest }) => rest);
}
let localMetrics: ReturnType<typeof deterministic> | null = null;
async function local() {
  if (!localMetrics) localMetrics = deterministic((await train({ config: tiny('local', { workers: 0 }), quiet: true, log: quiet })).runDir);
  return localMetrics;
}

function sampleTasks(n: number, runId = 'run-a', generation = 3): RolloutTask[] {
  const policy = { type: 'mlp', hidden: [4] } as never;
  const center = Float64Array.from({ length: createPolicy(policy, 27, 8).numParams }, (_, i) => Math.sin(i) * 0.3);
  const scale = new Float64Array(center.length).fill(0.05);
  const condition = BUILTIN_SUITES.nominal!.conditions[0]!;
  return Array.from({ length: n }, (_, index) => ({
    index, runId, generation, center, scale, members: [{ seed: 100 + index, sign: 1 as const }, { seed: 100 + index, sign: -1 as const }],
    policy, world: { maxSteps: 40 }, episodes: [{ seed: 7, condition }], normalizer: null, collectObsStats: true,
  }));
}

test('the wire format carries typed arrays bit for bit and rejects truncated messages', () => {
  const v = { a: Float64Array.from([Math.PI, -0, 1e-300, NaN]), b: Int32Array.from([1, -2]), c: { n: 3, s: 'x', inf: -Infinity, nz: -0 }, d: new Float32Array(3).fill(0.1) };
  const back = decode<typeof v>(encode(v));
  assert.deepEqual(back, v);
  assert.ok(Object.is(back.a[1], -0));
  assert.ok(Object.is(back.c.nz, -0));
  assert.throws(() => decode(encode(v).subarray(0, 30), 'result message'), /result message is (truncated|not a valid message)/);
});

test('a run on Redis with two worker processes has the metrics of a local run', { skip }, async () => {
  const s = await server();
  worker(s.url);
  worker(s.url);
  const ids = await Promise.all(workers.slice(-2).map((w) => w.id));
  const run = await train({ config: tiny('redis-2w'), quiet: true, log: quiet, backend: { kind: 'redis', url: s.url } });
  assert.deepEqual(deterministic(run.runDir), await local());
  const r = await connectRedis(s.url);
  // The run removed its keys when it finished, and both workers took part.
  assert.deepEqual(await r.keys('propamine:run:*'), []);
  await new Promise((res) => setTimeout(res, 1300)); // a heartbeat publishes each worker's task count
  for (const id of ids) assert.ok(Number(await r.hget(`propamine:worker:${id}`, 'tasks')) > 0, `worker ${id} ran no task`);
  r.disconnect();
});

test('a worker killed mid-generation loses nothing: its task goes to another worker and results are identical', { skip }, async () => {
  const s = await server();
  const a = worker(s.url);
  const aId = await a.id;
  const spy = await connectRedis(s.url);
  let backend: RedisBackend | null = null;
  const running = train({ config: tiny('redis-kill', { maxSteps: 120 }), quiet: true, log: quiet, backend: { kind: 'redis', url: s.url, leaseMs: 800 }, onTrainer: (t) => (backend = t.backend as RedisBackend) });
  // Wait until worker A holds a lease in the second generation, then kill it.
  let killed = false;
  for (let i = 0; i < 2000 && !killed; i++) {
    const leases = await spy.keys('propamine:run:*:lease:*');
    for (const k of leases) {
      if ((await spy.get(k)) === aId) {
        const metrics = new RunDir(join(tmp, 'redis-kill')).readMetrics();
        if (metrics.length >= 1) {
          await a.stop('SIGKILL');
          killed = true;
          break;
        }
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(killed, 'worker A never held a lease');
  worker(s.url);
  const run = await running;
  spy.disconnect();
  assert.ok(backend!.requeued >= 1, 'the killed worker\'s task was queued again');
  const expected = deterministic((await train({ config: tiny('local-kill', { maxSteps: 120, workers: 0 }), quiet: true, log: quiet })).runDir);
  assert.deepEqual(deterministic(run.runDir), expected);
});

test('results not bound to this run, call and generation are discarded', { skip }, async () => {
  const s = await server();
  const backend = await RedisBackend.connect({ url: s.url, log: quiet });
  const spy = await connectRedis(s.url);
  try {
    const tasks = sampleTasks(3);
    const pending = backend.runAll(tasks);
    let call: string | null = null;
    for (let i = 0; i < 200 && !call; i++) {
      call = await spy.get('propamine:run:run-a:call');
      if (!call) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(call);
    const key = `propamine:run:run-a:results:${call}`;
    const real = await new RolloutPool({ threads: 0 }).runAll(tasks);
    const forged = (over: Record<string, unknown>, result = real[0]!) => encode({ v: WIRE_VERSION, runId: 'run-a', call, generation: 3, index: 0, worker: 'intruder', result: { ...result, returns: result.returns.map(() => 1e6) }, ...over });
    await spy.rpush(key,
      forged({ runId: 'run-b' }), // another run
      forged({ generation: 2 }), // an earlier generation
      forged({ call: 'feedbeefcafe0000' }), // an earlier call (e.g. a previous trainer process)
      forged({ index: 9 }), // no such task
      forged({ v: WIRE_VERSION + 1 }),
      Buffer.from('garbage'),
    );
    worker(s.url);
    const got = await pending;
    assert.equal(backend.discarded, 6);
    assert.deepEqual(got.map((r) => Array.from(r.returns)), real.map((r) => Array.from(r.returns)));
  } finally {
    spy.disconnect();
    await backend.close();
  }
});

test('a task frozen at the onset (the adaptation objective) is frozen on a Redis worker as on a local one', { skip }, async () => {
  const s = await server();
  worker(s.url);
  const backend = await RedisBackend.connect({ url: s.url, log: quiet });
  try {
    const policy = tiny('x').policy;
    const center = Float64Array.from(initParams(policy, 27, 8, new Rng(5)));
    const condition = { name: 'disabled ankle_2', jointDamage: [{ joint: 'ankle_2' as const, mode: 'disabled' as const }], onset: 10 };
    const base: RolloutTask = { index: 0, runId: 'run-f', generation: 1, center, scale: null, members: [{ seed: 0, sign: 0 }], policy, world: { maxSteps: 60 }, episodes: [{ seed: 7, condition }], normalizer: null, collectObsStats: false };
    const tasks = [base, { ...base, index: 1, freezeAtOnset: true }];
    const remote = await backend.runAll(tasks);
    const here = await new RolloutPool({ threads: 0 }).runAll(tasks);
    assert.deepEqual(remote.map((r) => Array.from(r.onsetDistances)), here.map((r) => Array.from(r.onsetDistances)));
    assert.notDeepEqual(Array.from(here[1]!.onsetDistances), Array.from(here[0]!.onsetDistances), 'freezing changes the episode, so a dropped flag would show');
  } finally {
    await backend.close();
  }
});

test('a task that fails on every worker fails the call with the task named, after the stated attempts', { skip }, async () => {
  const s = await server();
  worker(s.url);
  const backend = await RedisBackend.connect({ url: s.url, log: quiet, maxAttempts: 3 });
  try {
    const [task] = sampleTasks(1);
    // A center of the wrong size fails wherever it runs.
    await assert.rejects(backend.runAll([{ ...task!, center: new Float64Array(3) }]), /task 0 of run run-a generation 3 .* failed 3 times on rollout workers; last error \(worker \S+\): .*task\.center has 3 numbers but the policy needs \d+/);
  } finally {
    await backend.close();
  }
});

test('with no live worker a call fails with a clear message instead of waiting forever', { skip }, async () => {
  const s = await server();
  const lines: string[] = [];
  const backend = await RedisBackend.connect({ url: s.url, noWorkerTimeoutMs: 2500, log: (l) => lines.push(l) });
  try {
    await assert.rejects(backend.runAll(sampleTasks(2)), /no live rollout worker on redis:\/\/127\.0\.0\.1:\d+ for \d+ s \(generation 3: 2 of 2 tasks unfinished\)/);
    assert.match(lines.join('\n'), /waiting for rollout workers/);
  } finally {
    await backend.close();
  }
});

test('a wrong address, a wrong password or a bad URL get one clear line', { skip }, async () => {
  const port = await freePort();
  await assert.rejects(connectRedis(`redis://127.0.0.1:${port}`), new RegExp(`cannot connect to Redis at redis://127.0.0.1:${port}: connection refused`));
  const s = await server({ password: 'sesame' });
  await assert.rejects(connectRedis(`redis://:wrong@127.0.0.1:${s.port}`), /Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ refused the credentials/);
  await assert.rejects(connectRedis(`redis://127.0.0.1:${s.port}`), /refused the credentials/);
  (await connectRedis(s.url)).disconnect();
  await assert.rejects(connectRedis('http://x'), /--redis must start with redis:\/\//);
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, ...args], { encoding: 'utf8', cwd: tmp, timeout: 60_000 });
  const w = cli('worker', '--redis', `redis://:wrong@127.0.0.1:${s.port}`);
  assert.equal(w.status, 2);
  assert.match(w.stderr, /^propamine worker: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ refused the credentials/);
  assert.doesNotMatch(w.stderr, /wrong|\n\s+at /);
  const t = cli('train', '--backend', 'redis', '--redis', `redis://127.0.0.1:${port}`, '--name', 'nope', '--out', tmp);
  assert.equal(t.status, 2);
  assert.match(t.stderr, /^propamine train: cannot connect to Redis at redis:\/\/127\.0\.0\.1:\d+: connection refused/);
  assert.match(cli('train', '--backend', 'carrier-pigeon').stderr, /--backend must be local or redis/);
});

test('training carries on when Redis restarts mid-run, with the same results', { skip }, async () => {
  const s = await server();
  worker(s.url);
  worker(s.url);
  const running = train({ config: tiny('redis-restart', { maxSteps: 120 }), quiet: true, log: quiet, backend: { kind: 'redis', url: s.url, leaseMs: 1000 } });
  for (let i = 0; i < 3000; i++) {
    if (new RunDir(join(tmp, 'redis-restart')).readMetrics().length >= 1) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await s.stop();
  await new Promise((r) => setTimeout(r, 1500));
  await server({ port: s.port });
  const run = await running;
  const expected = deterministic((await train({ config: tiny('local-restart', { maxSteps: 120, workers: 0 }), quiet: true, log: quiet })).runDir);
  assert.deepEqual(deterministic(run.runDir), expected);
});

test('a stale task left by an earlier trainer process is dropped, not run', { skip }, async () => {
  const s = await server();
  const spy = await connectRedis(s.url);
  const r = new Redis(s.url);
  try {
    const [sec] = await r.time();
    await r.zadd('propamine:runs', Number(sec) * 1000, 'run-z');
    await r.set('propamine:run:run-z:call', 'done:0000');
    await r.rpush('propamine:run:run-z:queue', encode({ v: WIRE_VERSION, runId: 'run-z', call: 'aaaa', generation: 0, index: 0, blob: 'none', members: [], episodes: [], lease: 1000 }));
    const w = worker(s.url);
    await w.id;
    for (let i = 0; i < 200 && (await r.llen('propamine:run:run-z:queue')) > 0; i++) await new Promise((res) => setTimeout(res, 20));
    await new Promise((res) => setTimeout(res, 300));
    // Taken, dropped: not put back, not answered, its lease released.
    assert.equal(await r.llen('propamine:run:run-z:queue'), 0);
    assert.deepEqual(await r.keys('propamine:run:run-z:results:*'), []);
    assert.deepEqual(await r.keys('propamine:run:run-z:lease:*'), []);
  } finally {
    spy.disconnect();
    r.disconnect();
  }
});
