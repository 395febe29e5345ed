/**
 * One hidden layer of LIF neurons with (optionally) recurrent and plastic synapses: the
 * hot path of the SNN policy. Per SNN step t:
 *
 *   I_t  = b + sum_i x_i,t (W_in + alpha_in ⊙ H_in)_i. + sum_i s_i,t-1 (W_rec + alpha_rec ⊙ H_rec)_i.
 *   LIF step (lif.ts) -> s_t, r_t
 *   m_j  = eta | f_j M_t + g_j | M_t,   M_t = tanh(w_M . r_t + b_M)        (modulation.ts)
 *   delta_ij = d_j H_ij + k_j pre_i (+ c_j)                                (rules/rule.ts)
 *   H <- clip(H + m_j delta)  or, retroactive, E <- (1-eta_e)E + eta_e delta; H <- clip(H + m_j E)
 *
 * The rule's presynaptic activity is the layer input (normalized observation, or the
 * previous layer's rates r) for W_in and this layer's own rates r_t for W_rec; the
 * postsynaptic activity is r_t. An H updated at step t acts from step t+1.
 *
 * Why it is fast: x is either a dense observation (27 numbers) or binary spikes, so the
 * spiking inputs are propagated event-driven (only rows of presynaptic neurons that fired,
 * contiguous in the pre-major layout). The recurrent plastic update is fused with the
 * propagation of the new spikes, and the W_in update is deferred into the next step's
 * input pass, so each synapse is read and written once per step (`flushPending` applies
 * a deferred update early when H is read from outside). Every rule reduces to per-neuron
 * factors (a_j, k_j), so the synapse loop is one multiply-add and a branchless clip
 * (0.5(|u+c| - |u-c|): H often sits at the clip, where a branch mispredicts).
 * Everything is preallocated; `step` allocates nothing.
 *
 * Slow plasticity (`plasticityEvery` k, `activityDecay` d): H and E change on every k-th step
 * only (the others propagate with the H they have), and the rule's pre- and postsynaptic
 * activity are low-passed, a_t = d a_(t-1) + (1 - d) r_t. With k = 1 and d = 0 (the defaults)
 * the rule sees r_t itself and every step updates, exactly as above.
 *
 * A rule with coefficient tables (ABCD) has factors (d_j, k_j, c_j) of its own for W_in and
 * for W_rec (shared per neuron or per matrix, `affineFused`), or none at all (per synapse,
 * `abcdFused` reads the coefficient matrices). With random weights per episode the layer owns
 * W_in and W_rec instead of viewing the genome; the policy fills them at reset.
 *
 * The kernels are the JavaScript ones or their WebAssembly twins (`SynapseKernels`), in the
 * config's `synapseArithmetic`; every array they take comes from the kernels' allocator, the
 * genome views from the policy's.
 */

import type { SnnPolicyConfig } from './config.ts';
import { createLifState, lifStep, resetLifState, type LifParams, type LifState } from './lif.ts';
import { eligibilityRateFromGenome, type ModulationName } from './modulation.ts';
import { sigmoid } from './reparam.ts';
import { createRuleState, sharedUnits, type PlasticityRule, type RuleCoefficients, type RuleState, type RuleTable } from './rules/rule.ts';
import type { SliceIndex } from './layout.ts';
import { jsKernelsFor, type SynapseKernels } from './synapse-kernels.ts';

const EMPTY: Float32Array = new Float32Array(0);

export class SnnLayer {
  readonly n: number;
  readonly nIn: number;
  /** Inputs are binary spikes (propagated event-driven) rather than a dense observation. */
  readonly spikingInput: boolean;
  readonly recurrent: boolean;
  readonly plastic: boolean;
  readonly modulation: ModulationName;
  readonly perNeuron: boolean;
  readonly clip: number;
  private readonly rule: PlasticityRule | null;
  /** The rule's coefficient table (ABCD), and whether it is shared per synapse. */
  private readonly table: RuleTable | null;
  private readonly perSynapse: boolean;
  /** W_in and W_rec are the layer's own arrays (random per episode), not genome views. */
  readonly ownWeights: boolean;
  private readonly prefix: string;
  private readonly cfg: SnnPolicyConfig;
  private readonly kernels: SynapseKernels;
  /** The JavaScript kernels of the same arithmetic, for arrays outside the kernels' memory. */
  private readonly reference: SynapseKernels;

