/**
 * The SNN policy's forward pass written a second time with TensorFlow.js tensor ops, as a
 * reference for the fast typed-array path (snn.ts): dense matrix products instead of
 * event-driven propagation, and each rule's equation written out over whole matrices
 * instead of the per-neuron factorization, so that the two share no synapse code.
 * Per SNN step and hidden layer (see snn-layer.ts for the model):
 *
 *   I = b + x (W_in + alpha_in ⊙ H_in) + s_prev (W_rec + alpha_rec ⊙ H_rec)
 *   v = beta v + I - s_prev v_th;  s = [v >= v_th];  xbar = lambda xbar + s;  r = (1-lambda) xbar
 *   hebb: delta = pre ⊗ post - H;  oja: delta = post ⊙ (pre ⊗ 1 - post ⊙ H);
 *   bcm:  delta = pre ⊗ (post ⊙ (post - theta)),  theta += (post^2 - theta) / tau
 *   abcd: delta = A ⊙ (pre ⊗ post) + B ⊙ (pre ⊗ 1) + C ⊙ (1 ⊗ post) + D   (A-D broadcast by ruleSharing)
 *   H = clip(H + m ⊙ delta)  or  E = (1-eta_e) E + eta_e delta; H = clip(H + m ⊙ E)
 *
 * Not on the training path: it is slow and allocates. `loadTf` prefers the native
 * @tensorflow/tfjs-node (an optional dependency) and falls back to the pure-JS
 * @tensorflow/tfjs; nothing here is imported by the fast path.
 */

import type * as TfModule from '@tensorflow/tfjs';
import { isPlasticLayer, type SnnPolicyConfig } from './config.ts';
import { SliceIndex, snnLayout, checkParamLength, layoutSize } from './layout.ts';
import { sigmoid } from './reparam.ts';
import { ruleByName } from './rules/index.ts';
import { eligibilityRateFromGenome } from './modulation.ts';
import { decodeGenome, genomeScaleVector } from './genome-scale.ts';

export type Tf = typeof TfModule;
type Tensor = TfModule.Tensor;

/**
 * Loads TensorFlow.js: the native binding when `native` (default) and installed, else the
 * pure-JS build on `backend`: 'cpu' (default) or 'wasm' (@tensorflow/tfjs-backend-wasm, about
 * 10x faster on the SNN; its .wasm files are read from the installed package, no network).
 */
export async function loadTf(opts: { native?: boolean; backend?: 'cpu' | 'wasm' } = {}): Promise<{ tf: Tf; backend: string }> {
  if (opts.native !== false) {
    // A variable specifier, so neither tsc nor a bundler demands the optional package.
    const nodeName = '@tensorflow/tfjs-node';
    try {
      const tf = (await import(nodeName)) as Tf;
      await tf.ready();
      return { tf, backend: tf.getBackend() };
    } catch {
      // Not installed (it is optional): use the pure-JS build below.
    }
  }
  const tf = (await import('@tensorflow/tfjs')) as Tf;
  if (opts.backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { createRequire } = await import('node:module');
    const { dirname, join } = await import('node:path');
    const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    wasm.setWasmPaths(join(dirname(pkg), 'dist') + '/');
  }
  await tf.setBackend(opts.backend ?? 'cpu');
  await tf.ready();
  return { tf, backend: tf.getBackend() };
}

interface RefLayer {
  n: number;
  plastic: boolean;
  Win: Tensor;
  Wrec: Tensor | null;
  b: Tensor;
  alphaIn: Tensor | null;
  alphaRec: Tensor | null;
  /** The abcd rule's rows A-D for W_in and W_rec, shaped for broadcasting (empty for other rules). */
  tabIn: Tensor[];
  tabRec: Tensor[];
  beta: Tensor;
  vth: Tensor;
  lambda: Tensor;
  eta: number;
  tau: number;
  etaE: number;
  modW: Tensor | null;
  modB: number;
  modF: Tensor | null;
  modG: Tensor | null;
  // State.
  v: Tensor;
  s: Tensor;
  xbar: Tensor;
  r: Tensor;
  Hin: Tensor | null;
  Hrec: Tensor | null;
  Ein: Tensor | null;
  Erec: Tensor | null;
  theta: Tensor | null;
}

export class TfReferencePolicy {
  readonly numParams: number;
  private readonly layers: RefLayer[];
  private readonly Wout: Tensor;
  private readonly bout: Tensor;
  private readonly readoutLeak: Tensor;
  private u: Tensor;

