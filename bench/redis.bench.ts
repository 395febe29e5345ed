/**
 * The Redis backend on this machine: training throughput with 1, 2 and 4 `propamine worker`
 * processes (one thread each) beside the local 2-thread pool, the round trip of an empty
 * task, the coordinator's cost per task (echo workers), and a projection for 100
 * machines from it. Starts its own redis-server. Prints figures; asserts nothing.
 *
 *   node --import tsx bench/redis.bench.ts [--generations 3] [--pop 32] [--max-steps 300]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTrainConfig, type TrainConfig } from '../src/train/config.ts';
import { Trainer } from '../src/train/trainer.ts';
import { RolloutPool, type RolloutBackend } from '../workers/pool.ts';
import { RedisBackend, WIRE_VERSION, connectRedis } from '../workers/redis.ts';
import { decode, encode } from '../core/codec.ts';
import { createPolicy } from '../policies/index.ts';
import { getBuiltinSuite } from '../envs/suites.ts';
import { startRedis, startWorker, type WorkerProc } from '../test/helpers/redis.ts';

const { values } = parseArgs({ options: { generations: { type: 'string', default: '3' }, pop: { type: 'string', default: '32' }, 'max-steps': { type: 'string', default: '300' }, policy: { type: 'string', default: 'snn' } } });
const out = mkdtempSync(join(tmpdir(), 'propamine-bench-'));
const redis = await startRedis();
const quiet = () => {};

function config(name: string, maxSteps: number, gens: number): TrainConfig {
  return resolveTrainConfig('quick', {
    outDir: out, name, workers: 2, generations: gens, maxSteps, testEvery: 0,
    strategy: { name: 'openai-es', popSize: Number(values.pop) }, policy: { type: values.policy },
  });
}

interface Measured { stepsPerSec: number; genWall: number; outsideRollouts: number; tasks: number }

/** Generations after a warm-up one. */
async function measure(backend: RolloutBackend, c: TrainConfig): Promise<Measured> {
  const t = new Trainer(c, getBuiltinSuite(c.conditions), backend, `bench-${Math.random().toString(16).slice(2, 8)}`);
  await t.step();
  let steps = 0, wall = 0, outside = 0;
  for (let g = 0; g < c.generations; g++) {
    const r = await t.step();
    const w = r.steps / r.stepsPerSec;
    steps += r.steps;
    wall += w;
    outside += r.overheadFraction * w;
  }
  return { stepsPerSec: steps / wall, genWall: wall / c.generations, outsideRollouts: outside / c.generations, tasks: Math.ceil(Number(c.strategy.popSize) / c.membersPerTask) };
}

async function echoCeiling(n: number, loops: number): Promise<{ perTaskMs: number; params: number }> {
  const c = config('echo', 1, 1);
  const params = createPolicy(c.policy, 27, 8).numParams;
  const center = new Float64Array(params);
  const backend = await RedisBackend.connect({ url: redis.url, log: quiet });
  const conns = await Promise.all(Array.from({ length: loops }, () => connectRedis(redis.url)));
  let stop = false;
  const cmd = await connectRedis(redis.url);
  const now = async () => Number((await cmd.time())[0]) * 1000;
  await cmd.zadd('propamine:workers', await now(), 'echo');
  const serve = conns.map(async (conn) => {
    while (!stop) {
      const got = await conn.blpopBuffer('propamine:run:echo-run:queue', 0.2);
      if (!got) continue;
      const m = decode<{ runId: string; call: string; generation: number; index: number; members: unknown[]; episodes: unknown[] }>(got[1]);
      const k = m.members.length * m.episodes.length;
      const result = { index: m.index, runId: m.runId, generation: m.generation, returns: new Float64Array(k), distances: new Float64Array(k), onsetDistances: new Float64Array(k), steps: new Int32Array(k), limitWorst: new Float64Array(k), limitPast5: new Int32Array(k), obsStats: null, timeMs: 0 };
      await conn.rpush(`propamine:run:${m.runId}:results:${m.call}`, encode({ v: WIRE_VERSION, runId: m.runId, call: m.call, generation: m.generation, index: m.index, worker: 'echo', result }));
    }
  });
  const condition = getBuiltinSuite('nominal').conditions[0]!;
  const tasks = Array.from({ length: n }, (_, index) => ({
    index, runId: 'echo-run', generation: 0, center, scale: center, members: [{ seed: index, sign: 1 as const }, { seed: index, sign: -1 as const }],
    policy: c.policy, world: { maxSteps: 1 }, episodes: [{ seed: 1, condition }], normalizer: null, collectObsStats: false,
  }));
  await backend.runAll(tasks); // warm-up
  const t0 = performance.now();
  const calls = 3;
  for (let i = 0; i < calls; i++) await backend.runAll(tasks);
  const perTaskMs = (performance.now() - t0) / (calls * n);
  stop = true;
  await Promise.all(serve);
  for (const x of conns) x.disconnect();
  cmd.disconnect();
  await backend.close();
  return { perTaskMs, params };
}

