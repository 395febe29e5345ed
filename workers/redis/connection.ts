/**
 * The connection to Redis: address checks, connecting with a clear message when the address
 * or password is wrong, reconnecting for a while when the connection drops, and the server's
 * clock (trainers and workers time leases and heartbeats by it, so machines need not agree
 * on the time).
 */
import { Redis, type RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

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
export async function serverNow(r: Redis): Promise<number> {
  const [s, us] = await r.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}
