/**
 * Backpropagation through time for the plastic SNN, written by hand over Float32Array traces
 * (bptt-trace.ts records the forward pass). Gradients reach every slice of the genome the
 * network reads: W_in, W_rec, b, alpha_in, alpha_rec, the rule's eta and tau, the modulatory
 * head (w_M, b_M, f, g), the eligibility rate and the readout.
 *
 * Choices (the TensorFlow.js form, tf-bptt.ts, makes the same ones):
 * - The spike's derivative is a fast-sigmoid surrogate,
 *     ds_t/dv_t = psi(v_t) = scale / (1 + slope |v_t - v_th|)^2
 *   (Zenke & Ganguli's SuperSpike shape), or with `spike: 'smooth'` the true derivative of
 *   s = sigmoid(slope (v - v_th)), which gradient checks use.
 * - The reset term -v_th s_{t-1} is detached by default (no gradient flows through it, as in
 *   snnTorch), so a spike's credit is not cancelled by its own reset; `detachReset: false` keeps it.
 * - The clip passes the gradient where |H| < c and blocks it where H sits at +-c.
 * - The trace's flush of values below 1e-20 to zero is ignored (a measure-zero kink).
 *
 * Per step t, walking back from T with the adjoints of the future (gv = dL/dv_t, gs = dL/ds_t,
 * gx = dL/dxbar_t, gH = dL/dH[t], gE = dL/dE[t], gtheta = dL/dtheta_t, go = dL/du_t):
 *   readout:   gs += (1 - beta_o) W_out go;  gW_out += (1 - beta_o) s_t go^T;  go <- beta_o go
 *   H update (u = a_j H[t-1] + c_j pre, a_j = 1 + m_j d_j, c_j = m_j k_j, H[t] = clip u):
 *              gu = gH [|H[t]| < c];  ga_j = sum_i gu H[t-1];  gc_j = sum_i gu pre_i;  gpre_i = sum_j gu c_j
 *              gm_j = ga_j d_j + gc_j k_j;  gd_j = ga_j m_j;  gk_j = gc_j m_j;  gH <- a_j gu
 *   retroactive (u = H[t-1] + m_j E[t]):  ge = gE + m_j gu;  gm_j += gu E[t];  gH <- gu + eta_e d_j ge;
 *              gd_j += eta_e ge H[t-1];  gk_j += eta_e ge pre_i;  gE <- (1 - eta_e) ge
 *   rule:      (gd, gk) -> gr_t, gtheta_{t-1} (rules' backFactors, backAdvance)
 *   modulator: gM = sum_j f_j gm_j;  gz = gM (1 - M^2);  gw_M += gz r_t;  gr_t += gz w_M
 *   neuron:    gx += (1 - lambda) gr_t;  gs += gx;  gv += psi(v_t) gs;  gI = gv
 *   current:   gb += gI;  gW_in += x gI^T;  galpha_in += (x gI^T) ⊙ H_in[t-1];  gH_in += alpha_in ⊙ x gI^T
 *              gs_{t-1} = (W_rec + alpha_rec ⊙ H_rec[t-1]) gI   (and the same three terms for W_rec)
 *   carry:     gv <- beta gv;  gx <- lambda gx;  gs <- gs_{t-1} (- v_th gv_t when the reset is kept)
 */

import type { SnnPolicyConfig } from './config.ts';
import { modulatedRatesBackward } from './modulation.ts';
import { SequenceTrace, type SpikeMode } from './bptt-trace.ts';

export interface BpttOptions {
  /** 'step' (spikes, surrogate gradient) or 'smooth' (a differentiable stand-in, for gradient checks). */
  spike: SpikeMode;
  /** Surrogate slope (step) or the logistic's steepness (smooth). */
  slope: number;
  /** Surrogate height at threshold (step only). */
  scale: number;
  /** Whether the reset term is left out of the gradient. */
  detachReset: boolean;
}

export const defaultBpttOptions: Readonly<BpttOptions> = Object.freeze({ spike: 'step', slope: 5, scale: 0.5, detachReset: true });

export class SnnBptt {
  readonly trace: SequenceTrace;
  readonly opts: BpttOptions;
  private readonly gv: Float64Array;
  private readonly gs: Float64Array;
  private readonly gsPrev: Float64Array;
  private readonly gx: Float64Array;
  private readonly gr: Float64Array;
  private readonly gTheta: Float64Array;
  private readonly ga: Float64Array;
  private readonly gc: Float64Array;
  private readonly gm: Float64Array;
  private readonly gd: Float64Array;
  private readonly gk: Float64Array;
  private readonly gpre: Float64Array;
  private readonly go: Float64Array;
  private readonly gHin: Float64Array;
  private readonly gHrec: Float64Array;
  private readonly gEin: Float64Array;
  private readonly gErec: Float64Array;

