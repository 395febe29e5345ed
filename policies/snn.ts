/**
 * The spiking policy: normalized observations injected as input current into one or more
 * hidden LIF layers (snn-layer.ts), run for `substeps` SNN steps per environment step with
 * the observation held, then read out through tanh to actions in [-1, 1]:
 *
 *   leaky readout:  u_t = beta_o ⊙ u_{t-1} + (1 - beta_o) ⊙ (W_out^T s_t + b_out)   (non-spiking, per substep)
 *   trace readout:  u_t = W_out^T r_t + b_out
 *   action = tanh(u) after the last substep
 *
 * With rule `none` this is the static SNN baseline. All buffers are allocated in the
 * constructor; `act` allocates nothing.
 *
 * Random weights per episode (`weights: 'random-per-episode'`, Najarro & Risi 2020): the
 * hidden layers' W_in and W_rec are not in the genome; `reset(episodeSeed)` draws them from
 * `new Rng(mixSeed(episodeSeed, RANDOM_WEIGHTS_SALT))` with init.ts's distribution, layer by
 * layer, W_in then W_rec. The same episode seed gives the same network whatever the worker,
 * and the salt keeps the draw apart from the episode's other uses of its seed (the env's).
 *
 * The synapse kernels are WebAssembly SIMD by default (`kernels: 'wasm'`): the genome, the
 * observation and the layers' arrays then live in the policy's own WebAssembly memory. The
 * JavaScript kernels (`'js'`) are the reference and give the same bits. Both compute in the
 * config's `synapseArithmetic` (float64 or float32), which is part of what the policy computes.
 */

import { isPlasticLayer, type SnnPolicyConfig } from './config.ts';
import { checkParamLength, layoutSize, SliceIndex, snnLayout } from './layout.ts';
import type { LifState } from './lif.ts';
import { sigmoid } from './reparam.ts';
import { ruleByName } from './rules/index.ts';
import { SnnLayer } from './snn-layer.ts';
import { jsKernelsFor, type SynapseKernels } from './synapse-kernels.ts';
import { WasmKernels } from './wasm/wasm-kernels.ts';
import { modContextSize, ObservationPredictor } from './modulation.ts';
import { decodeGenome, genomeScaleVector } from './genome-scale.ts';
import { drawHiddenWeights } from './init.ts';
import { mixSeed, Rng } from '../core/rng.ts';
import type { ParamSlice, Policy } from './types.ts';

/** A read-only view of one layer's plastic state, for tests, logging and the viewer. */
export interface PlasticSnapshot {
  Hin: Float32Array;
  Hrec: Float32Array;
  Ein: Float32Array;
  Erec: Float32Array;
  theta: Float32Array;
  M: number;
}

/** Which synapse kernels a policy runs: WebAssembly SIMD, or the JavaScript reference (same bits). */
export type KernelName = 'wasm' | 'js';

/** Construction options that do not change what a policy computes. */
export interface PolicyOptions {
  /** The synapse kernels; default 'wasm'. */
  kernels?: KernelName;
}

/** Mixed with the episode seed for the random weights' generator. */
export const RANDOM_WEIGHTS_SALT = 0x3a9b_cd01;

export class SnnPolicy implements Policy {
  readonly obsSize: number;
  readonly actSize: number;
  readonly numParams: number;
  readonly config: SnnPolicyConfig;
  readonly layers: SnnLayer[];
  private readonly slices: ParamSlice[];
  private readonly index: SliceIndex;
  private readonly params: Float32Array;
  /** Parameter / genome factor per entry, or null when the genome is the parameters. */
  private readonly genomeFactors: Float32Array | null;
  private readonly obs: Float32Array;
  private readonly u: Float32Array;
  private readonly action: Float32Array;
  private readonly readoutLeak: Float32Array;
  /** 1 - readoutLeak, per action (scratch for the leaky readout). */
  private readonly readoutGain: Float32Array;
  /** The modulators' context c_t: [previous reward], [previous action], [surprise], per config.modInputs. */
  private readonly modContext: Float32Array;
  private readonly rewardAt: number;
  private readonly actionAt: number;
  private readonly surpriseAt: number;
  /** The surprise input's observation predictor (null without it). */
  readonly predictor: ObservationPredictor | null;
  private Wout: Float32Array = new Float32Array(0);
  private bout: Float32Array = new Float32Array(0);

