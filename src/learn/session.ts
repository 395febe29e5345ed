/**
 * One gradient-training session, new or resumed (the library's `learn`, the CLI and the tests): opens the
 * run directory, builds the engine, trains with a progress line per iteration, writes
 * metrics, checkpoints and best.json, and stops cleanly on request (Ctrl-C finishes the
 * iteration, writes a checkpoint and returns 'stopped'; `resume` continues bit for bit).
 */
import { createTask } from '../../envs/tasks/index.ts';
import { RunDir } from '../train/run-dir.ts';
import { describeLearn, type LearnConfig } from './config.ts';
import { createEngine } from './engines.ts';
import { Learner, LearnRecordSchema, type LearnRecord } from './learner.ts';
import { createLearnRun, loadLearnCheckpoint, readLearnConfig, saveLearnBest, saveLearnCheckpoint } from './run-dir.ts';
import { clock } from '../train/progress.ts';
import { onInterrupt } from '../interrupt.ts';

export interface LearnOutcome {
  status: 'done' | 'stopped';
  runDir: string;
  records: LearnRecord[];
  learner: Learner;
}

export interface LearnSessionOptions {
  /** A new run's config, or `resume` (a run directory) with `iterations` optionally raised. */
  config?: LearnConfig;
  resume?: string;
  iterations?: number;
  log?: (line: string) => void;
  /** Called once with the learner before training (tests stop it from here). */
  onLearner?: (l: Learner) => void;
  /** No per-iteration lines. */
  quiet?: boolean;
  /** Called after every iteration's record is handled. */
  onRecord?: (r: LearnRecord, l: Learner) => void;
  /** Stops after the current iteration (with a checkpoint), as Ctrl-C does. */
  signal?: AbortSignal;
  /** Ctrl-C and SIGTERM stop after the iteration, a second quits at once (the CLI's behaviour; off for a library caller). */
  handleInterrupt?: boolean;
}

export async function learnSession(opts: LearnSessionOptions): Promise<LearnOutcome> {
  const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const quiet = opts.quiet ?? false;
  let dir: RunDir;
  let config: LearnConfig;
  let learner: Learner;
  let records: LearnRecord[];
  if (opts.resume) {
    dir = RunDir.open(opts.resume);
    config = readLearnConfig(dir);
    if (opts.iterations !== undefined) config = { ...config, iterations: opts.iterations };
    if (!dir.hasCheckpoint()) throw new Error(`${dir.path} has no checkpoint to resume from`);
    const task = createTask(config.task);
    const engine = await createEngine(config, task);
    const state = loadLearnCheckpoint(dir, engine.numParams);
    learner = new Learner(config, engine, state);
    records = dir.readMetrics(LearnRecordSchema).filter((r) => r.iteration < state.iteration);
    dir.writeMetrics(records);
    log(`resuming ${dir.path} at iteration ${state.iteration} of ${config.iterations}`);
  } else {
    config = opts.config!;
    const task = createTask(config.task);
    const engine = await createEngine(config, task);
    dir = createLearnRun(config);
    learner = new Learner(config, engine);
    records = [];
    log(`learning ${describeLearn(config, task.inputSize, task.outputSize)} (${engine.numParams} parameters), ${task.steps} input steps x ${config.policy.substeps} substeps`);
    log(`gradients: ${engine.description}; run directory ${dir.path}`);
  }
  opts.onLearner?.(learner);
  const progress = new LearnProgress(config.iterations, log);
  const offInterrupt = opts.handleInterrupt ? onInterrupt(learner, 'iteration', log) : () => {};
  const stop = () => learner.requestStop();
  opts.signal?.addEventListener('abort', stop, { once: true });
  if (opts.signal?.aborted) stop();
  let status: 'done' | 'stopped';
  try {
    status = await learner.run((rec, l) => {
      records.push(rec);
      const k = rec.iteration + 1;
      const last = k >= config.iterations || l.stopping;
      if (rec.evalAccuracy !== null && l.state.best?.iteration === k) saveLearnBest(dir, config, l.task, l.state.best);
      // metrics.jsonl is rewritten (atomically) with the checkpoint, so the two always agree.
      if (k % config.checkpointEvery === 0 || last) {
        dir.writeMetrics(records);
        saveLearnCheckpoint(dir, l.state);
      }
      if (!quiet || rec.evalAccuracy !== null) progress.iteration(rec, l);
      opts.onRecord?.(rec, l);
    });
  } finally {
    offInterrupt();
    opts.signal?.removeEventListener('abort', stop);
    learner.engine.dispose();
  }
  dir.writeMetrics(records);
  saveLearnCheckpoint(dir, learner.state);
  if (status === 'stopped') log(`stopped after iteration ${learner.state.iteration}; resume with: propamine learn --resume ${dir.path}`);
  else {
    const b = learner.state.best;
    log(`done: ${dir.path}${b ? ` (best.json: held-out accuracy ${b.accuracy.toFixed(3)} at iteration ${b.iteration}; plot it: propamine learn --plot ${dir.path})` : ''}`);
  }
  return { status, runDir: dir.path, records, learner };
}

/** One line per iteration: iteration, loss, accuracy, held-out accuracy and best, rate, gradient norm, time left. */
class LearnProgress {
  private lastEval = '';
  private recent: number[] = [];
  constructor(private readonly total: number, private readonly log: (l: string) => void) {}

  iteration(r: LearnRecord, l: Learner): void {
    this.recent.push(r.iterTime);
    if (this.recent.length > 20) this.recent.shift();
    const per = this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
    const k = r.iteration + 1;
    const b = l.state.best;
    if (r.evalAccuracy !== null) this.lastEval = ` | held-out ${r.evalAccuracy.toFixed(3)}${b ? ` (best ${b.accuracy.toFixed(3)} @ ${b.iteration})` : ''}`;
    const w = String(this.total).length;
    this.log(`iter ${String(k).padStart(w)}/${this.total} loss ${r.loss.toFixed(3)} acc ${r.accuracy.toFixed(2)}${this.lastEval} | rate ${r.rate.toFixed(3)} |g| ${r.gradNorm.toPrecision(2)} lr ${r.lr.toExponential(1)} | ${(1000 * per).toFixed(0)} ms/iter ${clock(r.wallTime)} left ${clock(per * (this.total - k))}`);
  }
}