  // Parameter views (rebound by `bind`).
  Win = EMPTY;
  Wrec = EMPTY;
  b = EMPTY;
  alphaIn = EMPTY;
  alphaRec = EMPTY;
  /** The coefficient tables of W_in and W_rec ([rows, units] each), and their units. */
  private tabIn = EMPTY;
  private tabRec = EMPTY;
  private readonly unitsIn: number;
  private readonly unitsRec: number;
  private modW = EMPTY;
  private modB = 0;
  private modF = EMPTY;
  private modG = EMPTY;
  /** The modulator's weights on the context c_t (empty without modInputs). */
  private modV = EMPTY;
  /** The context c_t (previous reward, previous action), owned by the policy. */
  modContext = EMPTY;
  private etaE = 0;
  readonly coeff: RuleCoefficients = { eta: 0, tauTheta: 1 };
  readonly lifParams: LifParams;

  // Per-episode state.
  readonly lif: LifState;
  /** Input current of the last step. */
  readonly I: Float32Array;
  /** Recurrent current for the next step, accumulated while the new spikes are known. */
  readonly recNext: Float32Array;
  readonly Hin: Float32Array;
  readonly Hrec: Float32Array;
  readonly Ein: Float32Array;
  readonly Erec: Float32Array;
  readonly ruleState: RuleState;
  /** The modulator M_t of the last step (0 without modulation). */
  M = 0;
  /**
   * While true, H (and the BCM thresholds' effect on it) stays as it is: every learning rate
   * m_j is 0. An analysis lesion ("freeze what was learned so far"); `reset` clears it.
   */
  plasticityFrozen = false;
  /** Spikes since the last reset, for firing-rate statistics. */
  spikeCount = 0;
  steps = 0;
  /**
   * When set, every step adds each neuron's spike here: a recorder's tally of which neurons
   * fired within a control step. The network never reads it.
   */
  spikeTally: Uint16Array | null = null;

  // Per-neuron scratch: learning rates m_j and rule factors (d_j, k_j) or (a_j, k_j).
  private readonly m: Float32Array;
  private readonly fa: Float32Array;
  private readonly fk: Float32Array;
  /** Table rules: the constant term c_j for W_rec, and the three factors for W_in (kept for the deferred update). */
  private readonly fc: Float32Array;
  private readonly faIn: Float32Array;
  private readonly fkIn: Float32Array;
  private readonly fcIn: Float32Array;
  /** Presynaptic activity of a W_in update not yet applied, and whether there is one. */
  private readonly pendingPre: Float32Array;
  private pending = false;
  /** Slow plasticity: update every k-th step, and the low-pass factor of the rule's activity (0: none). */
  private readonly every: number;
  private readonly decay: number;
  /** The postsynaptic (and recurrent presynaptic) activity the rule sees: lif.r, or its low-pass. */
  private readonly rulePost: Float32Array;
  /** The low-passed input activity the rule sees on W_in (empty without a low-pass). */
  private readonly slowPre: Float32Array;

