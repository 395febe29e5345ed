/**
 * Rollouts across machines through Redis (ioredis). The trainer publishes each batch of
 * tasks and collects their results; `propamine worker` processes on any number of machines
 * take tasks and run them on their local piscina pool.
 *
 * Keys (prefix `propamine`):
 *   runs                          ZSET  run id -> trainer heartbeat (Redis server time, ms)
 *   workers                       ZSET  worker id -> worker heartbeat
 *   worker:<id>                   HASH  host, pid, threads, tasks done (expires)
 *   run:<run>:blob:<sha256>       STRING  the payload tasks share (center, noise scale,
 *                                 policy, world, normalizer): sent once, not per task
 *   run:<run>:queue               LIST  task messages (small: members and episodes)
 *   run:<run>:call                STRING  the call being served (older tasks are dropped)
 *   run:<run>:lease:<call>:<i>    STRING  worker id, with a TTL the worker keeps renewing
 *   run:<run>:results:<call>      LIST  result messages
 *
 * A "call" is one `runAll` (a generation's training tasks, or its test tasks) and has a
 * fresh random id; results are accepted only when run id, call, generation and task index
 * all match a task still outstanding, so results of an earlier generation, of an earlier
 * trainer process, or of another run are discarded. A task whose lease lapses (its worker
 * died or lost its connection) and that is neither queued nor done is queued again; a
 * task's result is the same whoever computes it, so the generation's results equal a local
 * run's whatever the number, speed or failures of workers. Times come from the Redis
 * server's clock, so machines need not agree on the time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { Redis, type RedisOptions } from 'ioredis';
import { decode, encode } from '../core/codec.ts';
import { describeTask, RolloutPool, type RolloutBackend } from './pool.ts';
import type { RolloutResult, RolloutTask } from './types.ts';

/** Bumped when task or result messages change shape; workers refuse other versions. */
export const WIRE_VERSION = 1;
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const PREFIX = 'propamine';
const K = {
  runs: `${PREFIX}:runs`,
  workers: `${PREFIX}:workers`,
  worker: (id: string) => `${PREFIX}:worker:${id}`,
  blob: (run: string, h: string) => `${PREFIX}:run:${run}:blob:${h}`,
  queue: (run: string) => `${PREFIX}:run:${run}:queue`,
  call: (run: string) => `${PREFIX}:run:${run}:call`,
  lease: (run: string, call: string, i: number) => `${PREFIX}:run:${run}:lease:${call}:${i}`,
  results: (run: string, call: string) => `${PREFIX}:run:${run}:results:${call}`,
};
/** Keys of a run's tasks expire this long after their last use (a crashed trainer leaves no garbage). */
const KEY_TTL_MS = 3_600_000;
/** Deletes a lease only if this worker still holds it (a slow duplicate must not drop another's). */
const DEL_IF_OWNER = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
/** A task whose worker vanishes this many times fails the call (it may be what kills them). */
const MAX_LOST = 5;
/** A trainer or worker whose heartbeat is older than this is gone. */
const HEARTBEAT_STALE_MS = 6_000;

/** The address with its password masked, for messages. */
export function redisLabel(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--redis must be a URL such as redis://host:6379 or redis://:password@host:6379 (got "${url}")`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`--redis must start with redis:// or rediss:// (got "${redisLabel(url)}")`);
}

/** What went wrong talking to Redis, as a sentence a user can act on. */
export function explainRedisError(url: string, e: unknown): string {
  const err = e as Error & { code?: string };
  const msg = err?.message ?? String(e);
  const where = redisLabel(url);
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(msg)) {
    return `Redis at ${where} refused the credentials (${msg.split('\n')[0]}): give the password in the URL, redis://:PASSWORD@host:port`;
  }
  if (err?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) return `cannot connect to Redis at ${where}: connection refused (is redis-server running there?)`;
  if (err?.code === 'ENOTFOUND' || /ENOTFOUND|EAI_AGAIN/.test(msg)) return `cannot connect to Redis at ${where}: unknown host`;
  if (/ETIMEDOUT|timed out/i.test(msg)) return `cannot connect to Redis at ${where}: timed out`;
  return `Redis at ${where}: ${msg}`;
}

export interface ConnectOptions {
  /** After the first connection: how long to keep reconnecting before commands fail (ms). Infinity: forever. */
  reconnectForMs?: number;
  connectTimeoutMs?: number;
  name?: string;
}

