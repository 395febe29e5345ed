/**
 * `propamine worker`: serves rollouts for trainers that use `--backend redis`, on this
 * machine's threads. Start as many as you like, on any machines, at any time.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_REDIS_URL, RedisWorker } from '../../workers/redis.ts';
import { CliError, type Command } from './command.ts';
import { num } from './flags.ts';

const HELP = `Usage: propamine worker [options]

Takes rollout tasks of every live training run from Redis and runs them on local worker
threads, until Ctrl-C (which finishes the tasks in hand; a second Ctrl-C quits at once and
the trainer hands those tasks to other workers). Workers may join and leave at any time.

Options:
  --redis URL       Redis address (default $PROPAMINE_REDIS or ${DEFAULT_REDIS_URL});
                    a password goes in the URL: redis://:PASSWORD@host:6379
  --threads N       worker threads, and tasks run at once (default: one per core)
  --max-tasks N     exit after N tasks
  --quiet           no line per 100 tasks
  -h, --help        this help

Example (trainer and two workers):
  propamine train --backend redis --redis redis://10.0.0.5:6379
  propamine worker --redis redis://10.0.0.5:6379 --threads 2`;

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run rollouts for trainers on Redis (--backend redis), on this machine',
  help: HELP,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: { redis: { type: 'string' }, threads: { type: 'string' }, 'max-tasks': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const threads = num(values.threads, 'threads');
    if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new CliError(`--threads must be a whole number >= 1 (got ${values.threads})`);
    const maxTasks = num(values['max-tasks'], 'max-tasks');
    if (maxTasks !== undefined && (!Number.isInteger(maxTasks) || maxTasks < 1)) throw new CliError(`--max-tasks must be a whole number >= 1 (got ${values['max-tasks']})`);
    const url = values.redis ?? process.env.PROPAMINE_REDIS ?? DEFAULT_REDIS_URL;
    const log = io.out;
    const worker = await RedisWorker.connect({ url, ...(threads !== undefined ? { threads } : {}), ...(maxTasks !== undefined ? { maxTasks } : {}), log });
    log(`${worker.description}: waiting for tasks (Ctrl-C to stop)`);
    let interrupts = 0;
    const onSignal = () => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      log('stopping: finishing the tasks in hand (Ctrl-C again to quit at once)');
      worker.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let shown = 0;
    const progress = values.quiet ? null : setInterval(() => {
      if (worker.tasksDone >= shown + 100) {
        shown = worker.tasksDone - (worker.tasksDone % 100);
        log(`${worker.tasksDone} tasks done`);
      }
    }, 2000);
    try {
      await worker.run();
    } finally {
      if (progress) clearInterval(progress);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    log(`stopped after ${worker.tasksDone} tasks`);
    return 0;
  },
};