  constructor(
    cfg: SnnPolicyConfig, l: number, nIn: number, rule: PlasticityRule | null, plastic: boolean,
    kernels: SynapseKernels = jsKernelsFor(cfg.synapseArithmetic),
  ) {
    if (kernels.arithmetic !== cfg.synapseArithmetic) throw new Error(`SnnLayer: ${kernels.arithmetic} kernels for policy.synapseArithmetic "${cfg.synapseArithmetic}"`);
    this.cfg = cfg;
    this.kernels = kernels;
    this.reference = jsKernelsFor(cfg.synapseArithmetic);
    const alloc = (length: number) => kernels.alloc(length);
    this.prefix = `hidden${l}`;
    this.n = cfg.hidden[l];
    this.nIn = nIn;
    this.spikingInput = l > 0;
    this.recurrent = cfg.recurrent;
    this.plastic = plastic && rule !== null;
    this.rule = this.plastic ? rule : null;
    this.table = this.rule?.table ?? null;
    this.perSynapse = this.table !== null && cfg.ruleSharing === 'synapse';
    this.unitsIn = sharedUnits(cfg.ruleSharing, nIn, cfg.hidden[l]);
    this.unitsRec = sharedUnits(cfg.ruleSharing, cfg.hidden[l], cfg.hidden[l]);
    this.ownWeights = cfg.weights === 'random-per-episode';
    this.modulation = this.plastic ? cfg.modulation : 'none';
    this.perNeuron = cfg.perNeuronModulation;
    this.clip = cfg.clip;
    const n = this.n;
    this.lifParams = {
      beta: new Float32Array(n).fill(cfg.leak),
      threshold: new Float32Array(n).fill(cfg.threshold),
      traceDecay: new Float32Array(n).fill(cfg.traceDecay),
    };
    this.lif = createLifState(n, alloc);
    this.I = alloc(n);
    this.recNext = alloc(n);
    const retro = this.modulation === 'retroactive';
    this.Hin = alloc(this.plastic ? nIn * n : 0);
    this.Hrec = alloc(this.plastic && this.recurrent ? n * n : 0);
    this.Ein = alloc(retro ? nIn * n : 0);
    this.Erec = alloc(retro && this.recurrent ? n * n : 0);
    this.ruleState = this.rule ? createRuleState(this.rule, n) : { theta: EMPTY };
    this.m = alloc(n);
    this.fa = alloc(n);
    this.fk = alloc(n);
    const tableN = this.table ? n : 0;
    this.fc = alloc(tableN);
    this.faIn = alloc(tableN);
    this.fkIn = alloc(tableN);
    this.fcIn = alloc(tableN);
    this.pendingPre = alloc(nIn);
    this.every = cfg.plasticityEvery;
    this.decay = this.plastic ? cfg.activityDecay : 0;
    this.rulePost = this.decay > 0 ? alloc(n) : this.lif.r;
    this.slowPre = alloc(this.decay > 0 ? nIn : 0);
    if (this.ownWeights) {
      this.Win = alloc(nIn * n);
      if (this.recurrent) this.Wrec = alloc(n * n);
    }
  }

  /**
   * An upper bound on the bytes a layer of n neurons with nIn inputs allocates from its
   * kernels: the arrays above, each rounded up to 16 bytes.
   */
  static kernelBytes(n: number, nIn: number): number {
    return 4 * (3 * nIn * n + 3 * n * n + 14 * n + 2 * nIn) + 22 * 16;
  }

