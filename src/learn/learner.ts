/**
 * The gradient trainer: each iteration draws a batch of fresh sequences from the seed, takes
 * the gradient of the mean loss (engine.ts), clips it to a global norm, and takes an Adam step
 * at a learning rate that decays along a half cosine. Every `evalEvery` iterations the genome
 * is scored on a fixed held-out set of sequences, and the best so far is kept (a NaN never
 * wins; a non-finite gradient skips the step). One plain record per iteration goes to the
 * observers; the state is plain data, so a checkpoint resumes bit for bit.
 *
 *   lr_k = lr (f + (1 - f) (1 + cos(pi k / (N - 1))) / 2),   f = lrFinal, N = iterations
 *   g <- g * min(1, gradClip / |g|)
 *   batch k, sequence i: Rng(mixSeed(seed, k, i));  held-out sequence i: Rng(mixSeed(HELDOUT_SEED, i))
 */
import { mixSeed, Rng } from '../../core/rng.ts';
import { createTask, type Task, type TaskSequence } from '../../envs/tasks/index.ts';
import { adamInit, adamStep, norm, type AdamState } from '../es/optim.ts';
import type { LearnConfig } from './config.ts';
import type { BatchStats, GradientEngine } from './engine.ts';
import { initLearnParams } from './init.ts';
import * as v from 'valibot';
import { got, numberOrNull, record, statistic, wholeIn } from '../../core/schema.ts';

/** Held-out sequences come from this seed, whatever the run's seed: every run of a task is scored on the same set. */
export const HELDOUT_SEED = 0x4e1d0;

const stat = statistic();
/** A held-out score, null on the iterations without an evaluation. */
const maybe = numberOrNull();

/** One record per iteration: a learn run's metrics.jsonl line (its schema gives the type and the reader's checks). */
export const LearnRecordSchema = record({
  iteration: wholeIn(0),
  loss: stat,
  taskLoss: stat,
  rateLoss: stat,
  /** Training-batch accuracy (before the step). */
  accuracy: stat,
  rate: stat,
  /** Gradient norm before clipping. */
  gradNorm: stat,
  lr: stat,
  /** Held-out accuracy and loss on evaluation iterations, else null. */
  evalAccuracy: maybe,
  evalLoss: maybe,
  /** Seconds of training so far (over resumes). */
  wallTime: stat,
  /** Seconds this iteration took (gradient and step). */
  iterTime: stat,
}, got('must be an object'));

export type LearnRecord = v.InferOutput<typeof LearnRecordSchema>;

export interface BestGenome {
  iteration: number;
  accuracy: number;
  loss: number;
  params: Float32Array;
}

export interface LearnerState {
  /** The next iteration to run. */
  iteration: number;
  params: Float32Array;
  adam: AdamState;
  best: BestGenome | null;
  wallTime: number;
}

export function heldOutSet(task: Task, size: number): TaskSequence[] {
  return Array.from({ length: size }, (_, i) => task.sample(new Rng(mixSeed(HELDOUT_SEED, i))));
}

export function trainingBatch(task: Task, seed: number, iteration: number, size: number): TaskSequence[] {
  return Array.from({ length: size }, (_, i) => task.sample(new Rng(mixSeed(seed, iteration, i))));
}

export function learningRate(c: LearnConfig, k: number): number {
  const frac = c.iterations > 1 ? Math.min(1, k / (c.iterations - 1)) : 1;
  return c.lr * (c.lrFinal + (1 - c.lrFinal) * 0.5 * (1 + Math.cos(Math.PI * frac)));
}

export class Learner {
  readonly task: Task;
  readonly heldOut: TaskSequence[];
  state: LearnerState;
  stopping = false;
  private readonly grad: Float64Array;

  constructor(readonly config: LearnConfig, readonly engine: GradientEngine, state?: LearnerState) {
    this.task = createTask(config.task);
    this.heldOut = heldOutSet(this.task, config.evalSize);
    const n = engine.numParams;
    this.grad = new Float64Array(n);
    this.state = state ?? {
      iteration: 0,
      params: initLearnParams(config.policy, config.init, this.task.inputSize, this.task.outputSize, new Rng(config.seed)),
      adam: adamInit(n),
      best: null,
      wallTime: 0,
    };
    if (this.state.params.length !== n) throw new Error(`learner: params have length ${this.state.params.length}, the network needs ${n}`);
  }

  requestStop(): void {
    this.stopping = true;
  }

  evaluate(params = this.state.params): BatchStats {
    return this.engine.evaluate(params, this.heldOut);
  }

  /** One iteration: gradient, clip, Adam step, and the held-out test when due. */
  step(): LearnRecord {
    const c = this.config;
    const s = this.state;
    const k = s.iteration;
    const t0 = performance.now();
    const stats = this.engine.lossAndGrad(s.params, trainingBatch(this.task, c.seed, k, c.batch), this.grad);
    const g = this.grad;
    const gradNorm = norm(g);
    const lr = learningRate(c, k);
    if (Number.isFinite(gradNorm)) {
      const scale = c.gradClip > 0 && gradNorm > c.gradClip ? c.gradClip / gradNorm : 1;
      // Adam ascends: hand it the negative gradient.
      for (let j = 0; j < g.length; j++) g[j] *= -scale;
      const { state, step } = adamStep(s.adam, g, { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
      s.adam = state;
      for (let j = 0; j < step.length; j++) s.params[j] += step[j];
    }
    s.iteration = k + 1;
    let evalAccuracy: number | null = null;
    let evalLoss: number | null = null;
    if (s.iteration % c.evalEvery === 0 || s.iteration >= c.iterations) {
      const e = this.evaluate();
      evalAccuracy = e.accuracy;
      evalLoss = e.taskLoss;
      const b = s.best;
      const better = Number.isFinite(e.taskLoss) && (b === null || e.accuracy > b.accuracy || (e.accuracy === b.accuracy && e.taskLoss < b.loss));
      if (better) s.best = { iteration: s.iteration, accuracy: e.accuracy, loss: e.taskLoss, params: s.params.slice() };
    }
    const iterTime = (performance.now() - t0) / 1000;
    s.wallTime += iterTime;
    return { iteration: k, loss: stats.loss, taskLoss: stats.taskLoss, rateLoss: stats.rateLoss, accuracy: stats.accuracy, rate: stats.rate, gradNorm, lr, evalAccuracy, evalLoss, wallTime: s.wallTime, iterTime };
  }

  /**
   * Trains until `config.iterations` or a stop request, yielding to the event loop between
   * iterations (so progress lines and Ctrl-C get through). Returns how it ended.
   */
  async run(onRecord: (r: LearnRecord, l: Learner) => void): Promise<'done' | 'stopped'> {
    while (this.state.iteration < this.config.iterations) {
      if (this.stopping) return 'stopped';
      onRecord(this.step(), this);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return this.stopping ? 'stopped' : 'done';
  }
}
