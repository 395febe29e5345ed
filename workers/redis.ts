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
 *
 * redis/connection.ts connects; redis/protocol.ts holds the keys and messages;
 * redis/backend.ts is the trainer's side and redis/worker.ts the worker's.
 */
export { DEFAULT_REDIS_URL, connectRedis, explainRedisError, redisLabel, type ConnectOptions } from './redis/connection.ts';
export { WIRE_VERSION } from './redis/protocol.ts';
export { RedisBackend, type RedisBackendOptions } from './redis/backend.ts';
export { RedisWorker, type WorkerOptions } from './redis/worker.ts';