  /** Takes views of the genome and derives the reparametrized coefficients. */
  bind(params: Float32Array, idx: SliceIndex): void {
    const p = this.prefix;
    if (!this.ownWeights) {
      this.Win = idx.view(params, `${p}.W_in`);
      if (this.recurrent) this.Wrec = idx.view(params, `${p}.W_rec`);
    }
    this.b = idx.view(params, `${p}.b`);
    if (this.cfg.learnNeuronParams) {
      const leak = idx.view(params, `${p}.leak_raw`);
      const th = idx.view(params, `${p}.threshold_raw`);
      const tr = idx.view(params, `${p}.trace_raw`);
      for (let j = 0; j < this.n; j++) {
        this.lifParams.beta[j] = sigmoid(leak[j]);
        this.lifParams.threshold[j] = Math.exp(th[j]);
        this.lifParams.traceDecay[j] = sigmoid(tr[j]);
      }
    }
    if (!this.plastic) return;
    this.alphaIn = idx.view(params, `${p}.alpha_in`);
    if (this.recurrent) this.alphaRec = idx.view(params, `${p}.alpha_rec`);
    if (this.modulation === 'none') this.coeff.eta = sigmoid(idx.view(params, `${p}.rule.eta_raw`)[0]);
    for (const co of this.rule?.coefficients ?? []) this.coeff[co.field] = co.fromRaw(idx.view(params, `${p}.rule.${co.slice}`)[0]);
    if (this.table) {
      this.tabIn = idx.view(params, `${p}.rule.${this.table.slice}_in`);
      if (this.recurrent) this.tabRec = idx.view(params, `${p}.rule.${this.table.slice}_rec`);
    }
    if (this.modulation === 'none') return;
    this.modW = idx.view(params, `${p}.mod.w`);
    this.modB = idx.view(params, `${p}.mod.b`)[0];
    if (this.perNeuron) {
      this.modF = idx.view(params, `${p}.mod.f`);
      this.modG = idx.view(params, `${p}.mod.g`);
    }
    if (this.modulation === 'retroactive') this.etaE = eligibilityRateFromGenome(idx.view(params, `${p}.mod.eligibility_raw`)[0]);
    if (idx.has(`${p}.mod.v`)) this.modV = idx.view(params, `${p}.mod.v`);
  }

  /** Zeroes membranes, traces and the pending recurrent current (not the synapses). */
  resetActivity(): void {
    this.flushPending();
    resetLifState(this.lif);
    this.I.fill(0);
    this.recNext.fill(0);
    this.M = 0;
    if (this.decay > 0) {
      this.rulePost.fill(0);
      this.slowPre.fill(0);
    }
  }

  /** Zeroes all per-episode state: activity, H, E, BCM thresholds, statistics. */
  reset(): void {
    this.resetActivity();
    this.pending = false;
    this.Hin.fill(0);
    this.Hrec.fill(0);
    this.Ein.fill(0);
    this.Erec.fill(0);
    this.ruleState.theta.fill(0);
    this.spikeCount = 0;
    this.steps = 0;
    this.plasticityFrozen = false;
  }

  /**
   * One SNN step. `x` drives the current (observation or previous layer's spikes); `pre`
   * is the presynaptic activity the rule sees on W_in (observation or previous rates).
   */
  step(x: Float32Array, pre: Float32Array): void {
    const n = this.n;
    const I = this.I;
    const b = this.b;
    const recNext = this.recNext;
    for (let j = 0; j < n; j++) I[j] = b[j] + recNext[j];
    this.inputCurrent(x);
    this.spikeCount += lifStep(this.lifParams, this.lif, I);
    this.steps++;
    const tally = this.spikeTally;
    if (tally !== null) {
      const s = this.lif.s;
      for (let j = 0; j < n; j++) tally[j] += s[j];
    }
    if (!this.plastic) {
      if (this.recurrent) this.propagateStatic();
      return;
    }
    let rulePre = pre;
    if (this.decay > 0) {
      lowPass(this.rulePost, this.lif.r, this.decay);
      lowPass(this.slowPre, pre, this.decay);
      rulePre = this.slowPre;
    }
    if (this.every > 1 && this.steps % this.every !== 0) {
      // No update on this step: the synapses act with the H they have.
      if (this.recurrent) {
        this.recNext.fill(0);
        this.kernels.propagatePlastic(this.Wrec, this.alphaRec, this.Hrec, this.lif.s, this.recNext, n, n);
      }
      this.rule?.advance(this.coeff, this.ruleState, this.rulePost);
      return;
    }
    this.learningRates();
    if (this.plasticityFrozen) this.m.fill(0);
    if (this.table) {
      this.tableStep(this.table, rulePre);
      return;
    }
    const rule = this.rule as PlasticityRule;
    rule.factors(this.coeff, this.ruleState, this.rulePost, this.fa, this.fk);
    if (this.modulation !== 'retroactive') {
      // Fold the learning rate into the factors: H <- a_j H + k_j pre.
      const m = this.m;
      const fa = this.fa;
      const fk = this.fk;
      for (let j = 0; j < n; j++) {
        fa[j] = 1 + m[j] * fa[j];
        fk[j] = m[j] * fk[j];
      }
    }
    if (this.recurrent) this.updateRecurrent();
    // The W_in update is deferred to the next step's input pass (see inputCurrent); it
    // needs this step's presynaptic activity, which the caller may overwrite meanwhile.
    this.pendingPre.set(rulePre);
    this.pending = true;
    rule.advance(this.coeff, this.ruleState, this.rulePost);
  }

