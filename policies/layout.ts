/**
 * The named layout of each policy's flat parameter vector: which slice is W, alpha, the
 * rule coefficients, the modulatory head, the readout. Checkpoints and the initializer read
 * it; the policies take views of their parameter buffer by these names.
 *
 * Matrices are pre-major ([pre, post], index i * nPost + j) so that the synapses leaving
 * one presynaptic neuron are contiguous, which event-driven propagation relies on.
 *
 * SNN, per hidden layer l (nIn = obs size for l = 0, else hidden[l-1]; n = hidden[l]):
 *   hidden{l}.W_in [nIn, n], hidden{l}.W_rec [n, n] (recurrent; both absent with random weights), hidden{l}.b [n],
 *   hidden{l}.leak_raw / threshold_raw / trace_raw [n]        (learnNeuronParams)
 *   hidden{l}.alpha_in [nIn, n], hidden{l}.alpha_rec [n, n]   (plastic layer)
 *   hidden{l}.rule.eta_raw [1]                                (plastic, modulation none)
 *   hidden{l}.rule.tau_raw [1]                                (plastic, bcm)
 *   hidden{l}.rule.abcd_in [4, u_in], .abcd_rec [4, u_rec]     (plastic, abcd: u = nIn n / n / 1 by ruleSharing)
 *   hidden{l}.mod.w [n], hidden{l}.mod.b [1]                  (plastic, modulated)
 *   hidden{l}.mod.f [n], hidden{l}.mod.g [n]                  (... per-neuron modulation)
 *   hidden{l}.mod.eligibility_raw [1]                         (... retroactive)
 *   hidden{l}.mod.v [c]                                       (... with modInputs: c = context size)
 * then readout.W [nLast, act], readout.b [act], readout.leak_raw [act] (leaky, learned).
 * With `weights: 'random-per-episode'` the policy draws W_in and W_rec itself at every
 * episode start (snn.ts), so ES spends no dimensions on them.
 *
 * MLP: layer{l}.W [nIn, n], layer{l}.b [n] per hidden layer, then output.W, output.b.
 */

import { isPlasticLayer, type MlpPolicyConfig, type PolicyConfig, type SnnPolicyConfig } from './config.ts';
import type { ParamSlice } from './types.ts';
import { ruleByName, sharedUnits } from './rules/index.ts';
import { modContextSize } from './modulation.ts';

class LayoutBuilder {
  readonly slices: ParamSlice[] = [];
  private offset = 0;
  add(name: string, shape: number[]): void {
    const length = shape.reduce((a, b) => a * b, 1);
    this.slices.push({ name, offset: this.offset, length, shape });
    this.offset += length;
  }
}

export function snnLayout(c: SnnPolicyConfig, obsSize: number, actSize: number): ParamSlice[] {
  const b = new LayoutBuilder();
  c.hidden.forEach((n, l) => {
    const nIn = l === 0 ? obsSize : c.hidden[l - 1];
    const p = `hidden${l}`;
    if (c.weights === 'evolved') {
      b.add(`${p}.W_in`, [nIn, n]);
      if (c.recurrent) b.add(`${p}.W_rec`, [n, n]);
    }
    b.add(`${p}.b`, [n]);
    if (c.learnNeuronParams) {
      b.add(`${p}.leak_raw`, [n]);
      b.add(`${p}.threshold_raw`, [n]);
      b.add(`${p}.trace_raw`, [n]);
    }
    if (!isPlasticLayer(c, l)) return;
    b.add(`${p}.alpha_in`, [nIn, n]);
    if (c.recurrent) b.add(`${p}.alpha_rec`, [n, n]);
    if (c.modulation === 'none') b.add(`${p}.rule.eta_raw`, [1]);
    const rule = ruleByName(c.rule);
    for (const co of rule?.coefficients ?? []) b.add(`${p}.rule.${co.slice}`, [1]);
    const table = rule?.table;
    if (table) {
      b.add(`${p}.rule.${table.slice}_in`, [table.rows.length, sharedUnits(c.ruleSharing, nIn, n)]);
      if (c.recurrent) b.add(`${p}.rule.${table.slice}_rec`, [table.rows.length, sharedUnits(c.ruleSharing, n, n)]);
    }
    if (c.modulation === 'none') return;
    b.add(`${p}.mod.w`, [n]);
    b.add(`${p}.mod.b`, [1]);
    if (c.perNeuronModulation) {
      b.add(`${p}.mod.f`, [n]);
      b.add(`${p}.mod.g`, [n]);
    }
    if (c.modulation === 'retroactive') b.add(`${p}.mod.eligibility_raw`, [1]);
    if (c.modInputs?.length) b.add(`${p}.mod.v`, [modContextSize(c.modInputs, actSize)]);
  });
  const nLast = c.hidden[c.hidden.length - 1];
  b.add('readout.W', [nLast, actSize]);
  b.add('readout.b', [actSize]);
  if (c.readout === 'leaky' && c.learnNeuronParams) b.add('readout.leak_raw', [actSize]);
  return b.slices;
}

export function mlpLayout(c: MlpPolicyConfig, obsSize: number, actSize: number): ParamSlice[] {
  const b = new LayoutBuilder();
  let nIn = obsSize;
  c.hidden.forEach((n, l) => {
    b.add(`layer${l}.W`, [nIn, n]);
    b.add(`layer${l}.b`, [n]);
    nIn = n;
  });
  b.add('output.W', [nIn, actSize]);
  b.add('output.b', [actSize]);
  return b.slices;
}

export function policyLayout(c: PolicyConfig, obsSize: number, actSize: number): ParamSlice[] {
  return c.type === 'mlp' ? mlpLayout(c, obsSize, actSize) : snnLayout(c, obsSize, actSize);
}

export function layoutSize(slices: readonly ParamSlice[]): number {
  const last = slices[slices.length - 1];
  return last ? last.offset + last.length : 0;
}

/** Looks slices up by name; `get` throws for a missing name, `has` tells. */
export class SliceIndex {
  private readonly byName = new Map<string, ParamSlice>();
  constructor(slices: readonly ParamSlice[]) {
    for (const s of slices) this.byName.set(s.name, s);
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  get(name: string): ParamSlice {
    const s = this.byName.get(name);
    if (!s) throw new Error(`parameter layout has no slice named ${name}`);
    return s;
  }
  /** A view of `buf` for the named slice. */
  view(buf: Float32Array, name: string): Float32Array {
    const s = this.get(name);
    return buf.subarray(s.offset, s.offset + s.length);
  }
}

/** Checks a genome's length against the layout, naming expected and got. */
export function checkParamLength(params: ArrayLike<number>, expected: number, what: string): void {
  if (params.length !== expected) {
    throw new Error(`${what}: params must have length ${expected} (expected ${expected}, got ${params.length})`);
  }
}