const gens = Number(values.generations);
const maxSteps = Number(values['max-steps']);
const lines: string[] = [];
const local = new RolloutPool({ threads: 2 });
const base = await measure(local, config('local', maxSteps, gens));
await local.close();
lines.push(`local pool, 2 threads:      ${base.stepsPerSec.toFixed(0)} control steps/s, ${base.genWall.toFixed(2)} s per generation`);

let workers: WorkerProc[] = [];
for (const n of [1, 2, 4]) {
  while (workers.length < n) workers.push(startWorker(redis.url, 1));
  await Promise.all(workers.map((w) => w.id));
  const backend = await RedisBackend.connect({ url: redis.url, log: quiet });
  const m = await measure(backend, config(`redis${n}`, maxSteps, gens));
  // Empty tasks (1 control step): what a task costs beyond its rollout.
  const empty = await measure(backend, { ...config(`empty${n}`, 1, 3), membersPerTask: 1 });
  await backend.close();
  const perTaskMs = (1000 * empty.genWall) / empty.tasks;
  lines.push(`redis, ${n} worker process${n > 1 ? 'es' : '  '}: ${m.stepsPerSec.toFixed(0)} control steps/s (${(m.stepsPerSec / base.stepsPerSec).toFixed(2)}x local), ${m.genWall.toFixed(2)} s per generation (${m.tasks} tasks), empty task round trip ${perTaskMs.toFixed(2)} ms`);
}
await Promise.all(workers.map((w) => w.stop('SIGTERM')));
workers = [];

// The coordinator's ceiling: echo workers answer every task at once with a result of the
// right shape, so the wall time per task is the trainer's and Redis's cost alone.
const echoTasks = 512;
const echo = await echoCeiling(echoTasks, 8);
await redis.stop();
lines.push(`coordinator ceiling (echo workers, ${echoTasks} tasks per call, center of ${echo.params} numbers): ${echo.perTaskMs.toFixed(3)} ms per task, ${(1000 / echo.perTaskMs).toFixed(0)} tasks/s`);

// Projection: each machine has 2 cores; a generation's rollouts spread over them, while the
// trainer handles every task's result in turn (the empty-task round trip with 4 workers
// bounds that serial cost from above).
const c = config('p', maxSteps, 1);
const tasksPerGen = Math.ceil(Number(c.strategy.popSize) / c.membersPerTask);
const taskSeconds = (base.genWall * 2) / tasksPerGen; // one task on one core
const serial = echo.perTaskMs / 1000;
lines.push('');
lines.push(`projection (pop ${Number(c.strategy.popSize)}, ${tasksPerGen} tasks of ${(taskSeconds * 1000).toFixed(0)} ms per generation; serial cost ${(serial * 1000).toFixed(2)} ms per task at the trainer):`);
for (const pop of [Number(c.strategy.popSize), 1024, 10_000]) {
  const tasks = Math.ceil(pop / c.membersPerTask);
  for (const machines of [1, 10, 100]) {
    const cores = 2 * machines;
    const gen = Math.ceil(tasks / cores) * taskSeconds + tasks * serial + base.outsideRollouts;
    const ideal = Math.ceil(tasks / cores) * taskSeconds;
    lines.push(`  pop ${String(pop).padStart(6)}, ${String(machines).padStart(3)} machines: ${gen.toFixed(2)} s per generation, ${((pop * maxSteps * c.episodesPerMember) / gen).toFixed(0)} control steps/s, efficiency ${((100 * ideal) / gen).toFixed(0)}%`);
  }
}
console.log(lines.join('\n'));
process.exit(0);