  /**
   * The plastic part of `step` for a rule with coefficient tables: factors for W_rec and W_in
   * (none per synapse), the learning rate folded in unless retroactive, then the same
   * recurrent update and deferred input update as the other rules.
   */
  private tableStep(table: RuleTable, pre: Float32Array): void {
    if (!this.perSynapse) {
      const post = this.rulePost;
      table.factors(this.tabIn, this.unitsIn, post, this.faIn, this.fkIn, this.fcIn);
      if (this.recurrent) table.factors(this.tabRec, this.unitsRec, post, this.fa, this.fk, this.fc);
      if (this.modulation !== 'retroactive') {
        foldRate(this.m, this.faIn, this.fkIn, this.fcIn);
        if (this.recurrent) foldRate(this.m, this.fa, this.fk, this.fc);
      }
    }
    if (this.recurrent) this.updateRecurrent();
    this.pendingPre.set(pre);
    this.pending = true;
  }

  /** m_j: the rule's eta, the modulator M_t, or f_j M_t + g_j. */
  private learningRates(): void {
    const m = this.m;
    const n = this.n;
    if (this.modulation === 'none') {
      m.fill(this.coeff.eta);
      return;
    }
    const r = this.lif.r;
    const w = this.modW;
    let z = this.modB;
    for (let j = 0; j < n; j++) z += w[j] * r[j];
    const v = this.modV;
    const ctx = this.modContext;
    for (let i = 0; i < v.length; i++) z += v[i] * ctx[i];
    const M = Math.tanh(z);
    this.M = M;
    if (this.perNeuron) {
      const f = this.modF;
      const g = this.modG;
      for (let j = 0; j < n; j++) m[j] = f[j] * M + g[j];
    } else {
      m.fill(M);
    }
  }

  /**
   * Adds the feedforward current. For a plastic layer the W_in update of the previous step
   * was deferred to here, so each input synapse is read and written once per step: update
   * H_in with the stored presynaptic activity and factors, then use the new value.
   */
  private inputCurrent(x: Float32Array): void {
    const { n, nIn, I } = this;
    if (!this.plastic) {
      this.kernels.propagate(this.Win, x, I, nIn, n);
    } else if (!this.pending) {
      this.kernels.propagatePlastic(this.Win, this.alphaIn, this.Hin, x, I, nIn, n);
    } else {
      this.updateInput(x);
    }
  }

  /** Applies a deferred W_in update now (before H is read from outside, or activity reset). */
  flushPending(): void {
    if (this.pending) this.updateInput(null);
  }

  /**
   * The deferred W_in update with the stored presynaptic activity, fused with the input pass
   * when `x` is given. Per-synapse ABCD reads the postsynaptic rates and learning rates of the
   * step that deferred it: both are still in lif.r and m, because it runs before the next LIF
   * step (and before `resetActivity` clears them).
   */
  private updateInput(x: Float32Array | null): void {
    this.pending = false;
    const { n, nIn, I, kernels: k } = this;
    const E = this.modulation === 'retroactive' ? this.Ein : null;
    if (this.perSynapse) {
      k.abcdFused(this.Hin, E, this.Win, this.alphaIn, this.tabIn, this.pendingPre, this.rulePost, x, I, nIn, n, this.m, this.etaE, this.clip);
    } else if (this.table) {
      k.affineFused(this.Hin, E, this.Win, this.alphaIn, this.pendingPre, x, I, nIn, n, this.faIn, this.fkIn, this.fcIn, this.m, this.etaE, this.clip);
    } else if (E) {
      k.plasticFusedRetro(this.Hin, E, this.Win, this.alphaIn, this.pendingPre, x, I, nIn, n, this.fa, this.fk, this.m, this.etaE, this.clip);
    } else {
      k.plasticFused(this.Hin, this.Win, this.alphaIn, this.pendingPre, x, I, nIn, n, this.fa, this.fk, this.clip);
    }
  }

