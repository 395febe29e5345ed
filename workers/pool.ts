/**
 * The local rollout pool: piscina worker threads (default one per core), each holding its
 * own Rapier instance. A task that throws, or whose worker dies, is retried; a task that
 * keeps failing is reported with what it was. `threads: 0` runs tasks in this thread.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { Piscina } from 'piscina';
import { loadRapier } from '../envs/rapier.ts';
import { runRolloutTask } from './rollout.ts';
import type { RolloutResult, RolloutTask } from './types.ts';

export interface PoolOptions {
  /** Worker threads; 0 runs in the calling thread. Default: one per core. */
  threads?: number;
  /** Attempts per task before the generation fails. Default 3. */
  maxAttempts?: number;
  /** The worker threads' entry module (default: worker.ts; the tests wrap it to inject faults). It receives the task and its attempt number. */
  workerFile?: string;
}

/** Anything that evaluates a generation's tasks, in task order: the local pool, or a distributed one. */
export interface RolloutBackend {
  readonly description: string;
  runAll(tasks: RolloutTask[]): Promise<RolloutResult[]>;
  /** Drops what earlier processes of this run left behind (a distributed backend's queued tasks and results). */
  clearRun?(runId: string): Promise<void>;
  close(): Promise<void>;
}

function workerFile(): string {
  // From the compiled package the worker is worker.js; from sources a bootstrap registers tsx first.
  const js = fileURLToPath(new URL('./worker.js', import.meta.url));
  const source = fileURLToPath(new URL('./worker-source.mjs', import.meta.url));
  return import.meta.url.endsWith('.ts') && existsSync(source) ? source : js;
}

/**
 * Worker threads worth starting for `requested`: never more than the tasks that can run at
 * once, nor more than this machine's cores (rollouts keep a core busy each; more threads only
 * add switching and a Rapier instance apiece). `note` says why a request was cut, for the user.
 */
export function threadsFor(requested: number, tasksAtOnce: number, cores = availableParallelism()): { threads: number; note: string | null } {
  const threads = Math.min(requested, Math.max(1, tasksAtOnce), Math.max(1, cores));
  if (threads === requested) return { threads, note: null };
  const limits = [
    ...(threads === Math.max(1, cores) ? [`this machine's ${cores} core${cores === 1 ? '' : 's'}`] : []),
    ...(threads === Math.max(1, tasksAtOnce) ? [`the ${tasksAtOnce} task${tasksAtOnce === 1 ? '' : 's'} that run at once`] : []),
  ];
  return { threads, note: `--workers ${requested} is more than ${limits.join(' and ')}: using ${threads} worker thread${threads === 1 ? '' : 's'}` };
}

export function describeTask(t: RolloutTask): string {
  return `task ${t.index} of run ${t.runId} generation ${t.generation} (${t.members.length} members × ${t.episodes.length} episodes, episode seeds ${t.episodes.map((e) => e.seed).join(',')})`;
}

export class RolloutPool implements RolloutBackend {
  readonly threads: number;
  private readonly maxAttempts: number;
  private pool: Piscina | null = null;

  constructor(opts: PoolOptions = {}) {
    this.threads = opts.threads ?? availableParallelism();
    if (!Number.isInteger(this.threads) || this.threads < 0) throw new Error(`workers must be a whole number >= 0 (got ${opts.threads})`);
    this.maxAttempts = opts.maxAttempts ?? 3;
    if (this.threads > 0) {
      this.pool = new Piscina({ filename: opts.workerFile ?? workerFile(), minThreads: this.threads, maxThreads: this.threads, idleTimeout: 60_000 });
    }
  }

  get description(): string {
    return this.threads === 0 ? 'in-process' : `${this.threads} worker thread${this.threads === 1 ? '' : 's'}`;
  }

  private async runOne(task: RolloutTask): Promise<RolloutResult> {
    let lastError: unknown;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      try {
        if (!this.pool) return runRolloutTask(await loadRapier(), task);
        return (await this.pool.run({ ...task, attempt })) as RolloutResult;
      } catch (e) {
        lastError = e;
      }
    }
    const msg = lastError instanceof Error ? lastError.message : String(lastError);
    throw new Error(`${describeTask(task)} failed ${this.maxAttempts} times; last error: ${msg}`);
  }

  async runAll(tasks: RolloutTask[]): Promise<RolloutResult[]> {
    const results = await Promise.all(tasks.map((t) => this.runOne(t)));
    return results.sort((a, b) => a.index - b.index);
  }

  async close(): Promise<void> {
    if (this.pool) {
      await this.pool.destroy();
      this.pool = null;
    }
  }
}
