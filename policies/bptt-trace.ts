/**
 * The SNN policy's forward pass over a whole input sequence, recording every step's state so
 * that backpropagation through time (bptt.ts) can walk it backwards. It is assembled from the
 * policy's own parts (lif.ts's `lifStep`, the synapse kernels, the rules' `factors` and
 * `advance`, modulation.ts) in the order `SnnLayer.step` and `SnnPolicy.act` use them, so a
 * genome gives the same outputs here as in `SnnPolicy`, bit for bit (test/learn-*.test.ts).
 *
 * One hidden layer (recurrent or not, plastic or static), a leaky readout, fixed neuron
 * coefficients. Per SNN step t = 1..T (the input of step k is held for `substeps` steps):
 *
 *   I_t = b + x_t (W_in + alpha_in ⊙ H_in[t-1]) + s_{t-1} (W_rec + alpha_rec ⊙ H_rec[t-1])
 *   v_t = beta v_{t-1} + I_t - v_th s_{t-1};  s_t = [v_t >= v_th];  xbar_t = lambda xbar_{t-1} + s_t
 *   r_t = (1 - lambda) xbar_t;  M_t = tanh(w_M . r_t + b_M);  m_t,j = f_j M_t + g_j (or M_t, or eta)
 *   (d_j, k_j) = rule factors of (r_t, theta_{t-1})
 *   H[t] = clip((1 + m_j d_j) H[t-1] + m_j k_j pre)                     (no or simple modulation)
 *   E[t] = (1 - eta_e) E[t-1] + eta_e (d_j H[t-1] + k_j pre); H[t] = clip(H[t-1] + m_j E[t])   (retroactive)
 *   pre = x_t for H_in, r_t for H_rec;  theta_t = theta_{t-1} + (r_t^2 - theta_{t-1}) / tau
 *   u_t = beta_o u_{t-1} + (1 - beta_o)(W_out^T s_t + b_out); the output of input step k is u at its last substep
 *
 * `spike: 'smooth'` replaces the step function by s = sigmoid(slope (v - v_th)) (used only to check
 * gradients against finite differences: it makes the forward pass differentiable).
 * Slot t of every recorded array holds the state after step t; slot 0 is the zero start.
 */

import { isPlasticLayer, type SnnPolicyConfig } from './config.ts';
import { checkParamLength, layoutSize, SliceIndex, snnLayout } from './layout.ts';
import { lifStep, type LifParams, type LifState } from './lif.ts';
import { eligibilityRateFromGenome, modulatedRates, modulatorOutput } from './modulation.ts';
import { sigmoid } from './reparam.ts';
import { ruleByName } from './rules/index.ts';
import { RULE_NAMES, type PlasticityRule, type RuleCoefficients } from './rules/rule.ts';
import { plasticFused, plasticFusedRetro, propagate, propagatePlastic } from './synapse-kernels.ts';
import type { ParamSlice } from './types.ts';

export type SpikeMode = 'step' | 'smooth';

/** The network shapes the gradient route supports; anything else is one error naming the field. */
export function checkBpttConfig(c: SnnPolicyConfig, path = 'policy'): void {
  if (c.hidden.length !== 1) throw new Error(`${path}.hidden must name exactly one layer for gradient training (got [${c.hidden.join(', ')}])`);
  if (c.learnNeuronParams) throw new Error(`${path}.learnNeuronParams must be false for gradient training`);
  if (c.readout !== 'leaky') throw new Error(`${path}.readout must be "leaky" for gradient training (got "${c.readout}")`);
  // The tasks' sequences carry their cues as inputs; the ant's reward and action context is the ES route's.
  if (c.modInputs?.length) throw new Error(`${path}.modInputs must be empty for gradient training (got [${c.modInputs.join(', ')}])`);
  if (c.plasticityEvery !== 1) throw new Error(`${path}.plasticityEvery must be 1 for gradient training (got ${c.plasticityEvery})`);
  if (c.activityDecay !== 0) throw new Error(`${path}.activityDecay must be 0 for gradient training (got ${c.activityDecay})`);
  // The trace runs the float64 kernels, and the backward pass differentiates them.
  if (c.synapseArithmetic !== 'f64') throw new Error(`${path}.synapseArithmetic must be "f64" for gradient training (got "${c.synapseArithmetic}")`);
  const rule = ruleByName(c.rule);
  if (rule && !rule.differentiable) throw new Error(`${path}.rule "${c.rule}" has no differentiable form; gradient training takes ${RULE_NAMES.filter((r) => ruleByName(r)?.differentiable !== false).join(', ')}`);
  // The gradient route learns W; weights drawn per episode have no gradient to follow.
  if (c.weights === 'random-per-episode') throw new Error(`${path}.weights must be "evolved" for gradient training (got "${c.weights}")`);
}

