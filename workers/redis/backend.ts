/**
 * The trainer's side of the Redis backend: a RolloutBackend that publishes each call's
 * tasks (their shared payload once, as a blob), collects the results bound to the tasks
 * still outstanding, queues again the tasks whose worker vanished, and fails a call with a
 * clear message when no worker is alive (protocol.ts has the keys and messages).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { decode, encode } from '../../core/codec.ts';
import { describeTask, type RolloutBackend } from '../pool.ts';
import type { RolloutResult, RolloutTask } from '../types.ts';
import { connectRedis, redisLabel, serverNow } from './connection.ts';
import { HEARTBEAT_STALE_MS, K, KEY_TTL_MS, MAX_LOST, NamedReplies, PREFIX, WIRE_VERSION, sharedOf, type ResultMessage, type SharedPart, type TaskMessage } from './protocol.ts';

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
      const small = JSON.stringify([part.policy, part.world, part.collectObsStats, part.batch ?? null, part.freezeAtOnset ?? false]);
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
        members: task.members, episodes: task.episodes, lease: this.leaseMs,
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
      const check = new NamedReplies(this.cmd.pipeline())
        .add('heartbeat', (p) => p.zadd(K.runs, now, runId))
        .add('live', (p) => p.zcount(K.workers, now - HEARTBEAT_STALE_MS, '+inf'));
      for (const o of open) {
        check.add(`leased:${o.task.index}`, (p) => p.exists(K.lease(runId, call, o.task.index)));
        check.add(`queued:${o.task.index}`, (p) => p.lpos(K.queue(runId), o.msg));
      }
      for (const h of blobs.keys()) check.add(`blob:${h}`, (p) => p.exists(K.blob(runId, h)));
      check.add('call', (p) => p.exists(K.call(runId)));
      const reply = await check.exec();
      const live = Number(reply.get('live'));
      const requeue = this.cmd.multi();
      let n = 0;
      for (const o of open) {
        const leased = Number(reply.get(`leased:${o.task.index}`)) === 1;
        const queued = reply.get(`queued:${o.task.index}`) !== null;
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
      for (const [h, buf] of blobs) {
        if (Number(reply.get(`blob:${h}`)) !== 1) {
          // Redis lost it (restarted without persistence): publish it again.
          requeue.set(K.blob(runId, h), buf, 'PX', KEY_TTL_MS);
          n++;
        }
      }
      if (Number(reply.get('call')) !== 1) {
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