  constructor(config: SnnPolicyConfig, obsSize: number, actSize: number, options: PolicyOptions = {}) {
    this.config = config;
    this.obsSize = obsSize;
    this.actSize = actSize;
    this.slices = snnLayout(config, obsSize, actSize);
    this.index = new SliceIndex(this.slices);
    this.numParams = layoutSize(this.slices);
    const kernels = createKernels(options.kernels ?? 'wasm', config, obsSize, this.numParams);
    this.params = kernels.alloc(this.numParams);
    this.genomeFactors = genomeScaleVector(this.slices, config.genomeScale);
    const rule = ruleByName(config.rule);
    this.layers = config.hidden.map(
      (_, l) => new SnnLayer(config, l, l === 0 ? obsSize : config.hidden[l - 1], rule, isPlasticLayer(config, l), kernels),
    );
    this.obs = kernels.alloc(obsSize);
    this.u = new Float32Array(actSize);
    this.action = new Float32Array(actSize);
    this.readoutLeak = new Float32Array(actSize).fill(config.readoutLeak);
    this.readoutGain = new Float32Array(actSize);
    const inputs = config.modInputs ?? [];
    this.modContext = new Float32Array(modContextSize(inputs, actSize));
    this.rewardAt = inputs.includes('reward') ? 0 : -1;
    this.actionAt = inputs.includes('action') ? (this.rewardAt + 1) : -1;
    this.surpriseAt = inputs.includes('surprise') ? this.modContext.length - 1 : -1;
    this.predictor = this.surpriseAt >= 0 ? new ObservationPredictor(obsSize, actSize) : null;
    for (const layer of this.layers) layer.modContext = this.modContext;
    this.bindParams();
  }

  layout(): ParamSlice[] {
    return this.slices.map((s) => ({ ...s, shape: [...s.shape] }));
  }

  setParams(params: Float32Array | Float64Array): void {
    checkParamLength(params, this.numParams, 'snn policy');
    decodeGenome(params, this.genomeFactors, this.params);
    this.bindParams();
  }

  /** A copy of the loaded model parameters (the genome times its group scales). */
  getParams(): Float32Array {
    return this.params.slice();
  }

  private bindParams(): void {
    for (const layer of this.layers) layer.bind(this.params, this.index);
    this.Wout = this.index.view(this.params, 'readout.W');
    this.bout = this.index.view(this.params, 'readout.b');
    if (this.index.has('readout.leak_raw')) {
      const raw = this.index.view(this.params, 'readout.leak_raw');
      for (let j = 0; j < this.actSize; j++) this.readoutLeak[j] = sigmoid(raw[j]);
    }
  }

  /**
   * Zeroes the per-episode state; with random weights per episode also draws the hidden
   * weights from `episodeSeed`, which it then requires.
   */
  reset(episodeSeed?: number): void {
    if (this.config.weights === 'random-per-episode') {
      if (episodeSeed === undefined) throw new Error('policy.weights is "random-per-episode": reset needs the episode seed to draw the weights');
      drawHiddenWeights(this.layers, new Rng(mixSeed(episodeSeed, RANDOM_WEIGHTS_SALT)));
    }
    for (const layer of this.layers) layer.reset();
    this.u.fill(0);
    this.action.fill(0);
    this.modContext.fill(0);
    this.predictor?.reset();
  }

  /** The reward that followed the last action: the modulators read it at the next step (modInputs 'reward'). */
  observeReward(reward: number): void {
    if (this.rewardAt >= 0) this.modContext[this.rewardAt] = reward;
  }

  /**
   * Freezes (or thaws) the plastic synapses: from now on H keeps its values while the
   * network runs on W + alpha ⊙ H as it stands (an analysis lesion; `reset` thaws).
   */
  freezePlasticity(frozen = true): void {
    for (const layer of this.layers) {
      layer.flushPending();
      layer.plasticityFrozen = frozen;
    }
  }

