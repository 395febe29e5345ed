/**
 * `propamine train`: builds the config (preset <- --config file <- flags) and hands it to a
 * training run (src/train/run.ts), with Ctrl-C handled: the first finishes the current
 * generation, writes a checkpoint and exits; `--resume runs/x` continues.
 */
import { parseArgs } from 'node:util';
import { readJsonFile } from '../fsutil.ts';
import { resolveTrainConfig, type PresetName, type TrainConfig } from '../train/config.ts';
import { TrainingRun, type BackendChoice, type TrainOptions } from '../train/run.ts';
import { DEFAULT_REDIS_URL } from '../../workers/redis.ts';
import { loadInitialPolicy } from '../train/init-from.ts';
import { CliError, type Command } from './command.ts';
import { onInterrupt } from '../interrupt.ts';

const HELP = `Usage: propamine train [options]

Trains a controller for the Rapier ant with evolution strategies and writes a run
directory (config.json, metrics.jsonl, checkpoints/, best.json, replays/).

Options:
  --preset NAME        quick (default: visibly learns in minutes on 2 cores) or full
  --config FILE        a JSON config file (fields as in a run's config.json)
  --resume DIR|FILE    continue the run in DIR from its last checkpoint, or from a
                       checkpoint file in DIR/checkpoints/ (previous.json, when latest.json
                       was refused as damaged)
  --name NAME          run name (default: <preset>-<policy>-s<seed>)
  --out DIR            folder for run directories (default: runs)
  --seed N             master seed (default 1)
  --generations N      generations to train (a resumed run continues up to N)
  --workers N          local rollout worker threads (default 2; 0 = main thread; at most
                       one per core and per task of a generation)
  --backend NAME       local (default: worker threads here) or redis (propamine worker
                       processes on any machines; results are identical)
  --redis URL          Redis address for --backend redis (default $PROPAMINE_REDIS or
                       redis://127.0.0.1:6379; password: redis://:PASSWORD@host:port)
  --redis-wait SECONDS fail a generation when no worker is alive this long (default 120)
  --policy KIND        snn (plastic), static-snn or mlp
  --rule RULE          plasticity rule: hebb, oja, bcm, none
  --modulation MODE    neuromodulation: none, simple, retroactive
  --hidden SIZES       hidden layer sizes, e.g. 64 or 64,64
  --strategy NAME      openai-es (default), pgpe, snes, sep-cma-es
  --pop N              population size per generation
  --sigma X            sampling noise scale
  --lr X               learning rate
  --episodes N         episodes per member per generation
  --max-steps N        control steps per training episode (quick: 300, full: 1000)
  --conditions SUITE   training distribution: a built-in suite (train, train-damage, nominal, ...)
                       or a suite file
  --init-from PATH     start from a trained policy (a run directory's best center and its
                       observation statistics, or a policy file) instead of random
                       parameters; the policy flags default to the source's. The start is
                       kept as init.json in the new run (--init-from it to reproduce the run)
  --quiet              no per-generation lines
  -h, --help           this help

Examples:
  propamine train --preset quick
  propamine train --policy mlp --generations 100 --name mlp-a
  propamine train --resume runs/quick-snn-s1 --generations 120
  propamine train --init-from runs/quick-snn-s1 --conditions train-damage --name snn-damage
  propamine train --backend redis --redis redis://10.0.0.5:6379   # then: propamine worker --redis ...`;