  constructor(config: SnnPolicyConfig, nIn: number, nOut: number, steps: number, opts: Partial<BpttOptions> = {}) {
    this.opts = { ...defaultBpttOptions, ...opts };
    this.trace = new SequenceTrace(config, nIn, nOut, steps);
    this.trace.spike = this.opts.spike;
    this.trace.smoothSlope = this.opts.slope;
    const n = this.trace.n;
    const t = this.trace;
    const f = (len: number) => new Float64Array(len);
    this.gv = f(n);
    this.gs = f(n);
    this.gsPrev = f(n);
    this.gx = f(n);
    this.gr = f(n);
    this.gTheta = f(n);
    this.ga = f(n);
    this.gc = f(n);
    this.gm = f(n);
    this.gd = f(n);
    this.gk = f(n);
    this.gpre = f(Math.max(n, nIn));
    this.go = f(nOut);
    this.gHin = f(t.plastic ? nIn * n : 0);
    this.gHrec = f(t.plastic && t.recurrent ? n * n : 0);
    this.gEin = f(t.retro ? nIn * n : 0);
    this.gErec = f(t.retro && t.recurrent ? n * n : 0);
  }

  get numParams(): number {
    return this.trace.numParams;
  }

  setParams(params: Float32Array | Float64Array): void {
    this.trace.setParams(params);
  }

  /** Runs one sequence and records it; returns the readout u at the end of every input step. */
  forward(input: Float32Array): Float32Array {
    return this.trace.forward(input);
  }

  /** Mean spikes per SNN step of each neuron over the last `forward`, into `out` (length n). */
  rates(out: Float64Array): Float64Array {
    const tr = this.trace;
    out.fill(0);
    for (let t = 1; t <= tr.T; t++) {
      const s = tr.s[t];
      for (let j = 0; j < tr.n; j++) out[j] += s[j];
    }
    for (let j = 0; j < tr.n; j++) out[j] /= tr.T;
    return out;
  }

  /** ds/dv at membrane v of neuron j (surrogate, or the smooth spike's true derivative). */
  private psi(t: number, j: number): number {
    const tr = this.trace;
    if (this.opts.spike === 'smooth') {
      const s = tr.s[t][j];
      return this.opts.slope * s * (1 - s);
    }
    const a = 1 + this.opts.slope * Math.abs(tr.v[t][j] - tr.lifParams.threshold[j]);
    return this.opts.scale / (a * a);
  }