  /**
   * Writes H_in as the next step will use it (any deferred update applied) into `H`, and E_in
   * likewise into `E` (retroactive modulation; empty otherwise), leaving the layer untouched.
   * For reading H every control step: `flushPending` would make the next input pass read the
   * float32-rounded H instead of the fused kernel's unrounded value, which moves membranes in
   * their last bits.
   */
  peekInput(H: Float32Array, E: Float32Array): void {
    H.set(this.Hin);
    E.set(this.Ein);
    if (!this.pending) return;
    const { n, nIn } = this;
    // H and E are the caller's arrays, outside any kernel memory: the JavaScript kernels, which
    // give the same bits. With x = null they write H (and E) only, not the current passed as `out`.
    const k = this.reference;
    if (this.modulation === 'retroactive') {
      k.plasticFusedRetro(H, E, this.Win, this.alphaIn, this.pendingPre, null, this.I, nIn, n, this.fa, this.fk, this.m, this.etaE, this.clip);
    } else {
      k.plasticFused(H, this.Win, this.alphaIn, this.pendingPre, null, this.I, nIn, n, this.fa, this.fk, this.clip);
    }
  }

  /** recNext = W_rec^T s_t, adding only the rows of neurons that fired. */
  private propagateStatic(): void {
    this.recNext.fill(0);
    this.kernels.propagate(this.Wrec, this.lif.s, this.recNext, this.n, this.n);
  }

  /** H_rec update (pre = this layer's rates, as the rule sees them) fused with recNext = (W + alpha ⊙ H)^T s_t. */
  private updateRecurrent(): void {
    const { n, lif, recNext, kernels: k } = this;
    const r = this.rulePost;
    recNext.fill(0);
    const E = this.modulation === 'retroactive' ? this.Erec : null;
    if (this.perSynapse) {
      k.abcdFused(this.Hrec, E, this.Wrec, this.alphaRec, this.tabRec, r, r, lif.s, recNext, n, n, this.m, this.etaE, this.clip);
    } else if (this.table) {
      k.affineFused(this.Hrec, E, this.Wrec, this.alphaRec, r, lif.s, recNext, n, n, this.fa, this.fk, this.fc, this.m, this.etaE, this.clip);
    } else if (E) {
      k.plasticFusedRetro(this.Hrec, this.Erec, this.Wrec, this.alphaRec, r, lif.s, recNext, n, n, this.fa, this.fk, this.m, this.etaE, this.clip);
    } else {
      k.plasticFused(this.Hrec, this.Wrec, this.alphaRec, r, lif.s, recNext, n, n, this.fa, this.fk, this.clip);
    }
  }
}

/** Folds the learning rate into the factors: a_j = 1 + m_j d_j, k_j = m_j k_j, c_j = m_j c_j. */
function foldRate(m: Float32Array, a: Float32Array, k: Float32Array, c: Float32Array): void {
  for (let j = 0; j < m.length; j++) {
    a[j] = 1 + m[j] * a[j];
    k[j] = m[j] * k[j];
    c[j] = m[j] * c[j];
  }
}

/** a <- d a + (1 - d) x, elementwise. */
function lowPass(a: Float32Array, x: Float32Array, d: number): void {
  const e = 1 - d;
  for (let i = 0; i < a.length; i++) a[i] = d * a[i] + e * x[i];
}
