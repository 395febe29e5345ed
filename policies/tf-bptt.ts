/**
 * The differentiable TensorFlow.js form of the plastic SNN over a batch of sequences: the
 * autodiff oracle the hand-written BPTT (bptt.ts) is checked against, and the `tf` gradient
 * engine. Like tf-reference.ts it shares no synapse code with the fast path: dense batched
 * products, and each rule's eligibility in its tensor form (`tensorDelta` in the rule's file) over whole [pre, post] matrices.
 * Per SNN step, with batch b, pre-major matrices [B, nPre, n] and the input held `substeps` steps:
 *
 *   I = b + x (W_in + alpha_in ⊙ H_in) + s_prev (W_rec + alpha_rec ⊙ H_rec)
 *   v = beta v + I - v_th sg(s_prev);  s = spike(v - v_th);  xbar = lambda xbar + s;  r = (1-lambda) xbar
 *   hebb: delta = pre ⊗ post - H;  oja: delta = post ⊙ (pre ⊗ 1 - post ⊙ H);  bcm: delta = pre ⊗ post ⊙ (post - theta)
 *   m = eta | f M + g | M,  M = tanh(w_M . r + b_M)
 *   H = clip(H + m ⊙ delta)  or  E = (1-eta_e) E + eta_e delta; H = clip(H + m ⊙ E);  theta += (r^2 - theta) / tau
 *   u = beta_o u + (1 - beta_o)(s W_out + b_out)
 *
 * The gradient choices are bptt.ts's: spike() is the step function with the fast-sigmoid
 * surrogate scale / (1 + slope |x|)^2 as its gradient (a tf.customGrad), or with 'smooth' the
 * logistic sigmoid(slope x); sg() stops the gradient when the reset is detached (tfjs has no
 * stopGradient, so it is a customGrad too); clipByValue passes the gradient inside the clip.
 */

import type * as TfModule from '@tensorflow/tfjs';
import { isPlasticLayer, type SnnPolicyConfig } from './config.ts';
import { checkBpttConfig, type SpikeMode } from './bptt-trace.ts';
import { SliceIndex, snnLayout } from './layout.ts';
import { ruleByName } from './rules/index.ts';

type Tf = typeof TfModule;
type Tensor = TfModule.Tensor;

export interface TfBpttOptions {
  spike: SpikeMode;
  slope: number;
  scale: number;
  detachReset: boolean;
}

export interface TfSequenceResult {
  /** Readout u at the end of every input step, [B, steps, nOut]. */
  u: Tensor;
  /** Mean spikes per SNN step of every neuron, [B, n]. */
  rates: Tensor;
}

/**
 * Runs a batch of sequences (`input`: [B, steps, nIn]) through the network whose genome is the
 * 1-D tensor `flat` (the policy's layout); differentiable with respect to `flat`.
 */
