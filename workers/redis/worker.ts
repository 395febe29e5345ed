/**
 * The worker's side of the Redis backend (`propamine worker`): takes tasks of any live run,
 * runs them on a local piscina pool under a lease it keeps renewing, and pushes the results
 * (protocol.ts has the keys and messages).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { decode, encode } from '../../core/codec.ts';
import { RolloutPool } from '../pool.ts';
import type { RolloutTask } from '../types.ts';
import { connectRedis, explainRedisError, redisLabel, serverNow } from './connection.ts';
import { DEL_IF_OWNER, HEARTBEAT_STALE_MS, K, KEY_TTL_MS, NamedReplies, WIRE_VERSION, type ResultMessage, type SharedPart, type TaskMessage } from './protocol.ts';

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
    const reply = await new NamedReplies(this.cmd.multi())
      .add('call', (t) => t.get(K.call(m.runId)))
      .add('heartbeat', (t) => t.zscore(K.runs, m.runId))
      .exec();
    const current = reply.get('call') as string | null;
    const beat = reply.get('heartbeat') as string | null;
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
          const task: RolloutTask = { ...part, index: m.index, runId: m.runId, generation: m.generation, members: m.members, episodes: m.episodes };
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
