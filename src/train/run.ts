/**
 * A training run: creates or resumes a run directory, opens the rollout backend, builds the
 * trainer and drives it, handing every generation's record to its observers (metrics,
 * checkpoints, best.json, replays, progress: observers.ts). The CLI only parses flags and
 * prints; the library API and the tests run training through here as well.
 *
 * A start that fails before its first checkpoint leaves no run directory behind; a run that
 * fails later keeps its last checkpoint and says how to resume it.
 */
import { isDeepStrictEqual } from 'node:util';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ACT_SIZE, OBS_SIZE } from '../../envs/ant-sim.ts';
import type { Suite } from '../../envs/suites.ts';
import { staticStagePolicy } from './plastic-from.ts';
import { describePolicy, validatePolicyConfig, type PolicyConfig, type SnnPolicyConfig } from '../../policies/index.ts';
import { RolloutPool, threadsFor, type RolloutBackend } from '../../workers/pool.ts';
import { RedisBackend } from '../../workers/redis.ts';
import { loadSuite } from '../suites.ts';
import type { Checkpoint } from './checkpoint.ts';
import type { TrainConfig } from './config.ts';
import { describeRescale, grownGenome, loadInitialPolicy, rescaledGenome, saveInitialPolicy, withTimingOf, type InitialPolicy } from './init-from.ts';
import { Rng, mixSeed } from '../../core/rng.ts';
import { RUN_DIR_OBSERVERS, progressObserver, type RunContext, type RunObserver } from './observers.ts';
import { RunDir } from './run-dir.ts';
import { describeStages } from './stages.ts';
import { describeStarts, startsEnd } from './starts.ts';
import { Trainer, checkObjective, policySize, tasksAtOnce, type GenerationRecord } from './trainer.ts';

/** Where rollouts run: not part of a run's config (results do not depend on it), so a resumed run may switch. */
export type BackendChoice = { kind: 'local' } | { kind: 'redis'; url: string; noWorkerTimeoutMs?: number; leaseMs?: number };

export interface TrainOptions {
  /** The resolved config of a new run (resolveTrainConfig); or `resume`. */
  config?: TrainConfig;
  /** A run directory to continue from its latest checkpoint, or a checkpoint file in its checkpoints/ folder. */
  resume?: string;
  /** Changes to a resumed run's config: only `generations` and `workers`. */
  overrides?: Partial<Pick<TrainConfig, 'generations' | 'workers'>> & Record<string, unknown>;
  /** Where rollouts run (default: local worker threads, `config.workers` of them). */
  backend?: BackendChoice;
  /** Where the run's lines go (default: stdout). */
  log?: (line: string) => void;
  /** No per-generation progress lines. */
  quiet?: boolean;
  /** More observers, called after the run directory's and the progress lines'. */
  observers?: RunObserver[];
  /** Stops the run after the current generation (with a checkpoint), as Ctrl-C does. */
  signal?: AbortSignal;
  /** Called with the trainer once it is built, before the first generation. */
  onTrainer?: (t: Trainer) => void;
}

export interface TrainOutcome {
  status: 'done' | 'stopped';
  runDir: string;
  records: GenerationRecord[];
}

/** Trains a new or resumed run to `config.generations` (or until stopped). */
export async function train(opts: TrainOptions): Promise<TrainOutcome> {
  return (await TrainingRun.open(opts)).train();
}

/** What a run starts from, worked out before anything is written or any worker started. */
interface RunStart {
  dir: RunDir;
  config: TrainConfig;
  suite: Suite;
  /** The checkpoint a resumed run continues from, and its file; none for a run that starts at generation 1. */
  snap?: Checkpoint;
  checkpoint?: string;
  /** A resumed run's config.json as it was read, before --generations or --workers changed it. */
  saved?: TrainConfig;
  init?: InitialPolicy;
  /** Whether this start creates the run directory (and removes it again if no generation finishes). */
  isNew: boolean;
}

/** A run, opened (directory written, backend started, trainer built) and ready to train. */
export class TrainingRun implements RunContext {
  readonly records: GenerationRecord[];
  private readonly observers: RunObserver[];

  private constructor(
    readonly trainer: Trainer,
    readonly config: TrainConfig,
    readonly dir: RunDir,
    private readonly isNew: boolean,
    records: GenerationRecord[],
    private readonly log: (line: string) => void,
    opts: TrainOptions,
  ) {
    this.records = records;
    this.observers = [...RUN_DIR_OBSERVERS, progressObserver(config.generations, log, opts.quiet ?? false), ...(opts.observers ?? [])];
    opts.signal?.addEventListener('abort', () => trainer.requestStop(), { once: true });
    if (opts.signal?.aborted) trainer.requestStop();
  }