  /**
   * Adds dL/dparams of the last `forward` to `grad` (length numParams), given dL/du for every
   * input step's output (`gOut`, [steps, nOut]) and an optional dL/ds_t,j that is the same at
   * every step (`rateGrad`, [n]: a firing-rate penalty's).
   */
  backward(gOut: Float64Array, rateGrad: Float64Array | null, grad: Float64Array): void {
    const tr = this.trace;
    const { n, nIn, nOut, T, plastic, recurrent, retro } = tr;
    const sub = tr.config.substeps;
    const G = (name: string) => {
      const s = tr.index.get(name);
      return grad.subarray(s.offset, s.offset + s.length);
    };
    const gWin = G('hidden0.W_in');
    const gb = G('hidden0.b');
    const gWrec = recurrent ? G('hidden0.W_rec') : gb;
    const gAin = plastic ? G('hidden0.alpha_in') : gb;
    const gArec = plastic && recurrent ? G('hidden0.alpha_rec') : gb;
    const gWout = G('readout.W');
    const gbout = G('readout.b');
    const Win = tr.view('hidden0.W_in');
    const Wrec = recurrent ? tr.view('hidden0.W_rec') : tr.params;
    const Ain = plastic ? tr.view('hidden0.alpha_in') : tr.params;
    const Arec = plastic && recurrent ? tr.view('hidden0.alpha_rec') : tr.params;
    const Wout = tr.view('readout.W');
    const { beta, threshold, traceDecay } = tr.lifParams;
    const betaO = tr.readoutLeak;
    const gainO = Math.fround(1 - betaO);
    const { gv, gx, gr, gTheta, go, gHin, gHrec, gEin, gErec } = this;
    let gs = this.gs;
    let gsPrev = this.gsPrev;
    for (const a of [gv, gs, gx, gTheta, go, gHin, gHrec, gEin, gErec]) a.fill(0);
    let gTau = 0;
    let gEtaE = 0;
    let gEta = 0;
    for (let t = T; t >= 1; t--) {
      // Readout u_t.
      if (t % sub === 0) for (let j = 0; j < nOut; j++) go[j] += gOut[(t / sub - 1) * nOut + j];
      const s = tr.s[t];
      for (let i = 0; i < n; i++) {
        const row = i * nOut;
        let acc = 0;
        for (let j = 0; j < nOut; j++) acc += Wout[row + j] * go[j];
        gs[i] += gainO * acc;
        const si = s[i];
        if (si !== 0) for (let j = 0; j < nOut; j++) gWout[row + j] += gainO * si * go[j];
      }
      for (let j = 0; j < nOut; j++) {
        gbout[j] += gainO * go[j];
        go[j] *= betaO;
      }
      if (rateGrad) for (let j = 0; j < n; j++) gs[j] += rateGrad[j];
      gr.fill(0);
      if (plastic) {
        const rule = tr.rule!;
        if (rule.hasTheta) gTau += rule.backAdvance(tr.coeff, tr.theta[t - 1], tr.r[t], gTheta, gr);
        // Nothing reads H[T], so the updates of the last step have no gradient.
        if (t < T) {
          if (retro) gEtaE += this.retroUpdate(t);
          else this.plainUpdate(t);
          rule.backFactors(tr.theta[t - 1], tr.r[t], this.gd, this.gk, gr, gTheta);
          gEta += this.modulationBackward(t, grad);
        }
      }
      // Rates, traces, spikes, membrane.
      const v = tr.v[t];
      for (let j = 0; j < n; j++) {
        gx[j] += (1 - traceDecay[j]) * gr[j];
        gs[j] += gx[j];
        gv[j] += this.psi(t, j) * gs[j];
        gb[j] += gv[j];
      }
      void v;
      // Input current I_t: x_t (W_in + alpha_in ⊙ H_in[t-1]).
      const x = tr.x[t];
      const HinPrev = plastic ? tr.Hin[t - 1] : null;
      for (let i = 0; i < nIn; i++) {
        const xi = x[i];
        if (xi === 0) continue;
        const row = i * n;
        if (HinPrev) {
          for (let j = 0; j < n; j++) {
            const q = row + j;
            const gq = xi * gv[j];
            gWin[q] += gq;
            gAin[q] += gq * HinPrev[q];
            gHin[q] += Ain[q] * gq;
          }
        } else for (let j = 0; j < n; j++) gWin[row + j] += xi * gv[j];
      }
      // Recurrent current: s_{t-1} (W_rec + alpha_rec ⊙ H_rec[t-1]).
      gsPrev.fill(0);
      if (recurrent) {
        const sPrev = tr.s[t - 1];
        const HrecPrev = plastic ? tr.Hrec[t - 1] : null;
        for (let i = 0; i < n; i++) {
          const si = sPrev[i];
          const row = i * n;
          let acc = 0;
          if (HrecPrev) {
            for (let j = 0; j < n; j++) {
              const q = row + j;
              const h = HrecPrev[q];
              acc += (Wrec[q] + Arec[q] * h) * gv[j];
            }
            if (si !== 0) {
              for (let j = 0; j < n; j++) {
                const q = row + j;
                const gq = si * gv[j];
                gWrec[q] += gq;
                gArec[q] += gq * HrecPrev[q];
                gHrec[q] += Arec[q] * gq;
              }
            }
          } else {
            for (let j = 0; j < n; j++) acc += Wrec[row + j] * gv[j];
            if (si !== 0) for (let j = 0; j < n; j++) gWrec[row + j] += si * gv[j];
          }
          gsPrev[i] = acc;
        }
      }
      if (!this.opts.detachReset) for (let j = 0; j < n; j++) gsPrev[j] -= threshold[j] * gv[j];
      for (let j = 0; j < n; j++) {
        gv[j] *= beta[j];
        gx[j] *= traceDecay[j];
      }
      const swap = gs;
      gs = gsPrev;
      gsPrev = swap;
    }
    this.gs.fill(0);
    this.gsPrev.fill(0);
    if (!plastic) return;
    if (tr.has('hidden0.rule.eta_raw')) G('hidden0.rule.eta_raw')[0] += gEta * tr.coeff.eta * (1 - tr.coeff.eta);
    for (const co of tr.rule!.coefficients) G(`hidden0.rule.${co.slice}`)[0] += gTau * co.dFromRaw(tr.coeff[co.field]);
    if (retro) G('hidden0.mod.eligibility_raw')[0] += gEtaE * tr.etaE * (1 - tr.etaE);
  }

