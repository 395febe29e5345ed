/**
 * The wire protocol between trainers and `propamine worker` processes on Redis: the keys,
 * the messages (encoded with core/codec.ts's binary form) and the timing constants.
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
import type { ChainableCommander } from 'ioredis';
import type { RolloutResult, RolloutTask } from '../types.ts';

/** Bumped when task or result messages change shape; workers refuse other versions. */
export const WIRE_VERSION = 2;


export const PREFIX = 'propamine';
export const K = {
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
export const KEY_TTL_MS = 3_600_000;
/** Deletes a lease only if this worker still holds it (a slow duplicate must not drop another's). */
export const DEL_IF_OWNER = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
/** A task whose worker vanishes this many times fails the call (it may be what kills them). */
export const MAX_LOST = 5;
/** A trainer or worker whose heartbeat is older than this is gone. */
export const HEARTBEAT_STALE_MS = 6_000;

/** What every task of one call shares: sent once per call as a blob. */
export interface SharedPart {
  center: Float64Array;
  scale: Float64Array | null;
  policy: RolloutTask['policy'];
  world: RolloutTask['world'];
  normalizer: RolloutTask['normalizer'];
  collectObsStats: boolean;
  batch?: number;
  freezeAtOnset?: boolean;
}
export interface TaskMessage {
  v: number;
  runId: string;
  call: string;
  generation: number;
  index: number;
  blob: string;
  members: RolloutTask['members'];
  episodes: RolloutTask['episodes'];
  /** How long the worker's lease lasts without renewal (ms). */
  lease: number;
}
export interface ResultMessage {
  v: number;
  runId: string;
  call: string;
  generation: number;
  index: number;
  worker: string;
  result?: RolloutResult;
  error?: string;
}

export function sharedOf(t: RolloutTask): SharedPart {
  return { center: t.center, scale: t.scale, policy: t.policy, world: t.world, normalizer: t.normalizer, collectObsStats: t.collectObsStats, ...(t.batch !== undefined ? { batch: t.batch } : {}), ...(t.freezeAtOnset ? { freezeAtOnset: true } : {}) };
}

/**
 * A pipeline or transaction whose replies are read by the name each command was queued
 * under, not by its position; a failed command throws.
 */
export class NamedReplies<N extends string = string> {
  private readonly names: N[] = [];
  constructor(private readonly batch: ChainableCommander) {}

  /** Queues a command under `name` (names must be unique in one batch). */
  add(name: N, queue: (b: ChainableCommander) => unknown): this {
    if (this.names.includes(name)) throw new Error(`two replies named ${name}`);
    this.names.push(name);
    queue(this.batch);
    return this;
  }

  async exec(): Promise<Map<N, unknown>> {
    const res = (await this.batch.exec()) ?? [];
    const out = new Map<N, unknown>();
    res.forEach(([err, value], i) => {
      if (err) throw err;
      out.set(this.names[i]!, value);
    });
    return out;
  }
}
