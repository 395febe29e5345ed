/**
 * `propamine train`: builds the config (preset <- --config file <- flags), creates or
 * resumes a run directory, and trains with a live line per generation. Ctrl-C finishes
 * the current generation, writes a checkpoint and exits; `--resume runs/x` continues.
 */
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readJsonFile } from '../fsutil.ts';
import { resolveTrainConfig, type PresetName, type TrainConfig } from '../train/config.ts';
import { RunDir } from '../train/run-dir.ts';
import type { Checkpoint } from '../train/checkpoint.ts';
import type { Suite } from '../../envs/suites.ts';
import { Trainer, testEpisodes, type GenerationRecord } from '../train/trainer.ts';
import { savePolicyFile } from '../train/policy-file.ts';
import { ObsNormalizer } from '../train/normalizer.ts';
import { loadSuite } from './suite-arg.ts';
import { RolloutPool, threadsFor, type RolloutBackend } from '../../workers/pool.ts';
import { DEFAULT_REDIS_URL, RedisBackend } from '../../workers/redis.ts';
import { recordEpisode } from '../../workers/record.ts';
import { loadRapier } from '../../envs/rapier.ts';
import { writeReplay } from '../replays.ts';
import { describePolicy, validatePolicyConfig } from '../../policies/index.ts';
import { loadInitialPolicy, saveInitialPolicy, type InitialPolicy } from '../train/init-from.ts';
import { OBS_SIZE, ACT_SIZE } from '../../envs/ant-sim.ts';
import { CliError, type Command } from './command.ts';
import { ProgressPrinter } from './progress.ts';
import { onInterrupt } from './interrupt.ts';

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

/** Where rollouts run: not part of a run's config (results do not depend on it), so a resumed run may switch. */
export type BackendChoice = { kind: 'local' } | { kind: 'redis'; url: string; noWorkerTimeoutMs?: number; leaseMs?: number };

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