  static async open(opts: TrainOptions): Promise<TrainingRun> {
    const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
    const { dir, config, suite, snap, checkpoint, saved, init, isNew } = prepareRun(opts);
    const backend = await openBackend(opts.backend ?? { kind: 'local' }, config.workers, tasksAtOnce(config), log);
    let run: TrainingRun;
    try {
      if (snap) {
        const trainer = new Trainer(config, suite, backend, snap.runId, snap);
        const records = dir.readMetrics().filter((r) => r.generation <= snap.generation);
        dir.writeMetrics(records);
        const from = checkpoint === dir.checkpointPath ? '' : ` from ${checkpoint}`;
        log(`resuming ${dir.path}${from} after generation ${snap.generation}, training to generation ${config.generations}`);
        // config.json says what the run trains to: a new generation count (or worker count) is written to it.
        if (!isDeepStrictEqual(saved, config)) dir.writeConfig(config);
        if (checkpoint !== dir.checkpointPath) {
          const aside = dir.setAsideLatest();
          if (aside) log(`the checkpoint it replaces is kept as ${aside}`);
        }
        run = new TrainingRun(trainer, config, dir, isNew, records, log, opts);
      } else {
        if (isNew) dir.writeStart(config);
        else dir.writeMetrics([]);
        if (init) saveInitialPolicy(join(dir.path, 'init.json'), init, config.sim);
        const trainer = new Trainer(config, suite, backend, `${basename(dir.path)}-${randomBytes(4).toString('hex')}`, undefined, init);
        const stage = !staticStagePolicy(config) ? ''
          : config.plasticFrom > config.generations ? `; plastic from generation ${config.plasticFrom}, after the last: this run trains it without plasticity`
          : `; plastic from generation ${config.plasticFrom}, the same network without plasticity before it`;
        log(`training ${describePolicy(config.policy, OBS_SIZE, ACT_SIZE)} (${trainer.numParams} parameters${stage}) with ${config.strategy.name}, ${backend.description}`);
        if (init) log(`starting from ${init.description}`);
        if (config.stages.length) log(`stages: ${describeStages(config)}`);
        if (config.starts) log(`starts: ${describeStarts(config)}`);
        log(isNew ? `run directory ${dir.path}` : `${dir.path} has no checkpoint yet: starting it at generation 1 with its config.json`);
        run = new TrainingRun(trainer, config, dir, isNew, [], log, opts);
      }
    } catch (e) {
      await backend.close();
      if (isNew) dir.removeUnstarted();
      throw e;
    }
    opts.onTrainer?.(run.trainer);
    return run;
  }

  /** Asks the run to stop after the current generation (it then writes a checkpoint). */
  requestStop(): void {
    this.trainer.requestStop();
  }

  get stopping(): boolean {
    return this.trainer.stopping;
  }

  /**
   * For a process about to exit mid-generation: a new run with no checkpoint yet removes what
   * it wrote. Returns what was done, for the user, or null when the last checkpoint stays.
   */
  abandon(): string | null {
    if (!this.isNew || this.dir.hasCheckpoint()) return null;
    this.dir.removeUnstarted();
    return `no generation had finished: ${this.dir.path} was removed`;
  }

  /** Trains to `config.generations` or a stop request, then closes the backend. */
  async train(): Promise<TrainOutcome> {
    const { trainer, dir } = this;
    const backend = trainer.backend;
    let status: 'done' | 'stopped';
    try {
      // Tasks left by an earlier process of this run (on Redis) are dropped before it continues.
      await backend.clearRun?.(trainer.runId);
      status = await trainer.run({
        generation: async (rec) => {
          this.records.push(rec);
          for (const o of this.observers) await o.generation?.(rec, this);
        },
      });
      for (const o of this.observers) await o.end?.(status, this);
    } catch (e) {
      if (dir.hasCheckpoint()) {
        // The checkpoint of the last finished generation is intact: say how to continue.
        if (e instanceof Error && e.constructor === Error) e.message += `; resume with: propamine train --resume ${dir.path}`;
      } else if (this.isNew) {
        // No generation finished: a failed start leaves no half-made run behind.
        dir.removeUnstarted();
      }
      throw e;
    } finally {
      await backend.clearRun?.(trainer.runId).catch(() => {});
      await backend.close();
    }
    return { status, runDir: dir.path, records: this.records };
  }
}