  constructor(
    private readonly tf: Tf,
    private readonly config: SnnPolicyConfig,
    readonly obsSize: number,
    readonly actSize: number,
    params: Float32Array | Float64Array,
  ) {
    const slices = snnLayout(config, obsSize, actSize);
    this.numParams = layoutSize(slices);
    checkParamLength(params, this.numParams, 'tf reference policy');
    const p32 = new Float32Array(this.numParams);
    decodeGenome(params, genomeScaleVector(slices, config.genomeScale), p32);
    const idx = new SliceIndex(slices);
    const t = (name: string) => tf.tensor(idx.view(p32, name).slice(), idx.get(name).shape);
    const scalar = (name: string) => idx.view(p32, name)[0];
    const has = (name: string) => idx.has(name);
    if (config.plasticityEvery !== 1 || config.activityDecay !== 0) throw new Error('the TensorFlow.js reference takes policy.plasticityEvery 1 and policy.activityDecay 0 only');
    if (config.weights !== 'evolved') throw new Error(`the TensorFlow.js reference takes policy.weights "evolved" only (got "${config.weights}")`);
    // A coefficient table's rows, each shaped to broadcast over a [nPre, nPost] matrix.
    const rows = (name: string, nPre: number, nPost: number): Tensor[] => {
      if (!has(name)) return [];
      const [nRows, units] = idx.get(name).shape as [number, number];
      const shape = units === nPre * nPost ? [nPre, nPost] : units === nPost ? [1, nPost] : [1, 1];
      const all = idx.view(p32, name);
      return Array.from({ length: nRows }, (_, q) => tf.tensor(all.slice(q * units, (q + 1) * units), shape));
    };
    this.layers = config.hidden.map((n, l) => {
      const p = `hidden${l}`;
      const plastic = isPlasticLayer(config, l);
      const rule = plastic ? ruleByName(config.rule) : null;
      const perNeuron = (name: string, map: (x: number) => number, fallback: number) =>
        tf.tensor1d(has(`${p}.${name}`) ? Array.from(idx.view(p32, `${p}.${name}`), map) : new Array(n).fill(fallback));
      const zeros = (shape: number[]) => tf.zeros(shape);
      const nIn = l === 0 ? obsSize : config.hidden[l - 1];
      const retro = plastic && config.modulation === 'retroactive';
      return {
        n,
        plastic,
        Win: t(`${p}.W_in`),
        Wrec: config.recurrent ? t(`${p}.W_rec`) : null,
        b: t(`${p}.b`),
        alphaIn: plastic ? t(`${p}.alpha_in`) : null,
        alphaRec: plastic && config.recurrent ? t(`${p}.alpha_rec`) : null,
        tabIn: rule?.table ? rows(`${p}.rule.${rule.table.slice}_in`, nIn, n) : [],
        tabRec: rule?.table ? rows(`${p}.rule.${rule.table.slice}_rec`, n, n) : [],
        beta: perNeuron('leak_raw', sigmoid, config.leak),
        vth: perNeuron('threshold_raw', Math.exp, config.threshold),
        lambda: perNeuron('trace_raw', sigmoid, config.traceDecay),
        eta: has(`${p}.rule.eta_raw`) ? sigmoid(scalar(`${p}.rule.eta_raw`)) : 0,
        tau: rule && rule.coefficients.length ? rule.coefficients[0]!.fromRaw(scalar(`${p}.rule.${rule.coefficients[0]!.slice}`)) : 1,
        etaE: has(`${p}.mod.eligibility_raw`) ? eligibilityRateFromGenome(scalar(`${p}.mod.eligibility_raw`)) : 0,
        modW: has(`${p}.mod.w`) ? t(`${p}.mod.w`) : null,
        modB: has(`${p}.mod.b`) ? scalar(`${p}.mod.b`) : 0,
        modF: has(`${p}.mod.f`) ? t(`${p}.mod.f`) : null,
        modG: has(`${p}.mod.g`) ? t(`${p}.mod.g`) : null,
        v: zeros([n]),
        s: zeros([n]),
        xbar: zeros([n]),
        r: zeros([n]),
        Hin: plastic ? zeros([nIn, n]) : null,
        Hrec: plastic && config.recurrent ? zeros([n, n]) : null,
        Ein: retro ? zeros([nIn, n]) : null,
        Erec: retro && config.recurrent ? zeros([n, n]) : null,
        theta: plastic && rule?.hasTheta ? zeros([n]) : null,
      };
    });
    this.Wout = t('readout.W');
    this.bout = t('readout.b');
    this.readoutLeak = tf.tensor1d(
      has('readout.leak_raw') ? Array.from(idx.view(p32, 'readout.leak_raw'), sigmoid) : new Array(actSize).fill(config.readoutLeak),
    );
    this.u = tf.zeros([actSize]);
  }

  /** One environment step; returns the actions. */
  act(obs: ArrayLike<number>): Float32Array {
    const tf = this.tf;
    const x0 = tf.tensor1d(Float32Array.from(obs));
    for (let t = 0; t < this.config.substeps; t++) {
      let x: Tensor = x0;
      let pre: Tensor = x0;
      for (const layer of this.layers) {
        this.stepLayer(layer, x, pre);
        x = layer.s;
        pre = layer.r;
      }
      const last = this.layers[this.layers.length - 1];
      const uOld = this.u;
      this.u = tf.tidy(() => {
        if (this.config.readout === 'leaky') {
          return this.readoutLeak.mul(uOld).add(tf.scalar(1).sub(this.readoutLeak).mul(vecMat(tf, last.s, this.Wout).add(this.bout)));
        }
        return vecMat(tf, last.r, this.Wout).add(this.bout);
      });
      uOld.dispose();
    }
    x0.dispose();
    const a = tf.tidy(() => tf.tanh(this.u));
    const out = a.dataSync() as Float32Array;
    a.dispose();
    return Float32Array.from(out);
  }

