/**
 * The MLP baseline: tanh hidden layers and a tanh output, stateless between steps.
 *
 *   h_0 = obs,  h_{l+1} = tanh(W_l^T h_l + b_l),  action = tanh(W_out^T h_L + b_out)
 *
 * Matrices are pre-major like the SNN's ([in, out]). All buffers are preallocated.
 */

import type { MlpPolicyConfig } from './config.ts';
import { checkParamLength, layoutSize, mlpLayout, SliceIndex } from './layout.ts';
import type { ParamSlice, Policy } from './types.ts';
import { decodeGenome, genomeScaleVector } from './genome-scale.ts';

export class MlpPolicy implements Policy {
  readonly obsSize: number;
  readonly actSize: number;
  readonly numParams: number;
  readonly config: MlpPolicyConfig;
  private readonly slices: ParamSlice[];
  private readonly params: Float32Array;
  private readonly genomeFactors: Float32Array | null;
  private readonly sizes: number[];
  /** Activations per layer: [obs, hidden..., action]. */
  private readonly acts: Float32Array[];
  private readonly W: Float32Array[];
  private readonly b: Float32Array[];

  constructor(config: MlpPolicyConfig, obsSize: number, actSize: number) {
    this.config = config;
    this.obsSize = obsSize;
    this.actSize = actSize;
    this.slices = mlpLayout(config, obsSize, actSize);
    this.numParams = layoutSize(this.slices);
    this.params = new Float32Array(this.numParams);
    this.genomeFactors = genomeScaleVector(this.slices, config.genomeScale);
    this.sizes = [obsSize, ...config.hidden, actSize];
    this.acts = this.sizes.map((n) => new Float32Array(n));
    const idx = new SliceIndex(this.slices);
    const names = [...config.hidden.map((_, l) => `layer${l}`), 'output'];
    this.W = names.map((n) => idx.view(this.params, `${n}.W`));
    this.b = names.map((n) => idx.view(this.params, `${n}.b`));
  }

  layout(): ParamSlice[] {
    return this.slices.map((s) => ({ ...s, shape: [...s.shape] }));
  }

  setParams(params: Float32Array | Float64Array): void {
    checkParamLength(params, this.numParams, 'mlp policy');
    // The W and b views alias this buffer, so one copy rebinds everything.
    decodeGenome(params, this.genomeFactors, this.params);
  }

  /** Stateless between steps: only the output buffer is cleared. */
  reset(): void {
    for (const a of this.acts) a.fill(0);
  }

  act(obs: Float64Array | Float32Array): Float32Array {
    const acts = this.acts;
    acts[0].set(obs);
    for (let l = 0; l < this.W.length; l++) {
      const x = acts[l];
      const y = acts[l + 1];
      const W = this.W[l];
      const nIn = this.sizes[l];
      const n = this.sizes[l + 1];
      y.set(this.b[l]);
      for (let i = 0; i < nIn; i++) {
        const xi = x[i];
        if (xi === 0) continue;
        const row = i * n;
        for (let j = 0; j < n; j++) y[j] += xi * W[row + j];
      }
      for (let j = 0; j < n; j++) y[j] = Math.tanh(y[j]);
    }
    return acts[acts.length - 1];
  }
}
