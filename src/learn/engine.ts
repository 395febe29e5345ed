/**
 * Gradient engines: the mean loss of a batch of sequences and its gradient with respect to the
 * genome. `js` is the hand-written BPTT over Float32Array traces (policies/bptt.ts), the
 * default because it is the fastest here (README, bench:learn); `tf` is TensorFlow.js's
 * autodiff of the same model (policies/tf-bptt.ts), the oracle the tests compare against.
 * Both compute the same loss (loss.ts) and make the same gradient choices.
 */
import { SnnBptt } from '../../policies/bptt.ts';
import type { Task, TaskSequence } from '../../envs/tasks/index.ts';
import type { LearnConfig } from './config.ts';
import { ratePenalty, sequenceLoss } from './loss.ts';

export interface BatchStats {
  /** Task loss plus the rate penalty, averaged over the sequences. */
  loss: number;
  taskLoss: number;
  rateLoss: number;
  /** Fraction of scored outputs whose sign is right. */
  accuracy: number;
  /** Mean spikes per neuron per SNN step. */
  rate: number;
}

export interface GradientEngine {
  /** What computes the gradients, for the log (e.g. `hand-written BPTT (Float32Array)`). */
  readonly description: string;
  readonly numParams: number;
  /** Batch statistics; the gradient of `loss` is written into `grad` (length numParams). */
  lossAndGrad(params: Float32Array, batch: readonly TaskSequence[], grad: Float64Array): BatchStats;
  /** Batch statistics without gradients. */
  evaluate(params: Float32Array, seqs: readonly TaskSequence[]): BatchStats;
  dispose(): void;
}

export function bpttOptions(c: LearnConfig): { slope: number; scale: number; detachReset: boolean } {
  return { slope: c.surrogate.slope, scale: c.surrogate.scale, detachReset: c.detachReset };
}

export class JsEngine implements GradientEngine {
  readonly description = 'hand-written BPTT (Float32Array)';
  readonly bptt: SnnBptt;
  private readonly gOut: Float64Array;
  private readonly rateGrad: Float64Array;
  private readonly rates: Float64Array;

  constructor(private readonly config: LearnConfig, private readonly task: Task) {
    this.bptt = new SnnBptt(config.policy, task.inputSize, task.outputSize, task.steps, bpttOptions(config));
    this.gOut = new Float64Array(task.steps * task.outputSize);
    this.rateGrad = new Float64Array(config.policy.hidden[0]);
    this.rates = new Float64Array(config.policy.hidden[0]);
  }

  get numParams(): number {
    return this.bptt.numParams;
  }

  lossAndGrad(params: Float32Array, batch: readonly TaskSequence[], grad: Float64Array): BatchStats {
    grad.fill(0);
    return this.run(params, batch, grad);
  }

  evaluate(params: Float32Array, seqs: readonly TaskSequence[]): BatchStats {
    return this.run(params, seqs, null);
  }

  private run(params: Float32Array, seqs: readonly TaskSequence[], grad: Float64Array | null): BatchStats {
    const { bptt, task, config } = this;
    bptt.setParams(params);
    const B = seqs.length;
    let taskLoss = 0;
    let rateLoss = 0;
    let correct = 0;
    let scored = 0;
    let rate = 0;
    const w = config.rateWeight;
    for (const seq of seqs) {
      const u = bptt.forward(seq.input);
      const sc = sequenceLoss(seq, u, task.outputSize, grad ? this.gOut : null, 1 / B);
      taskLoss += sc.loss / B;
      correct += sc.correct;
      scored += sc.scored;
      bptt.rates(this.rates);
      for (const r of this.rates) rate += r / (B * this.rates.length);
      if (w > 0) rateLoss += ratePenalty(this.rates, bptt.trace.T, w, config.rateTarget, grad ? this.rateGrad : null, 1 / B) / B;
      if (grad) bptt.backward(this.gOut, w > 0 ? this.rateGrad : null, grad);
    }
    return { loss: taskLoss + rateLoss, taskLoss, rateLoss, accuracy: correct / scored, rate };
  }

  dispose(): void {}
}
