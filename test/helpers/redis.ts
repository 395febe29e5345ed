/**
 * Test helpers for the Redis backend: a private redis-server on a free loopback port, and
 * `propamine worker` processes run from the sources.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const REDIS_SERVER = process.env.PROPAMINE_REDIS_SERVER ?? 'redis-server';
export const haveRedis = spawnSync(REDIS_SERVER, ['--version']).status === 0;
const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface RedisServer { url: string; port: number; proc: ChildProcess; stop(): Promise<void> }

/** Starts redis-server (no persistence) and waits until it answers. */
export async function startRedis(o: { port?: number; password?: string } = {}): Promise<RedisServer> {
  const port = o.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (o.password) args.push('--requirepass', o.password);
  const proc = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
  const url = `redis://${o.password ? `:${o.password}@` : ''}127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const r = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      break;
    } catch {
      r.disconnect();
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  return {
    url, port, proc,
    stop: () => new Promise<void>((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return res();
      proc.once('exit', () => res());
      proc.kill('SIGKILL');
    }),
  };
}

export interface WorkerProc { proc: ChildProcess; output: () => string; id: Promise<string>; stop(signal?: NodeJS.Signals): Promise<void> }

/** A `propamine worker` process; `id` resolves to its worker id once it is serving. */
export function startWorker(url: string, threads = 1, extra: string[] = []): WorkerProc {
  const proc = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, 'worker', '--redis', url, '--threads', String(threads), '--quiet', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const id = new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /worker (\S+): \d+ threads? on/.exec(out);
      if (m) resolve(m[1]!);
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => reject(new Error(`worker exited (${code}) before serving: ${out}`)));
  });
  id.catch(() => {});
  return {
    proc, id, output: () => out,
    stop: (signal = 'SIGKILL') => new Promise<void>((res) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return res();
      proc.once('exit', () => res());
      proc.kill(signal);
    }),
  };
}