const OPTIONS = {
  preset: { type: 'string' }, config: { type: 'string' }, resume: { type: 'string' }, name: { type: 'string' }, out: { type: 'string' },
  seed: { type: 'string' }, generations: { type: 'string' }, workers: { type: 'string' }, policy: { type: 'string' }, rule: { type: 'string' },
  modulation: { type: 'string' }, hidden: { type: 'string' }, strategy: { type: 'string' }, pop: { type: 'string' }, sigma: { type: 'string' },
  lr: { type: 'string' }, episodes: { type: 'string' }, 'max-steps': { type: 'string' }, conditions: { type: 'string' }, 'init-from': { type: 'string' },
  backend: { type: 'string' }, redis: { type: 'string' }, 'redis-wait': { type: 'string' },
  quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

export function backendFromFlags(v: { backend?: string; redis?: string; 'redis-wait'?: string }): BackendChoice {
  const kind = v.backend ?? (v.redis !== undefined ? 'redis' : 'local');
  if (kind === 'local') {
    if (v.redis !== undefined || v['redis-wait'] !== undefined) throw new CliError('--redis and --redis-wait apply to --backend redis');
    return { kind: 'local' };
  }
  if (kind !== 'redis') throw new CliError(`--backend must be local or redis (got "${kind}")`);
  const wait = num(v['redis-wait'], 'redis-wait');
  if (wait !== undefined && !(wait > 0)) throw new CliError(`--redis-wait must be a number of seconds > 0 (got ${v['redis-wait']})`);
  return { kind: 'redis', url: v.redis ?? process.env.PROPAMINE_REDIS ?? DEFAULT_REDIS_URL, ...(wait !== undefined ? { noWorkerTimeoutMs: wait * 1000 } : {}) };
}

export function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${flag} must be a number (got "${v}")`);
  return n;
}

/** Flags -> a partial config (only what was given). */
export function flagsToConfig(v: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const s = (k: string) => v[k] as string | undefined;
  if (s('name') !== undefined) o.name = s('name');
  if (s('out') !== undefined) o.outDir = s('out');
  if (s('seed') !== undefined) o.seed = num(s('seed'), 'seed');
  if (s('generations') !== undefined) o.generations = num(s('generations'), 'generations');
  if (s('workers') !== undefined) o.workers = num(s('workers'), 'workers');
  if (s('episodes') !== undefined) o.episodesPerMember = num(s('episodes'), 'episodes');
  if (s('max-steps') !== undefined) o.maxSteps = num(s('max-steps'), 'max-steps');
  if (s('conditions') !== undefined) o.conditions = s('conditions');
  if (s('init-from') !== undefined) o.init = s('init-from');
  const policy: Record<string, unknown> = {};
  const kind = s('policy');
  if (kind !== undefined) {
    if (kind === 'snn') policy.type = 'snn';
    else if (kind === 'static-snn') Object.assign(policy, { type: 'snn', rule: 'none' });
    else if (kind === 'mlp') policy.type = 'mlp';
    else throw new CliError(`--policy must be one of snn, static-snn, mlp (got "${kind}")`);
  }
  if (s('rule') !== undefined) policy.rule = s('rule');
  if (s('modulation') !== undefined) policy.modulation = s('modulation');
  if (s('hidden') !== undefined) policy.hidden = s('hidden')!.split(',').map((x) => num(x, 'hidden'));
  if (policy.type === 'mlp' && (policy.rule !== undefined || policy.modulation !== undefined)) throw new CliError('--rule and --modulation apply to --policy snn only');
  if (Object.keys(policy).length) o.policy = policy;
  const strategy: Record<string, unknown> = {};
  if (s('strategy') !== undefined) strategy.name = s('strategy');
  if (s('pop') !== undefined) strategy.popSize = num(s('pop'), 'pop');
  if (s('sigma') !== undefined) strategy.sigma = num(s('sigma'), 'sigma');
  if (s('lr') !== undefined) strategy.lr = num(s('lr'), 'lr');
  if (Object.keys(strategy).length) o.strategy = strategy;
  return o;
}

/** Trains with Ctrl-C handled: the first stops after the generation, a second quits at once. */
async function trainInterruptibly(opts: TrainOptions): Promise<void> {
  const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const run = await TrainingRun.open({ ...opts, log });
  const offInterrupt = onInterrupt(run, 'generation', log, () => run.abandon());
  try {
    await run.train();
  } finally {
    offInterrupt();
  }
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train a controller with evolution strategies (new run or --resume)',
  help: HELP,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const overrides = flagsToConfig(values);
    const backend = backendFromFlags(values);
    if (values.resume) {
      if (values.config || values.preset) throw new CliError('--resume continues a run with its saved config; drop --config and --preset');
      await trainInterruptibly({ resume: values.resume, overrides, quiet: values.quiet ?? false, backend });
      return 0;
    }
    const raw = values.config ? readJsonFile(values.config, 'config file') : {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CliError(`${values.config} must hold a JSON object`);
    // A run's config.json works as a config file; its digest belongs to that run's file, not to this config.
    const { digest: _digest, ...file } = raw as Record<string, unknown>;
    // Fine-tuning trains the source's policy unless the flags or the config file name one.
    const initPath = overrides.init ?? file.init;
    if (typeof initPath === 'string' && overrides.policy === undefined && file.policy === undefined) {
      try {
        overrides.policy = loadInitialPolicy(initPath, 5).policy;
      } catch (e) {
        throw new CliError(`--init-from (config.init): ${(e as Error).message}`);
      }
    }
    let config: TrainConfig;
    try {
      config = resolveTrainConfig((values.preset ?? 'quick') as PresetName, file, overrides);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    await trainInterruptibly({ config, quiet: values.quiet ?? false, backend });
    return 0;
  },
};