const f32 = Math.fround;

export class SequenceTrace {
  readonly config: SnnPolicyConfig;
  readonly nIn: number;
  readonly n: number;
  readonly nOut: number;
  /** Input steps per sequence. */
  readonly steps: number;
  /** SNN steps per sequence: steps x substeps. */
  readonly T: number;
  readonly plastic: boolean;
  readonly recurrent: boolean;
  readonly retro: boolean;
  readonly rule: PlasticityRule | null;
  readonly slices: ParamSlice[];
  readonly index: SliceIndex;
  readonly numParams: number;
  readonly params: Float32Array;
  readonly lifParams: LifParams;
  readonly coeff: RuleCoefficients = { eta: 0, tauTheta: 1 };
  etaE = 0;
  /** Readout leak beta_o (float32, as the policy stores it). */
  readonly readoutLeak: number;
  spike: SpikeMode = 'step';
  smoothSlope = 4;

  // Recorded state, slot t = after step t.
  readonly v: Float32Array[];
  readonly s: Float32Array[];
  readonly xbar: Float32Array[];
  readonly r: Float32Array[];
  readonly M: Float64Array;
  readonly m: Float32Array[];
  readonly d: Float32Array[];
  readonly k: Float32Array[];
  readonly theta: Float32Array[];
  readonly Hin: Float32Array[];
  readonly Hrec: Float32Array[];
  readonly Ein: Float32Array[];
  readonly Erec: Float32Array[];
  /** The input x_t of each SNN step (a view of the sequence's input row). */
  readonly x: Float32Array[];
  /** Readout u before tanh at the end of every input step, [steps, nOut]. */
  readonly out: Float32Array;
  private readonly states: LifState[];
  private readonly I: Float32Array;
  private readonly recNext: Float32Array;
  private readonly fa: Float32Array;
  private readonly fk: Float32Array;
  private readonly u: Float32Array;
  private readonly g: Float32Array;

  constructor(config: SnnPolicyConfig, nIn: number, nOut: number, steps: number) {
    checkBpttConfig(config);
    this.config = config;
    this.nIn = nIn;
    this.n = config.hidden[0];
    this.nOut = nOut;
    this.steps = steps;
    this.T = steps * config.substeps;
    this.plastic = isPlasticLayer(config, 0);
    this.recurrent = config.recurrent;
    this.retro = this.plastic && config.modulation === 'retroactive';
    this.rule = this.plastic ? ruleByName(config.rule) : null;
    this.slices = snnLayout(config, nIn, nOut);
    this.index = new SliceIndex(this.slices);
    this.numParams = layoutSize(this.slices);
    this.params = new Float32Array(this.numParams);
    const n = this.n;
    this.lifParams = {
      beta: new Float32Array(n).fill(config.leak),
      threshold: new Float32Array(n).fill(config.threshold),
      traceDecay: new Float32Array(n).fill(config.traceDecay),
    };
    this.readoutLeak = f32(config.readoutLeak);
    const slots = (len: number, on = true) => Array.from({ length: this.T + 1 }, () => new Float32Array(on ? len : 0));
    this.v = slots(n);
    this.s = slots(n);
    this.xbar = slots(n);
    this.r = slots(n);
    this.M = new Float64Array(this.T + 1);
    this.m = slots(n, this.plastic);
    this.d = slots(n, this.plastic);
    this.k = slots(n, this.plastic);
    this.theta = slots(n, this.plastic && this.rule!.hasTheta);
    this.Hin = slots(nIn * n, this.plastic);
    this.Hrec = slots(n * n, this.plastic && this.recurrent);
    this.Ein = slots(nIn * n, this.retro);
    this.Erec = slots(n * n, this.retro && this.recurrent);
    this.x = [];
    this.states = this.v.map((v, t) => ({ v, s: this.s[t], xbar: this.xbar[t], r: this.r[t] }));
    this.out = new Float32Array(steps * nOut);
    this.I = new Float32Array(n);
    this.recNext = new Float32Array(n);
    this.fa = new Float32Array(n);
    this.fk = new Float32Array(n);
    this.u = new Float32Array(nOut);
    this.g = new Float32Array(nOut);
  }