  /** Backward of H[t] = clip((1 + m d) H[t-1] + m k pre) for both synapse sets; leaves gm, gd, gk. */
  private plainUpdate(t: number): void {
    const tr = this.trace;
    const { n, nIn, recurrent } = tr;
    const { ga, gc, gm, gd, gk, gpre, gr } = this;
    const clip = tr.config.clip;
    const m = tr.m[t];
    const d = tr.d[t];
    const k = tr.k[t];
    ga.fill(0);
    gc.fill(0);
    const pass = (gH: Float64Array, Hnew: Float32Array, Hprev: Float32Array, pre: Float32Array, nPre: number, wantPre: boolean) => {
      for (let i = 0; i < nPre; i++) {
        const p = pre[i];
        const row = i * n;
        let gp = 0;
        for (let j = 0; j < n; j++) {
          const q = row + j;
          const h = Hnew[q];
          const gu = h < clip && h > -clip ? gH[q] : 0;
          ga[j] += gu * Hprev[q];
          gc[j] += gu * p;
          gp += gu * m[j] * k[j];
          gH[q] = (1 + m[j] * d[j]) * gu;
        }
        if (wantPre) gpre[i] = gp;
      }
    };
    pass(this.gHin, tr.Hin[t], tr.Hin[t - 1], tr.x[t], nIn, false);
    if (recurrent) {
      pass(this.gHrec, tr.Hrec[t], tr.Hrec[t - 1], tr.r[t], n, true);
      for (let i = 0; i < n; i++) gr[i] += gpre[i];
    }
    for (let j = 0; j < n; j++) {
      gm[j] = ga[j] * d[j] + gc[j] * k[j];
      gd[j] = ga[j] * m[j];
      gk[j] = gc[j] * m[j];
    }
  }

  /** Backward of E[t] = (1 - eta_e) E[t-1] + eta_e (d H[t-1] + k pre), H[t] = clip(H[t-1] + m E[t]); returns dL/deta_e. */
  private retroUpdate(t: number): number {
    const tr = this.trace;
    const { n, nIn, recurrent } = tr;
    const { gm, gd, gk, gpre, gr } = this;
    const clip = tr.config.clip;
    const etaE = tr.etaE;
    const keep = 1 - etaE;
    const m = tr.m[t];
    const d = tr.d[t];
    const k = tr.k[t];
    gm.fill(0);
    gd.fill(0);
    gk.fill(0);
    let gEtaE = 0;
    const pass = (gH: Float64Array, gE: Float64Array, Hnew: Float32Array, Hprev: Float32Array, Enew: Float32Array, Eprev: Float32Array, pre: Float32Array, nPre: number, wantPre: boolean) => {
      for (let i = 0; i < nPre; i++) {
        const p = pre[i];
        const row = i * n;
        let gp = 0;
        for (let j = 0; j < n; j++) {
          const q = row + j;
          const h = Hnew[q];
          const gu = h < clip && h > -clip ? gH[q] : 0;
          const ge = gE[q] + m[j] * gu;
          const hp = Hprev[q];
          gm[j] += gu * Enew[q];
          gEtaE += ge * (d[j] * hp + k[j] * p - Eprev[q]);
          const g2 = etaE * ge;
          gd[j] += g2 * hp;
          gk[j] += g2 * p;
          gp += g2 * k[j];
          gH[q] = gu + g2 * d[j];
          gE[q] = keep * ge;
        }
        if (wantPre) gpre[i] = gp;
      }
    };
    pass(this.gHin, this.gEin, tr.Hin[t], tr.Hin[t - 1], tr.Ein[t], tr.Ein[t - 1], tr.x[t], nIn, false);
    if (recurrent) {
      pass(this.gHrec, this.gErec, tr.Hrec[t], tr.Hrec[t - 1], tr.Erec[t], tr.Erec[t - 1], tr.r[t], n, true);
      for (let i = 0; i < n; i++) gr[i] += gpre[i];
    }
    return gEtaE;
  }

  /** dL/dm_j -> the modulatory head's gradients and dL/dr_t; returns dL/deta (no modulation). */
  private modulationBackward(t: number, grad: Float64Array): number {
    const tr = this.trace;
    const { gm, gr } = this;
    const n = tr.n;
    if (tr.config.modulation === 'none') {
      let s = 0;
      for (let j = 0; j < n; j++) s += gm[j];
      return s;
    }
    const G = (name: string) => {
      const sl = tr.index.get(name);
      return grad.subarray(sl.offset, sl.offset + sl.length);
    };
    const per = tr.config.perNeuronModulation;
    const M = tr.M[t];
    const gM = modulatedRatesBackward(M, per ? tr.view('hidden0.mod.f') : null, gm, per ? G('hidden0.mod.f') : null, per ? G('hidden0.mod.g') : null);
    const gz = gM * (1 - M * M);
    const w = tr.view('hidden0.mod.w');
    const gw = G('hidden0.mod.w');
    const r = tr.r[t];
    for (let j = 0; j < n; j++) {
      gw[j] += gz * r[j];
      gr[j] += gz * w[j];
    }
    G('hidden0.mod.b')[0] += gz;
    return 0;
  }
}
