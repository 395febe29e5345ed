/**
 * The `tf` gradient engine: TensorFlow.js's autodiff of the differentiable form
 * (policies/tf-bptt.ts), on tfjs-node where it is installed, else the WebAssembly backend.
 * Each batch runs inside one tf.tidy, so no tensor outlives it (tested: tf.memory() stays flat).
 * The loss is loss.ts's, written with tensor ops:
 *   mean over sequences of [ mean over scored outputs of softplus(-2 y u) + w mean_j relu(rate_j - target)^2 ]
 */
import type * as TfModule from '@tensorflow/tfjs';
import { loadTf } from '../../policies/tf-reference.ts';
import { tfSequenceForward } from '../../policies/tf-bptt.ts';
import type { Task, TaskSequence } from '../../envs/tasks/index.ts';
import type { LearnConfig } from './config.ts';
import { bpttOptions, type BatchStats, type GradientEngine } from './engine.ts';

type Tf = typeof TfModule;
type Tensor = TfModule.Tensor;

export class TfEngine implements GradientEngine {
  readonly description: string;
  readonly numParams: number;

  private constructor(readonly tf: Tf, backend: string, private readonly config: LearnConfig, private readonly task: Task, numParams: number) {
    this.description = `TensorFlow.js autodiff (${backend} backend)`;
    this.numParams = numParams;
  }

  static async create(config: LearnConfig, task: Task, opts: { native?: boolean; backend?: 'cpu' | 'wasm' } = {}): Promise<TfEngine> {
    const { tf, backend } = await loadTf({ native: opts.native, backend: opts.backend ?? 'wasm' });
    const { JsEngine } = await import('./engine.ts');
    const numParams = new JsEngine(config, task).numParams;
    return new TfEngine(tf, backend, config, task, numParams);
  }

  lossAndGrad(params: Float32Array, batch: readonly TaskSequence[], grad: Float64Array): BatchStats {
    return this.run(params, batch, grad);
  }

  evaluate(params: Float32Array, seqs: readonly TaskSequence[]): BatchStats {
    return this.run(params, seqs, null);
  }

  private run(params: Float32Array, seqs: readonly TaskSequence[], grad: Float64Array | null): BatchStats {
    const { tf, task, config } = this;
    const B = seqs.length;
    const { steps, inputSize, outputSize } = task;
    const input = new Float32Array(B * steps * inputSize);
    const target = new Float32Array(B * steps * outputSize);
    const weight = new Float32Array(B * steps * outputSize);
    seqs.forEach((q, bi) => {
      input.set(q.input, bi * steps * inputSize);
      target.set(q.target, bi * steps * outputSize);
      let count = 0;
      for (let k = 0; k < steps; k++) if (q.scored[k]) count += outputSize;
      for (let k = 0; k < steps; k++) if (q.scored[k]) weight.fill(1 / (count * B), (bi * steps + k) * outputSize, (bi * steps + k + 1) * outputSize);
    });
    let uOut: Float32Array = new Float32Array(0);
    let ratesOut: Float32Array = new Float32Array(0);
    let taskLoss = 0;
    let rateLoss = 0;
    tf.tidy(() => {
      const x = tf.tensor3d(input, [B, steps, inputSize]);
      const y = tf.tensor3d(target, [B, steps, outputSize]);
      const w = tf.tensor3d(weight, [B, steps, outputSize]);
      const parts = (flat: Tensor) => {
        const r = tfSequenceForward(tf, config.policy, inputSize, outputSize, flat, x, { spike: 'step', ...bpttOptions(config) });
        const tl = tf.softplus(y.mul(r.u).mul(-2)).mul(w).sum();
        const rl = tf.relu(r.rates.sub(config.rateTarget)).square().mean(1).mean().mul(config.rateWeight);
        return { r, tl, rl };
      };
      const flat = tf.tensor1d(params);
      const f = (p: Tensor) => {
        const { r, tl, rl } = parts(p);
        uOut = r.u.dataSync() as Float32Array;
        ratesOut = r.rates.dataSync() as Float32Array;
        taskLoss = tl.dataSync()[0];
        rateLoss = rl.dataSync()[0];
        return tl.add(rl) as TfModule.Scalar;
      };
      if (grad) {
        const g = tf.grad(f)(flat);
        grad.set(g.dataSync());
      } else f(flat);
    });
    let correct = 0;
    let scored = 0;
    for (let i = 0; i < weight.length; i++) {
      if (weight[i] === 0) continue;
      scored++;
      if (uOut[i] * target[i] > 0) correct++;
    }
    const rate = ratesOut.reduce((a, r) => a + r, 0) / ratesOut.length;
    return { loss: taskLoss + rateLoss, taskLoss, rateLoss, accuracy: correct / scored, rate };
  }

  dispose(): void {}
}