function prepareRun(opts: TrainOptions): RunStart {
  if (!opts.resume) {
    if (!opts.config) throw new Error('train: give a config (a new run) or resume (a run directory)');
    const config = opts.config;
    const suite = loadSuite(config.conditions);
    checkObjective(config, suite);
    const dir = RunDir.forNewRun(config);
    const init = config.init === null ? undefined : loadInit(config);
    return { dir, config, suite, ...(init ? { init } : {}), isNew: true };
  }
  const { dir, checkpoint } = RunDir.forResume(opts.resume);
  const saved = dir.readConfig();
  const allowed = new Set(['generations', 'workers']);
  for (const k of Object.keys(opts.overrides ?? {})) if (!allowed.has(k)) throw new Error(`--resume keeps the run's config; only --generations and --workers may change (got a change of ${k})`);
  const config = { ...saved, ...(opts.overrides ?? {}) } as TrainConfig;
  if (config.starts && opts.overrides?.generations !== undefined && config.generations <= startsEnd(config)) {
    const { count, generations } = config.starts;
    throw new Error(`--generations ${config.generations}: the run's ${count} starts of ${generations} generations end at generation ${startsEnd(config)}, and the best start continues after them (give more than ${startsEnd(config)})`);
  }
  const suite = loadSuite(config.conditions);
  if (checkpoint === dir.checkpointPath && !dir.hasCheckpoint() && !existsSync(dir.previousCheckpointPath)) {
    // No generation of this run ever finished (a directory left by an earlier version): start it now,
    // from the starting point it kept, if any.
    const initFile = join(dir.path, 'init.json');
    const init = config.init === null ? undefined : existsSync(initFile) ? loadInitialPolicy(initFile, config.obsClip) : loadInit(config);
    if (init) checkInitSize(config, init);
    return { dir, config, suite, ...(init ? { init } : {}), isNew: false };
  }
  // Check the checkpoint before starting worker threads, so a bad one exits cleanly.
  const snap = dir.loadCheckpoint(config, checkpoint);
  if (snap.generation >= config.generations) {
    throw new Error(`${dir.path} is already trained to generation ${snap.generation}; to continue it, give --generations more than ${snap.generation}`);
  }
  return { dir, config, suite, snap, checkpoint, saved, isNew: false };
}

/** The initial policy of `config.init`, which must be the policy the config trains. */
function loadInit(config: TrainConfig): InitialPolicy {
  let init: InitialPolicy;
  try {
    init = loadInitialPolicy(config.init!, config.obsClip);
  } catch (e) {
    throw new Error(`--init-from (config.init): ${(e as Error).message}`);
  }
  let source = validatePolicyConfig(init.policy);
  const target = validatePolicyConfig(config.policy);
  const changes: string[] = [];
  if (!isDeepStrictEqual(source.genomeScale, target.genomeScale)) {
    // Other genome scales: the genome rescaled to decode to the trained parameters exactly; then
    // the network may also be retimed or grown, as from a source at the new scales.
    const rescaledSource = validatePolicyConfig({ ...source, genomeScale: target.genomeScale });
    init = { ...init, params: rescaledGenome(source, init.params, rescaledSource)! };
    changes.push(`genome scales changed: ${describeRescale(source, target)}`);
    source = rescaledSource;
  }
  const started = (policy: PolicyConfig, params: Float64Array, change?: string): InitialPolicy => {
    const all = change ? [...changes, change] : changes;
    const extended = { ...init, policy, params, description: [init.description, ...all].join(', ') };
    checkInitSize(config, extended);
    return extended;
  };
  // Other timing of a plastic network's traces: the same genome, read as it is (then grown, if the target grows it).
  const timed = withTimingOf(source, target);
  if (timed) {
    const t = target as SnnPolicyConfig;
    changes.push(`plasticity retimed: H every ${t.plasticityEvery} SNN steps, activity decay ${t.activityDecay}`);
    source = timed;
  }
  if (isDeepStrictEqual(source, target)) return started(target, init.params);
  // Growing a trained network (plasticity with alpha = 0, modulator inputs with v_M = 0): it starts acting exactly as the source.
  const params = grownGenome(source, init.params, target, new Rng(mixSeed(config.seed, 0x1417)));
  if (!params) throw new Error(`--init-from (config.init): ${config.init} holds a ${describePolicy(init.policy)} policy, but the config trains a ${describePolicy(config.policy)}; drop the policy flags (or config.policy) to train the source's policy (only plasticity, on a static network, and --mod-inputs may be added, and a plastic network's plasticityEvery and activityDecay and the genome scales changed)`);
  const t = target as SnnPolicyConfig;
  const added = [(source as SnnPolicyConfig).rule === 'none' ? `${t.rule}/${t.modulation} plasticity (alpha 0)` : '', t.modInputs.length && !(source as SnnPolicyConfig).modInputs.length ? `modulator inputs ${t.modInputs.join(', ')} (weights 0)` : ''].filter(Boolean);
  return started(target, params, `grown: ${added.join(' and ')} added`);
}

/** The initial policy must fit the config's policy (checked before any worker starts). */
function checkInitSize(config: TrainConfig, init: InitialPolicy): void {
  const n = policySize(config);
  if (init.params.length !== n) throw new Error(`the initial policy has ${init.params.length} parameters but the policy needs ${n}`);
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
