/**
 * A `--workers` argument of eval and stress: a local pool of at most one thread per core and
 * per task (threadsFor); a request that was cut is said on stderr, leaving stdout to results.
 */
import { RolloutPool, threadsFor } from '../../workers/pool.ts';
import { CliError, type CliIo } from './command.ts';
import { num } from './flags.ts';

export function poolForWorkers(flag: string | undefined, tasks: number, io: CliIo): RolloutPool {
  const requested = num(flag, 'workers') ?? 2;
  if (!Number.isInteger(requested) || requested < 0) throw new CliError(`--workers must be a whole number >= 0 (got ${flag})`);
  const { threads, note } = threadsFor(requested, tasks);
  if (note) io.err(note);
  return new RolloutPool({ threads });
}