  /** A named slice of the loaded genome. */
  view(name: string): Float32Array {
    return this.index.view(this.params, name);
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  setParams(params: Float32Array | Float64Array): void {
    checkParamLength(params, this.numParams, 'gradient network');
    this.params.set(params);
    if (!this.plastic) return;
    if (this.has('hidden0.rule.eta_raw')) this.coeff.eta = sigmoid(this.view('hidden0.rule.eta_raw')[0]);
    for (const co of this.rule!.coefficients) this.coeff[co.field] = co.fromRaw(this.view(`hidden0.rule.${co.slice}`)[0]);
    if (this.retro) this.etaE = eligibilityRateFromGenome(this.view('hidden0.mod.eligibility_raw')[0]);
  }

  /** Runs one sequence (`input`: [steps, nIn], row-major) and records it; outputs land in `out`. */
  forward(input: Float32Array): Float32Array {
    const { n, nIn, T, plastic, recurrent, config } = this;
    if (input.length !== this.steps * nIn) throw new Error(`sequence input must have ${this.steps} x ${nIn} numbers (got ${input.length})`);
    const sub = config.substeps;
    const Win = this.view('hidden0.W_in');
    const b = this.view('hidden0.b');
    const Wrec = recurrent ? this.view('hidden0.W_rec') : this.I;
    const Ain = plastic ? this.view('hidden0.alpha_in') : this.I;
    const Arec = plastic && recurrent ? this.view('hidden0.alpha_rec') : this.I;
    const clip = config.clip;
    const { I, recNext, fa, fk } = this;
    recNext.fill(0);
    this.u.fill(0);
    for (const a of [this.v[0], this.s[0], this.xbar[0], this.r[0], this.theta[0], this.Hin[0], this.Hrec[0], this.Ein[0], this.Erec[0]]) a.fill(0);
    this.x.length = T + 1;
    this.x[0] = input.subarray(0, nIn);
    for (let t = 1; t <= T; t++) {
      const x = input.subarray(Math.floor((t - 1) / sub) * nIn, (Math.floor((t - 1) / sub) + 1) * nIn);
      this.x[t] = x;
      for (let j = 0; j < n; j++) I[j] = b[j] + recNext[j];
      // Input current, fused with H_in[t-1]'s deferred update from step t-1 (as SnnLayer does).
      if (!plastic) propagate(Win, x, I, nIn, n);
      else if (t === 1) propagatePlastic(Win, Ain, this.Hin[0], x, I, nIn, n);
      else {
        this.Hin[t - 1].set(this.Hin[t - 2]);
        this.fold(t - 1);
        if (this.retro) {
          this.Ein[t - 1].set(this.Ein[t - 2]);
          plasticFusedRetro(this.Hin[t - 1], this.Ein[t - 1], Win, Ain, this.x[t - 1], x, I, nIn, n, fa, fk, this.m[t - 1], this.etaE, clip);
        } else plasticFused(this.Hin[t - 1], Win, Ain, this.x[t - 1], x, I, nIn, n, fa, fk, clip);
      }
      this.lif(t);
      if (plastic) this.plasticity(t);
      if (recurrent) {
        recNext.fill(0);
        if (!plastic) propagate(Wrec, this.s[t], recNext, n, n);
        else {
          this.Hrec[t].set(this.Hrec[t - 1]);
          if (this.retro) {
            this.Erec[t].set(this.Erec[t - 1]);
            plasticFusedRetro(this.Hrec[t], this.Erec[t], Wrec, Arec, this.r[t], this.s[t], recNext, n, n, fa, fk, this.m[t], this.etaE, clip);
          } else plasticFused(this.Hrec[t], Wrec, Arec, this.r[t], this.s[t], recNext, n, n, fa, fk, clip);
        }
      }
      this.readout(t);
      if (t % sub === 0) this.out.set(this.u, (t / sub - 1) * this.nOut);
    }
    // H_in[T] is never read by a current; fill it for plots of |H| over time.
    if (plastic && T > 1) {
      this.Hin[T].set(this.Hin[T - 1]);
      this.fold(T);
      if (this.retro) {
        this.Ein[T].set(this.Ein[T - 1]);
        plasticFusedRetro(this.Hin[T], this.Ein[T], Win, Ain, this.x[T], null, I, nIn, n, fa, fk, this.m[T], this.etaE, clip);
      } else plasticFused(this.Hin[T], Win, Ain, this.x[T], null, I, nIn, n, fa, fk, clip);
    }
    return this.out;
  }

  /** The LIF step into slot t (lif.ts), or its smooth stand-in. */
  private lif(t: number): void {
    const st = this.states[t];
    st.v.set(this.v[t - 1]);
    st.s.set(this.s[t - 1]);
    st.xbar.set(this.xbar[t - 1]);
    if (this.spike === 'step') {
      lifStep(this.lifParams, st, this.I);
      return;
    }
    const { beta, threshold, traceDecay } = this.lifParams;
    for (let j = 0; j < this.n; j++) {
      const vj = f32(beta[j] * st.v[j] + this.I[j] - st.s[j] * threshold[j]);
      st.v[j] = vj;
      const sj = sigmoid(this.smoothSlope * (vj - threshold[j]));
      st.s[j] = sj;
      const x = traceDecay[j] * st.xbar[j] + sj;
      st.xbar[j] = x;
      st.r[j] = (1 - traceDecay[j]) * x;
    }
  }

  /** Learning rates m_t, rule factors (d, k)_t, the threshold's advance; leaves the folded factors in fa, fk. */
  private plasticity(t: number): void {
    const r = this.r[t];
    if (this.config.modulation === 'none') this.m[t].fill(this.coeff.eta);
    else {
      const M = modulatorOutput(this.view('hidden0.mod.w'), this.view('hidden0.mod.b')[0], r);
      this.M[t] = M;
      const per = this.config.perNeuronModulation;
      modulatedRates(M, per ? this.view('hidden0.mod.f') : null, per ? this.view('hidden0.mod.g') : null, this.m[t]);
    }
    const rule = this.rule!;
    const state = { theta: this.theta[t - 1] };
    rule.factors(this.coeff, state, r, this.d[t], this.k[t]);
    this.fold(t);
    if (rule.hasTheta) {
      this.theta[t].set(this.theta[t - 1]);
      rule.advance(this.coeff, { theta: this.theta[t] }, r);
    }
  }

  /** fa, fk: the factors the kernels take at step t (folded with m unless retroactive, as SnnLayer stores them). */
  private fold(t: number): void {
    const { fa, fk } = this;
    const d = this.d[t];
    const k = this.k[t];
    if (this.retro) {
      fa.set(d);
      fk.set(k);
      return;
    }
    const m = this.m[t];
    for (let j = 0; j < this.n; j++) {
      fa[j] = 1 + m[j] * d[j];
      fk[j] = m[j] * k[j];
    }
  }

  /** u = beta_o u + (1 - beta_o)(W^T s + b), in SnnPolicy's order of operations. */
  private readout(t: number): void {
    const W = this.view('readout.W');
    const bo = this.view('readout.b');
    const { u, g, nOut } = this;
    const beta = this.readoutLeak;
    for (let j = 0; j < nOut; j++) {
      g[j] = 1 - beta;
      u[j] = beta * u[j] + g[j] * bo[j];
    }
    const s = this.s[t];
    for (let i = 0; i < this.n; i++) {
      const si = s[i];
      if (si === 0) continue;
      const row = i * nOut;
      // A smooth spike scales the row; a binary one adds it (si = 1 multiplies exactly).
      for (let j = 0; j < nOut; j++) u[j] += si * g[j] * W[row + j];
    }
  }
}