  /**
   * Zeroes membranes, traces and the readout but keeps the plastic synapses (H, E, theta):
   * lets a test ask "what does the network do now with the synapses it has learned".
   */
  resetActivity(): void {
    for (const layer of this.layers) layer.resetActivity();
    this.u.fill(0);
  }

  act(obs: Float64Array | Float32Array): Float32Array {
    // A float32 copy, so that the dynamics do not depend on the caller's array type.
    this.obs.set(obs);
    const predictor = this.predictor;
    if (predictor) this.modContext[this.surpriseAt] = predictor.observe(this.obs);
    const layers = this.layers;
    const nl = layers.length;
    const leaky = this.config.readout === 'leaky';
    for (let t = 0; t < this.config.substeps; t++) {
      layers[0].step(this.obs, this.obs);
      for (let l = 1; l < nl; l++) layers[l].step(layers[l - 1].lif.s, layers[l - 1].lif.r);
      if (leaky) this.readLeaky();
      else this.readTrace();
    }
    const a = this.action;
    const u = this.u;
    for (let j = 0; j < this.actSize; j++) a[j] = Math.tanh(u[j]);
    if (this.actionAt >= 0) this.modContext.set(a, this.actionAt);
    predictor?.predict(this.obs, a);
    return a;
  }

  private readLeaky(): void {
    const last = this.layers[this.layers.length - 1];
    const s = last.lif.s;
    const u = this.u;
    const W = this.Wout;
    const b = this.bout;
    const beta = this.readoutLeak;
    const na = this.actSize;
    // u = beta u + (1 - beta)(W^T s + b): a normalized leaky integrator, so u settles at
    // W^T <s> + b whatever the leak, and a perturbation of W moves the action as much as
    // it would in a non-leaky readout (ES noise is not amplified by 1 / (1 - beta)).
    const g = this.readoutGain;
    for (let j = 0; j < na; j++) {
      g[j] = 1 - beta[j];
      u[j] = beta[j] * u[j] + g[j] * b[j];
    }
    for (let i = 0; i < last.n; i++) {
      if (s[i] === 0) continue;
      const row = i * na;
      for (let j = 0; j < na; j++) u[j] += g[j] * W[row + j];
    }
  }

  private readTrace(): void {
    const last = this.layers[this.layers.length - 1];
    const r = last.lif.r;
    const u = this.u;
    const W = this.Wout;
    const na = this.actSize;
    u.set(this.bout);
    for (let i = 0; i < last.n; i++) {
      const ri = r[i];
      if (ri === 0) continue;
      const row = i * na;
      for (let j = 0; j < na; j++) u[j] += ri * W[row + j];
    }
  }

  /** Layer l's neuron state (membranes, spikes, traces, rates): live views. */
  neuronState(l: number): LifState {
    return this.layers[l].lif;
  }

  /** Layer l's plastic state (applying any deferred update first): live views of H, E, theta, and the last modulator. */
  plasticState(l: number): PlasticSnapshot {
    const layer = this.layers[l];
    layer.flushPending();
    return { Hin: layer.Hin, Hrec: layer.Hrec, Ein: layer.Ein, Erec: layer.Erec, theta: layer.ruleState.theta, M: layer.M };
  }

  /** The non-spiking readout's state u (before tanh). */
  readoutState(): Float32Array {
    return this.u;
  }

  /** Mean spikes per neuron per SNN step since the last reset, per layer. */
  firingRates(): number[] {
    return this.layers.map((l) => (l.steps === 0 ? 0 : l.spikeCount / (l.steps * l.n)));
  }
}

/** The kernels by name, in the config's arithmetic; WebAssembly ones get a memory for the genome, the observation and the layers. */
function createKernels(name: KernelName, config: SnnPolicyConfig, obsSize: number, numParams: number): SynapseKernels {
  if (name === 'js') return jsKernelsFor(config.synapseArithmetic);
  let bytes = 4 * (numParams + obsSize) + 32;
  let nIn = obsSize;
  for (const n of config.hidden) {
    bytes += SnnLayer.kernelBytes(n, nIn);
    nIn = n;
  }
  return new WasmKernels(bytes, config.synapseArithmetic);
}