/** The local pool gets at most one thread per core and per task that runs at once (see threadsFor). */
async function openBackend(choice: BackendChoice, workers: number, tasksAtOnce: number, log: (l: string) => void): Promise<RolloutBackend> {
  if (choice.kind === 'local') {
    const { threads, note } = threadsFor(workers, tasksAtOnce);
    if (note) log(note);
    return new RolloutPool({ threads });
  }
  return RedisBackend.connect({ url: choice.url, log, ...(choice.noWorkerTimeoutMs ? { noWorkerTimeoutMs: choice.noWorkerTimeoutMs } : {}), ...(choice.leaseMs ? { leaseMs: choice.leaseMs } : {}) });
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

/** The initial policy of `config.init`, which must be the policy the config trains. */
function loadInit(config: TrainConfig): InitialPolicy {
  let init: InitialPolicy;
  try {
    init = loadInitialPolicy(config.init!, config.obsClip);
  } catch (e) {
    throw new CliError(`--init-from (config.init): ${(e as Error).message}`);
  }
  if (!isDeepStrictEqual(validatePolicyConfig(init.policy), validatePolicyConfig(config.policy))) {
    throw new CliError(`--init-from (config.init): ${config.init} holds a ${describePolicy(init.policy)} policy, but the config trains a ${describePolicy(config.policy)}; drop the policy flags (or config.policy) to train the source's policy`);
  }
  return init;
}

export interface TrainOutcome { status: 'done' | 'stopped'; runDir: string; records: GenerationRecord[] }

/** What a run starts from, worked out before anything is written or any worker started. */
interface RunStart {
  dir: RunDir;
  config: TrainConfig;
  suite: Suite;
  /** The checkpoint a resumed run continues from, and its file; none for a run that starts at generation 1. */
  snap?: Checkpoint;
  checkpoint?: string;
  init?: InitialPolicy;
  /** Whether this start creates the run directory (and removes it again if no generation finishes). */
  isNew: boolean;
  /** A trainer in this thread for checks before any worker starts (the initial policy's size, tasks per generation). */
  probe: Trainer;
}

function prepareRun(opts: { config?: TrainConfig; resume?: string; overrides?: Record<string, unknown> }): RunStart {
  if (!opts.resume) {
    const config = opts.config!;
    const dir = RunDir.forNewRun(config);
    const suite = loadSuite(config.conditions);
    const init = config.init === null ? undefined : loadInit(config);
    return { dir, config, suite, ...(init ? { init } : {}), isNew: true, probe: probeFor(config, suite, init) };
  }
  const { dir, checkpoint } = RunDir.forResume(opts.resume);
  const saved = dir.readConfig();
  const allowed = new Set(['generations', 'workers']);
  for (const k of Object.keys(opts.overrides ?? {})) if (!allowed.has(k)) throw new CliError(`--resume keeps the run's config; only --generations and --workers may change (got a change of ${k})`);
  const config = { ...saved, ...(opts.overrides ?? {}) } as TrainConfig;
  const suite = loadSuite(config.conditions);
  if (checkpoint === dir.checkpointPath && !dir.hasCheckpoint() && !existsSync(dir.previousCheckpointPath)) {
    // No generation of this run ever finished (a directory left by an earlier version): start it now,
    // from the starting point it kept, if any.
    const initFile = join(dir.path, 'init.json');
    const init = config.init === null ? undefined : existsSync(initFile) ? loadInitialPolicy(initFile, config.obsClip) : loadInit(config);
    return { dir, config, suite, ...(init ? { init } : {}), isNew: false, probe: probeFor(config, suite, init) };
  }
  // Check the checkpoint before starting worker threads, so a bad one exits cleanly.
  const probe = probeFor(config, suite);
  const snap = dir.loadCheckpoint(config, (j) => probe.maximizer.restore(j), checkpoint);
  if (snap.generation >= config.generations) {
    throw new CliError(`${dir.path} is already trained to generation ${snap.generation}; to continue it, give --generations more than ${snap.generation}`);
  }
  return { dir, config, suite, snap, checkpoint, isNew: false, probe };
}

/** Checks that the initial policy fits the config (the constructor throws if not). */
function probeFor(config: TrainConfig, suite: Suite, init?: InitialPolicy): Trainer {
  return new Trainer(config, suite, new RolloutPool({ threads: 0 }), 'probe', undefined, init);
}

/** Trains (new or resumed) with the given config; used by the CLI and by tests. */
export async function train(opts: { config?: TrainConfig; resume?: string; overrides?: Record<string, unknown>; quiet?: boolean; backend?: BackendChoice; onTrainer?: (t: Trainer) => void; log?: (line: string) => void }): Promise<TrainOutcome> {
  const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const { dir, config, suite, snap, checkpoint, init, isNew, probe } = prepareRun(opts);
  const R = await loadRapier();
  const pool = await openBackend(opts.backend ?? { kind: 'local' }, config.workers, probe.tasksAtOnce(), log);
  let trainer: Trainer;
  let records: GenerationRecord[];
  try {
    if (snap) {
      trainer = new Trainer(config, suite, pool, snap.runId, snap);
      records = dir.readMetrics().filter((r) => r.generation <= snap.generation);
      dir.writeMetrics(records);
      const from = checkpoint === dir.checkpointPath ? '' : ` from ${checkpoint}`;
      log(`resuming ${dir.path}${from} after generation ${snap.generation}, training to generation ${config.generations}`);
      if (checkpoint !== dir.checkpointPath) {
        const aside = dir.setAsideLatest();
        if (aside) log(`the checkpoint it replaces is kept as ${aside}`);
      }
    } else {
      if (isNew) dir.writeStart(config);
      else dir.writeMetrics([]);
      if (init) saveInitialPolicy(join(dir.path, 'init.json'), init);
      trainer = new Trainer(config, suite, pool, `${basename(dir.path)}-${randomBytes(4).toString('hex')}`, undefined, init);
      records = [];
      log(`training ${describePolicy(config.policy, OBS_SIZE, ACT_SIZE)} (${trainer.numParams} parameters) with ${config.strategy.name}, ${pool.description}`);
      if (init) log(`starting from ${init.description}`);
      log(isNew ? `run directory ${dir.path}` : `${dir.path} has no checkpoint yet: starting it at generation 1 with its config.json`);
    }
  } catch (e) {
    await pool.close();
    if (isNew) dir.removeUnstarted();
    throw e;
  }
  opts.onTrainer?.(trainer);
  const progress = new ProgressPrinter(config.generations, log, opts.quiet ?? false);
  const saveBest = () => {
    const b = trainer.bestTest;
    if (!b) return;
    savePolicyFile(dir.bestPath, {
      policy: config.policy, params: b.params,
      normalizer: ObsNormalizer.fromJSON(b.normalizer, OBS_SIZE, config.obsClip).snapshot(),
      meta: { run: basename(dir.path), generation: b.generation, testReturn: b.return, world: { maxSteps: config.maxSteps } },
    });
  };
  const recordCenter = (gen: number) => {
    const ep = testEpisodes(config)[0]!;
    const replay = recordEpisode(R, {
      policy: config.policy, params: trainer.center(), normalizer: trainer.normalizer.snapshot(), episode: ep,
      world: { maxSteps: config.maxSteps }, meta: { label: `center after generation ${gen}`, run: basename(dir.path), generation: gen, policy: describePolicy(config.policy) },
    });
    writeReplay(dir.replaysPath, `gen${String(gen).padStart(5, '0')}-nominal`, replay);
  };
  const offInterrupt = onInterrupt(trainer, 'generation', log, () => {
    if (!isNew || dir.hasCheckpoint()) return null;
    dir.removeUnstarted();
    return `no generation had finished: ${dir.path} was removed`;
  });
  let status: 'done' | 'stopped';
  try {
    // Tasks left on Redis by an earlier process of this run are dropped before it continues.
    if (pool instanceof RedisBackend) await pool.clearRun(trainer.runId);
    status = await trainer.run({
      generation: (rec, t) => {
        records.push(rec);
        dir.writeMetrics(records);
        const last = rec.generation >= config.generations;
        if (rec.generation % config.checkpointEvery === 0 || t.stopping || last) dir.saveCheckpoint(t);
        if (rec.testReturn !== null && t.bestTest?.generation === rec.generation) saveBest();
        // The first generation's center, every replayEvery-th and the last.
        if (config.replayEvery > 0 && (rec.generation === 1 || rec.generation % config.replayEvery === 0 || last)) recordCenter(rec.generation);
        progress.generation(rec);
      },
    });
    dir.saveCheckpoint(trainer);
  } catch (e) {
    if (dir.hasCheckpoint()) {
      // The checkpoint of the last finished generation is intact: say how to continue.
      if (e instanceof Error && e.constructor === Error) e.message += `; resume with: propamine train --resume ${dir.path}`;
    } else if (isNew) {
      // No generation finished: a failed start leaves no half-made run behind.
      dir.removeUnstarted();
    }
    throw e;
  } finally {
    offInterrupt();
    if (pool instanceof RedisBackend) await pool.clearRun(trainer.runId).catch(() => {});
    await pool.close();
  }
  if (status === 'stopped') log(`stopped after generation ${trainer.generation}; resume with: propamine train --resume ${dir.path}`);
  else progress.summary(records, dir.path);
  return { status, runDir: dir.path, records };
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
      await train({ resume: values.resume, overrides, quiet: values.quiet ?? false, backend });
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
    await train({ config, quiet: values.quiet ?? false, backend });
    return 0;
  },
};