/**
 * Connects, authenticates and pings. A wrong address or password rejects with a clear
 * message at once; a connection lost later is retried for `reconnectForMs`, during which
 * commands wait, and then fails every pending command.
 */
export async function connectRedis(url: string, o: ConnectOptions = {}): Promise<Redis> {
  checkUrl(url);
  const reconnectForMs = o.reconnectForMs ?? 60_000;
  let ready = false;
  let lostAt = 0;
  let lastError: unknown = null;
  const opts: RedisOptions = {
    lazyConnect: true,
    connectTimeout: o.connectTimeoutMs ?? 5_000,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    connectionName: o.name,
    retryStrategy: () => {
      if (!ready) return null;
      if (!lostAt) lostAt = Date.now();
      if (Date.now() - lostAt > reconnectForMs) return null;
      return 500;
    },
  };
  const r = new Redis(url, opts);
  r.on('error', (e) => {
    lastError = e;
  });
  r.on('ready', () => {
    lostAt = 0;
  });
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    r.disconnect();
    // The 'error' event carries the cause (ECONNREFUSED, WRONGPASS); the rejection may only say "Connection is closed".
    throw new Error(explainRedisError(url, lastError ?? e));
  }
  ready = true;
  return r;
}

/** Milliseconds on the Redis server's clock. */
async function serverNow(r: Redis): Promise<number> {
  const [s, us] = await r.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

/** What every task of one call shares: sent once per call as a blob. */
interface SharedPart {
  center: Float64Array;
  scale: Float64Array | null;
  policy: RolloutTask['policy'];
  world: RolloutTask['world'];
  normalizer: RolloutTask['normalizer'];
  collectObsStats: boolean;
  batch?: number;
}
interface TaskMessage {
  v: number;
  runId: string;
  call: string;
  generation: number;
  index: number;
  blob: string;
  members: RolloutTask['members'];
  episodes: RolloutTask['episodes'];
  fault?: RolloutTask['fault'];
  /** How long the worker's lease lasts without renewal (ms). */
  lease: number;
}
interface ResultMessage {
  v: number;
  runId: string;
  call: string;
  generation: number;
  index: number;
  worker: string;
  result?: RolloutResult;
  error?: string;
}

function sharedOf(t: RolloutTask): SharedPart {
  return { center: t.center, scale: t.scale, policy: t.policy, world: t.world, normalizer: t.normalizer, collectObsStats: t.collectObsStats, ...(t.batch !== undefined ? { batch: t.batch } : {}) };
}

export interface RedisBackendOptions {
  url: string;
  /** Fail a call when no worker has been alive for this long (ms). Default 120 s. */
  noWorkerTimeoutMs?: number;
  /** How long a worker's lease lasts without renewal (ms); default 10 s. Workers read it from the task. */
  leaseMs?: number;
  /** Attempts per task whose worker reports an error. Default 3. */
  maxAttempts?: number;
  log?: (line: string) => void;
}

interface Outstanding {
  task: RolloutTask;
  msg: Buffer;
  attempts: number;
  /** Times its lease lapsed (its worker died or vanished). */
  lost: number;
  missingSince: number;
  result: RolloutResult | null;
}

/** The trainer's side: a RolloutBackend whose tasks run on `propamine worker` processes. */
export class RedisBackend implements RolloutBackend {
  readonly url: string;
  private readonly noWorkerTimeoutMs: number;
  readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly log: (line: string) => void;
  /** Results discarded because they were not bound to an outstanding task (stale or foreign). */
  discarded = 0;
  /** Tasks queued again after their worker vanished. */
  requeued = 0;
  private callBlobs: string[] = [];

  private constructor(
    private readonly cmd: Redis,
    private readonly blocking: Redis,
    o: RedisBackendOptions,
  ) {
    this.url = o.url;
    this.noWorkerTimeoutMs = o.noWorkerTimeoutMs ?? 120_000;
    this.leaseMs = o.leaseMs ?? 10_000;
    this.maxAttempts = o.maxAttempts ?? 3;
    this.log = o.log ?? ((l) => process.stderr.write(l + '\n'));
  }

  static async connect(o: RedisBackendOptions): Promise<RedisBackend> {
    const cmd = await connectRedis(o.url, { name: 'propamine-trainer' });
    let blocking: Redis;
    try {
      blocking = await connectRedis(o.url, { name: 'propamine-trainer-wait' });
    } catch (e) {
      cmd.disconnect();
      throw e;
    }
    return new RedisBackend(cmd, blocking, o);
  }

  get description(): string {
    return `Redis at ${redisLabel(this.url)} (propamine worker processes)`;
  }

  async runAll(tasks: RolloutTask[]): Promise<RolloutResult[]> {
    if (tasks.length === 0) return [];
    const runId = tasks[0]!.runId;
    if (tasks.some((t) => t.runId !== runId)) throw new Error('one call to runAll must hold tasks of one run');
    const call = randomBytes(8).toString('hex');
    try {
      return await this.runCall(runId, call, tasks);
    } catch (e) {
      const err = e as Error;
      if (/Connection is closed|Reached the max retries|ECONNREFUSED|Stream isn't writeable/i.test(err.message)) {
        throw new Error(`lost the connection to Redis at ${redisLabel(this.url)} (${err.message}); the run can resume from its last checkpoint`);
      }
      throw e;
    } finally {
      // Nothing of this call is needed any more (a run's calls come one at a time); stale
      // results that arrive later expire, and workers drop its leftover duplicates.
      const end = this.cmd.multi().del(K.results(runId, call), K.queue(runId)).set(K.call(runId), `done:${call}`, 'PX', KEY_TTL_MS);
      if (this.callBlobs.length) end.del(...this.callBlobs);
      this.callBlobs = [];
      await end.exec().catch(() => {});
    }
  }

  private async runCall(runId: string, call: string, tasks: RolloutTask[]): Promise<RolloutResult[]> {
    // Shared parts are grouped by identity (the trainer passes the same arrays to every task).
    const blobs = new Map<string, Buffer>();
    const blobOf = new Map<RolloutTask, string>();
    const byIdentity: { part: SharedPart; small: string; hash: string }[] = [];
    for (const t of tasks) {
      const part = sharedOf(t);
      const small = JSON.stringify([part.policy, part.world, part.collectObsStats, part.batch ?? null]);
      let found = byIdentity.find((b) => b.part.center === part.center && b.part.scale === part.scale && b.part.normalizer === part.normalizer && b.small === small);
      if (!found) {
        const buf = encode(part);
        const hash = createHash('sha256').update(buf).digest('hex').slice(0, 32);
        blobs.set(hash, buf);
        found = { part, small, hash };
        byIdentity.push(found);
      }
      blobOf.set(t, found.hash);
    }
    const message = (task: RolloutTask): Buffer => {
      const m: TaskMessage = {
        v: WIRE_VERSION, runId, call, generation: task.generation, index: task.index, blob: blobOf.get(task)!,
        members: task.members, episodes: task.episodes, ...(task.fault ? { fault: task.fault } : {}), lease: this.leaseMs,
      };
      return encode(m);
    };
    const out: Outstanding[] = tasks.map((task) => ({ task, msg: message(task), attempts: 1, lost: 0, missingSince: 0, result: null }));
    const byIndex = new Map<number, Outstanding>();
    for (const o of out) {
      if (byIndex.has(o.task.index)) throw new Error(`two tasks with index ${o.task.index} in one call`);
      byIndex.set(o.task.index, o);
    }
    this.callBlobs = [...blobs.keys()].map((h) => K.blob(runId, h));
    const now0 = await serverNow(this.cmd);
    const pub = this.cmd.multi();
    pub.set(K.call(runId), call, 'PX', KEY_TTL_MS);
    for (const [h, buf] of blobs) pub.set(K.blob(runId, h), buf, 'PX', KEY_TTL_MS);
    for (const o of out) pub.rpush(K.queue(runId), o.msg);
    pub.pexpire(K.queue(runId), KEY_TTL_MS);
    pub.zadd(K.runs, now0, runId);
    await pub.exec();

    let pending = out.length;
    let lastCheck = Date.now();
    let noWorkersSince = 0;
    let warned = false;
    const resultsKey = K.results(runId, call);
    while (pending > 0) {
      const got = await this.blocking.blpopBuffer(resultsKey, 1);
      if (got) {
        pending -= this.accept(got[1], runId, call, byIndex);
        // Drain what else has arrived in one round trip.
        const more = pending > 0 ? ((await this.cmd.lpopBuffer(resultsKey, 256)) as unknown as Buffer[] | null) : null;
        for (const b of more ?? []) pending -= this.accept(b, runId, call, byIndex);
        if (pending === 0) break;
      }
      if (Date.now() - lastCheck < 1000) continue;
      lastCheck = Date.now();
      // Heartbeat, lost tasks, live workers.
      const now = await serverNow(this.cmd);
      const open = out.filter((o) => !o.result);
      const p = this.cmd.pipeline();
      p.zadd(K.runs, now, runId);
      p.zcount(K.workers, now - HEARTBEAT_STALE_MS, '+inf');
      for (const o of open) {
        p.exists(K.lease(runId, call, o.task.index));
        p.lpos(K.queue(runId), o.msg);
      }
      for (const h of blobs.keys()) p.exists(K.blob(runId, h));
      p.exists(K.call(runId));
      const res = (await p.exec())!.map(([err, v]) => {
        if (err) throw err;
        return v;
      });
      const live = Number(res[1]);
      const requeue = this.cmd.multi();
      let n = 0;
      for (const [i, o] of open.entries()) {
        const leased = Number(res[2 + 2 * i]) === 1;
        const queued = res[3 + 2 * i] !== null;
        if (leased || queued) {
          o.missingSince = 0;
        } else if (!o.missingSince) {
          o.missingSince = now;
        } else if (now - o.missingSince >= 1500) {
          o.missingSince = 0;
          if (++o.lost > MAX_LOST) throw new Error(`${describeTask(o.task)} lost its worker ${o.lost} times (workers died or lost their connection while running it)`);
          requeue.lpush(K.queue(runId), o.msg);
          this.requeued++;
          n++;
        }
      }
      for (const [j, [h, buf]] of [...blobs].entries()) {
        if (Number(res[2 + 2 * open.length + j]) !== 1) {
          // Redis lost it (restarted without persistence): publish it again.
          requeue.set(K.blob(runId, h), buf, 'PX', KEY_TTL_MS);
          n++;
        }
      }
      if (Number(res[2 + 2 * open.length + blobs.size]) !== 1) {
        requeue.set(K.call(runId), call, 'PX', KEY_TTL_MS);
        n++;
      }
      if (n) {
        requeue.pexpire(K.queue(runId), KEY_TTL_MS);
        await requeue.exec();
      }
      if (live > 0) {
        noWorkersSince = 0;
        continue;
      }
      if (!noWorkersSince) noWorkersSince = Date.now();
      const waited = Date.now() - noWorkersSince;
      if (!warned && waited >= 2000) {
        warned = true;
        this.log(`waiting for rollout workers on ${redisLabel(this.url)}: start one with  propamine worker --redis ${redisLabel(this.url)}`);
      }
      if (waited >= this.noWorkerTimeoutMs) {
        throw new Error(`no live rollout worker on ${redisLabel(this.url)} for ${Math.round(waited / 1000)} s (generation ${tasks[0]!.generation}: ${pending} of ${tasks.length} tasks unfinished); start workers with  propamine worker --redis URL`);
      }
    }
    return out.map((o) => o.result!).sort((a, b) => a.index - b.index);
  }

  /** Takes one result message; returns 1 when it completed an outstanding task. */
  private accept(buf: Buffer, runId: string, call: string, byIndex: Map<number, Outstanding>): number {
    let m: ResultMessage;
    try {
      m = decode<ResultMessage>(buf, 'result message');
    } catch {
      this.discarded++;
      return 0;
    }
    const o = byIndex.get(m.index);
    if (m.v !== WIRE_VERSION || m.runId !== runId || m.call !== call || !o || m.generation !== o.task.generation) {
      this.discarded++;
      return 0;
    }
    if (o.result) return 0; // a duplicate (the task was queued again while its first worker still ran)
    if (m.error !== undefined) {
      if (o.attempts >= this.maxAttempts) {
        throw new Error(`${describeTask(o.task)} failed ${o.attempts} times on rollout workers; last error (worker ${m.worker}): ${m.error}`);
      }
      o.attempts++;
      this.cmd.multi().lpush(K.queue(runId), o.msg).pexpire(K.queue(runId), KEY_TTL_MS).exec().catch(() => {
        // Lost with the connection: the next check finds the task neither queued nor leased and queues it again.
      });
      return 0;
    }
    const r = m.result;
    const cells = o.task.members.length * o.task.episodes.length;
    if (!r || r.index !== o.task.index || r.runId !== runId || r.generation !== o.task.generation || !(r.returns instanceof Float64Array) || r.returns.length !== cells || r.steps.length !== cells) {
      this.discarded++;
      return 0;
    }
    o.result = r;
    return 1;
  }

  async close(): Promise<void> {
    this.cmd.disconnect();
    this.blocking.disconnect();
  }

  /** Removes a run's queue and payloads (the trainer calls it when a run starts or ends). */
  async clearRun(runId: string): Promise<void> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.cmd.scan(cursor, 'MATCH', `${PREFIX}:run:${runId}:*`, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    if (keys.length) await this.cmd.del(...keys);
    await this.cmd.zrem(K.runs, runId);
  }
}

export interface WorkerOptions {
  url: string;
  /** Local worker threads (and tasks run at once). Default: one per core. */
  threads?: number;
  log?: (line: string) => void;
  /** Stop after this many tasks (for tests and benchmarks). */
  maxTasks?: number;
}

/**
 * `propamine worker`: takes tasks of any live run from Redis and runs them on a local
 * pool until `stop()`; a lost connection is retried for as long as the worker runs.
 */
export class RedisWorker {
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  tasksDone = 0;
  private stopping = false;
  private readonly pool: RolloutPool;
  private readonly threads: number;
  private readonly log: (line: string) => void;
  private readonly blobCache = new Map<string, Promise<SharedPart | null>>();
  private runsCache: { at: number; runs: string[] } = { at: 0, runs: [] };
  private heartbeat: NodeJS.Timeout | null = null;

  private constructor(
    private readonly o: WorkerOptions,
    private readonly cmd: Redis,
    private readonly slots: Redis[],
  ) {
    this.pool = new RolloutPool({ threads: o.threads });
    this.threads = this.pool.threads;
    this.log = o.log ?? ((l) => process.stdout.write(l + '\n'));
  }

  static async connect(o: WorkerOptions): Promise<RedisWorker> {
    const opts = { reconnectForMs: Infinity };
    const cmd = await connectRedis(o.url, { ...opts, name: 'propamine-worker' });
    const threads = o.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) {
      cmd.disconnect();
      throw new Error(`--threads must be a whole number >= 1 (got ${o.threads})`);
    }
    const slots: Redis[] = [];
    try {
      for (let i = 0; i < threads; i++) slots.push(await connectRedis(o.url, { ...opts, name: 'propamine-worker-take' }));
    } catch (e) {
      cmd.disconnect();
      for (const c of slots) c.disconnect();
      throw e;
    }
    return new RedisWorker({ ...o, threads }, cmd, slots);
  }

  get description(): string {
    return `worker ${this.id}: ${this.threads} thread${this.threads === 1 ? '' : 's'} on ${redisLabel(this.o.url)}`;
  }

  stop(): void {
    this.stopping = true;
  }

  private async beat(): Promise<void> {
    const now = await serverNow(this.cmd);
    await this.cmd
      .multi()
      .zadd(K.workers, now, this.id)
      .hset(K.worker(this.id), { host: hostname(), pid: process.pid, threads: this.threads, tasks: this.tasksDone })
      .pexpire(K.worker(this.id), HEARTBEAT_STALE_MS * 10)
      .zremrangebyscore(K.workers, '-inf', now - HEARTBEAT_STALE_MS * 10)
      .zremrangebyscore(K.runs, '-inf', now - KEY_TTL_MS)
      .exec();
  }

  private async activeQueues(): Promise<string[]> {
    if (Date.now() - this.runsCache.at > 1000) {
      const now = await serverNow(this.cmd);
      const runs = await this.cmd.zrangebyscore(K.runs, now - HEARTBEAT_STALE_MS * 10, '+inf');
      this.runsCache = { at: Date.now(), runs };
    }
    // Shuffled, so runs sharing workers are served alike.
    const q = this.runsCache.runs.map(K.queue);
    for (let i = q.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [q[i], q[j]] = [q[j]!, q[i]!];
    }
    return q;
  }

  /**
   * The task's shared payload, or 'stale' when its call is over, or 'missing' when Redis lost
   * it (restarted) while the run is alive, or what was wrong with a payload that does not
   * decode. Concurrent slots share one download per payload.
   */
  private async blob(m: TaskMessage): Promise<SharedPart | 'stale' | 'missing' | { undecodable: string }> {
    const [[, current], [, beat]] = (await this.cmd.multi().get(K.call(m.runId)).zscore(K.runs, m.runId).exec())! as [[unknown, string | null], [unknown, string | null]];
    if (current !== null && current !== m.call) return 'stale';
    if (current === null) return beat !== null && (await serverNow(this.cmd)) - Number(beat) < HEARTBEAT_STALE_MS * 10 ? 'missing' : 'stale';
    const key = `${m.runId}/${m.blob}`;
    let entry = this.blobCache.get(key);
    if (!entry) {
      entry = this.cmd.getBuffer(K.blob(m.runId, m.blob)).then((buf) => (buf ? decode<SharedPart>(buf, 'task payload') : null));
      this.blobCache.set(key, entry);
      while (this.blobCache.size > 8) this.blobCache.delete(this.blobCache.keys().next().value!);
    }
    let part: SharedPart | null;
    try {
      part = await entry;
    } catch (e) {
      this.blobCache.delete(key);
      if (/task payload/.test((e as Error).message)) return { undecodable: (e as Error).message };
      throw e;
    }
    if (!part) {
      this.blobCache.delete(key);
      return 'missing';
    }
    return part;
  }

  /** Runs until stop() (or maxTasks); resolves when every slot has finished its task. */
  async run(): Promise<void> {
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat().catch(() => {}), 1000);
    try {
      await Promise.all(this.slots.map((conn) => this.slot(conn)));
    } finally {
      clearInterval(this.heartbeat);
      await this.cmd.multi().zrem(K.workers, this.id).del(K.worker(this.id)).exec().catch(() => {});
      await this.pool.close();
      this.cmd.disconnect();
      for (const s of this.slots) s.disconnect();
    }
  }

  private async slot(conn: Redis): Promise<void> {
    while (!this.stopping && (this.o.maxTasks === undefined || this.tasksDone < this.o.maxTasks)) {
      let got: [Buffer, Buffer] | null;
      try {
        const queues = await this.activeQueues();
        if (queues.length === 0) {
          await new Promise((r) => setTimeout(r, 300));
          continue;
        }
        got = (await conn.blpopBuffer(...queues, 1)) as [Buffer, Buffer] | null;
      } catch (e) {
        this.log(`${explainRedisError(this.o.url, e)}; retrying`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (!got) continue;
      try {
        await this.handle(got[1]);
      } catch (e) {
        // A connection lost mid-task: the lease lapses and the trainer queues the task again.
        this.log(`${explainRedisError(this.o.url, e)}; the task in hand is left to others`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async handle(buf: Buffer): Promise<void> {
    let m: TaskMessage;
    try {
      m = decode<TaskMessage>(buf, 'task message');
    } catch (e) {
      this.log(`skipped a task: ${(e as Error).message}`);
      return;
    }
    const leaseMs = typeof m.lease === 'number' ? m.lease : 10_000; // a message of another format may lack it
    const leaseKey = K.lease(m.runId, m.call, m.index);
    await this.cmd.set(leaseKey, this.id, 'PX', leaseMs);
    const renew = setInterval(() => void this.cmd.set(leaseKey, this.id, 'PX', leaseMs).catch(() => {}), Math.max(100, leaseMs / 3));
    const reply: ResultMessage = { v: WIRE_VERSION, runId: m.runId, call: m.call, generation: m.generation, index: m.index, worker: this.id };
    try {
      if (m.v !== WIRE_VERSION) {
        reply.error = `this worker speaks task format ${WIRE_VERSION}, the task is format ${m.v}: run the same propamine version on trainer and workers`;
      } else {
        const part = await this.blob(m);
        if (part === 'stale') {
          await this.cmd.eval(DEL_IF_OWNER, 1, leaseKey, this.id); // a leftover of a finished call
          return;
        }
        if (part === 'missing') {
          // The payload is gone (Redis restarted): hand the task back; the trainer publishes it again.
          await this.cmd.multi().eval(DEL_IF_OWNER, 1, leaseKey, this.id).rpush(K.queue(m.runId), buf).pexpire(K.queue(m.runId), KEY_TTL_MS).exec();
          await new Promise((r) => setTimeout(r, 500));
          return;
        }
        if (typeof part === 'object' && 'undecodable' in part) {
          reply.error = part.undecodable; // the task's fault, not the connection's: reported, not retried here
        } else {
          const task: RolloutTask = { ...part, index: m.index, runId: m.runId, generation: m.generation, members: m.members, episodes: m.episodes, ...(m.fault ? { fault: m.fault } : {}) };
          try {
            const [result] = await this.pool.runAll([task]);
            reply.result = result!;
          } catch (e) {
            reply.error = (e as Error).message;
          }
        }
      }
      const resultsKey = K.results(m.runId, m.call);
      await this.cmd.multi().rpush(resultsKey, encode(reply)).pexpire(resultsKey, KEY_TTL_MS).eval(DEL_IF_OWNER, 1, leaseKey, this.id).exec();
      this.tasksDone++;
    } finally {
      clearInterval(renew);
    }
  }
}