  private stepLayer(L: RefLayer, x: Tensor, pre: Tensor): void {
    const tf = this.tf;
    const c = this.config.clip;
    const next = tf.tidy(() => {
      let I = L.b.add(vecMat(tf, x, L.plastic ? L.Win.add(L.alphaIn!.mul(L.Hin!)) : L.Win));
      if (L.Wrec) I = I.add(vecMat(tf, L.s, L.plastic ? L.Wrec.add(L.alphaRec!.mul(L.Hrec!)) : L.Wrec));
      const v = L.beta.mul(L.v).add(I).sub(L.s.mul(L.vth));
      const s = tf.cast(v.greaterEqual(L.vth), 'float32');
      let xbar = L.lambda.mul(L.xbar).add(s);
      xbar = tf.where(xbar.less(1e-20), tf.zerosLike(xbar), xbar);
      const r = tf.scalar(1).sub(L.lambda).mul(xbar);
      const state: Record<string, Tensor> = { v, s, xbar, r };
      if (L.plastic) {
        let m: Tensor;
        if (this.config.modulation === 'none') {
          m = tf.fill([L.n], L.eta);
        } else {
          const M = tf.tanh(L.modW!.mul(r).sum().add(L.modB));
          m = L.modF ? L.modF.mul(M).add(L.modG!) : M.mul(tf.ones([L.n]));
        }
        const upd = (H: Tensor, E: Tensor | null, preAct: Tensor, tab: Tensor[]) => {
          const d = this.delta(preAct, r, H, L.theta, tab);
          if (E === null) return { H: clipT(tf, H.add(m.mul(d)), c), E: null };
          const e = E.mul(1 - L.etaE).add(d.mul(L.etaE));
          return { H: clipT(tf, H.add(m.mul(e)), c), E: e };
        };
        const fin = upd(L.Hin!, L.Ein, pre, L.tabIn);
        state.Hin = fin.H;
        if (fin.E) state.Ein = fin.E;
        if (L.Hrec) {
          const rec = upd(L.Hrec, L.Erec, r, L.tabRec);
          state.Hrec = rec.H;
          if (rec.E) state.Erec = rec.E;
        }
        if (L.theta) state.theta = L.theta.add(r.mul(r).sub(L.theta).div(L.tau));
      }
      return state;
    });
    for (const [key, value] of Object.entries(next)) {
      const k = key as 'v' | 's' | 'xbar' | 'r' | 'Hin' | 'Hrec' | 'Ein' | 'Erec' | 'theta';
      L[k]?.dispose();
      L[k] = value;
    }
  }

  /** The rule's eligibility increment over the whole [pre, post] matrix. */
  private delta(pre: Tensor, post: Tensor, H: Tensor, theta: Tensor | null, tab: Tensor[]): Tensor {
    const rule = ruleByName(this.config.rule);
    if (!rule) return this.tf.zerosLike(H);
    if (rule.table) return rule.table.tensorDelta(pre.reshape([-1, 1]), post.reshape([1, -1]), tab);
    return rule.tensorDelta(pre.reshape([-1, 1]), post.reshape([1, -1]), H, theta ? theta.reshape([1, -1]) : null);
  }

  /** Layer l's plastic traces and neuron state, copied out. */
  state(l: number): { v: Float32Array; Hin: Float32Array; Hrec: Float32Array; Ein: Float32Array; theta: Float32Array } {
    const L = this.layers[l];
    const read = (t: Tensor | null) => (t ? Float32Array.from(t.dataSync() as Float32Array) : new Float32Array(0));
    return { v: read(L.v), Hin: read(L.Hin), Hrec: read(L.Hrec), Ein: read(L.Ein), theta: read(L.theta) };
  }

  dispose(): void {
    const all: (Tensor | null)[] = [this.Wout, this.bout, this.readoutLeak, this.u];
    for (const L of this.layers) {
      all.push(L.Win, L.Wrec, L.b, L.alphaIn, L.alphaRec, ...L.tabIn, ...L.tabRec, L.beta, L.vth, L.lambda, L.modW, L.modF, L.modG);
      all.push(L.v, L.s, L.xbar, L.r, L.Hin, L.Hrec, L.Ein, L.Erec, L.theta);
    }
    for (const t of all) t?.dispose();
  }
}

/** x [nIn] times W [nIn, n] -> [n]. */
function vecMat(tf: Tf, x: Tensor, W: Tensor): Tensor {
  return tf.matMul(x.reshape([1, -1]), W).reshape([-1]);
}

function clipT(tf: Tf, x: Tensor, c: number): Tensor {
  return tf.clipByValue(x, -c, c);
}