export function tfSequenceForward(tf: Tf, config: SnnPolicyConfig, nIn: number, nOut: number, flat: Tensor, input: Tensor, opts: TfBpttOptions): TfSequenceResult {
  checkBpttConfig(config);
  const idx = new SliceIndex(snnLayout(config, nIn, nOut));
  const P = (name: string): Tensor => {
    const s = idx.get(name);
    return tf.slice(flat, s.offset, s.length).reshape(s.shape);
  };
  const has = (name: string) => idx.has(name);
  const [B, steps] = input.shape as [number, number, number];
  const n = config.hidden[0];
  const plastic = isPlasticLayer(config, 0);
  const rec = config.recurrent;
  const retro = plastic && config.modulation === 'retroactive';
  const c = config.clip;
  const beta = config.leak;
  const vth = config.threshold;
  const lam = config.traceDecay;
  const betaO = Math.fround(config.readoutLeak);

  const spike = opts.spike === 'smooth'
    ? (x: Tensor) => tf.sigmoid(x.mul(opts.slope))
    : (tf.customGrad(((x: Tensor, save: (t: Tensor[]) => void) => {
      save([x]);
      return {
        value: tf.cast(tf.greaterEqual(x, 0), 'float32'),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const a = tf.abs(saved[0]).mul(opts.slope).add(1);
          return dy.mul(tf.div(opts.scale, a.mul(a)));
        },
      };
    }) as never) as (x: Tensor) => Tensor);
  const stopGradient = tf.customGrad(((x: Tensor) => ({ value: tf.clone(x), gradFunc: (dy: Tensor) => tf.zerosLike(dy) })) as never) as (x: Tensor) => Tensor;

  const Win = P('hidden0.W_in');
  const b = P('hidden0.b');
  const Wrec = rec ? P('hidden0.W_rec') : null;
  const Ain = plastic ? P('hidden0.alpha_in') : null;
  const Arec = plastic && rec ? P('hidden0.alpha_rec') : null;
  const Wout = P('readout.W');
  const bout = P('readout.b');
  const eta = has('hidden0.rule.eta_raw') ? tf.sigmoid(P('hidden0.rule.eta_raw')) : null;
  const rule = plastic ? ruleByName(config.rule) : null;
  // The rule's own coefficient (BCM's tau_theta), from its genome slice.
  const ruleCoefficient = rule?.coefficients[0];
  const tau = ruleCoefficient ? ruleCoefficient.fromRawTensor(P(`hidden0.rule.${ruleCoefficient.slice}`)) : null;
  const etaE = retro ? tf.sigmoid(P('hidden0.mod.eligibility_raw')) : null;
  const modW = has('hidden0.mod.w') ? P('hidden0.mod.w').reshape([n, 1]) : null;
  const modB = has('hidden0.mod.b') ? P('hidden0.mod.b') : null;
  const modF = has('hidden0.mod.f') ? P('hidden0.mod.f') : null;
  const modG = has('hidden0.mod.g') ? P('hidden0.mod.g') : null;

  let v: Tensor = tf.zeros([B, n]);
  let s: Tensor = tf.zeros([B, n]);
  let xbar: Tensor = tf.zeros([B, n]);
  let u: Tensor = tf.zeros([B, nOut]);
  let Hin: Tensor | null = plastic ? tf.zeros([B, nIn, n]) : null;
  let Hrec: Tensor | null = plastic && rec ? tf.zeros([B, n, n]) : null;
  let Ein: Tensor | null = retro ? tf.zeros([B, nIn, n]) : null;
  let Erec: Tensor | null = retro && rec ? tf.zeros([B, n, n]) : null;
  let theta: Tensor | null = rule?.hasTheta ? tf.zeros([B, 1, n]) : null;
  let spikeSum: Tensor = tf.zeros([B, n]);
  const outs: Tensor[] = [];
  const xs = tf.unstack(input, 1);

  /** x [B, nPre] times (W + alpha ⊙ H) [B, nPre, n] (or W [nPre, n]) -> [B, n]. */
  const drive = (x: Tensor, W: Tensor, A: Tensor | null, H: Tensor | null): Tensor =>
    H && A ? tf.matMul(x.expandDims(1), W.add(A.mul(H))).squeeze([1]) : tf.matMul(x, W);

  const delta = (pre: Tensor, post: Tensor, H: Tensor): Tensor => rule!.tensorDelta(pre.expandDims(2), post.expandDims(1), H, theta);

  const T = steps * config.substeps;
  for (let t = 1; t <= T; t++) {
    const x = xs[Math.floor((t - 1) / config.substeps)];
    let I = drive(x, Win, Ain, Hin).add(b);
    if (Wrec) I = I.add(drive(s, Wrec, Arec, Hrec));
    const sPrev = opts.detachReset ? stopGradient(s) : s;
    v = v.mul(beta).add(I).sub(sPrev.mul(vth));
    s = spike(v.sub(vth));
    xbar = xbar.mul(lam).add(s);
    const r = xbar.mul(1 - lam);
    spikeSum = spikeSum.add(s);
    if (plastic) {
      let m: Tensor;
      if (eta) m = eta.reshape([1, 1, 1]);
      else {
        const M = tf.tanh(tf.matMul(r, modW!).add(modB!)); // [B, 1]
        m = (modF ? M.mul(modF).add(modG!) : M).expandDims(1); // [B, 1, n] or [B, 1, 1]
      }
      const update = (H: Tensor, E: Tensor | null, pre: Tensor): [Tensor, Tensor | null] => {
        const d = delta(pre, r, H);
        if (!E) return [tf.clipByValue(H.add(m.mul(d)), -c, c), null];
        const e = E.mul(tf.sub(1, etaE!)).add(d.mul(etaE!));
        return [tf.clipByValue(H.add(m.mul(e)), -c, c), e];
      };
      const nextIn = update(Hin!, Ein, x);
      let nextRec: [Tensor, Tensor | null] = [Hrec!, Erec];
      if (Hrec) nextRec = update(Hrec, Erec, r);
      [Hin, Ein] = nextIn;
      [Hrec, Erec] = nextRec;
      if (theta) theta = theta.add(r.expandDims(1).square().sub(theta).div(tau!));
    }
    u = u.mul(betaO).add(tf.matMul(s, Wout).add(bout).mul(Math.fround(1 - betaO)));
    if (t % config.substeps === 0) outs.push(u);
  }
  return { u: tf.stack(outs, 1), rates: spikeSum.div(T) };
}
