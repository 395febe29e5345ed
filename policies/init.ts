/**
 * The documented initialization of every policy's genome, scaled so that the network
 * starts in a useful regime on ant-like inputs (27 roughly unit-variance observations,
 * 8 actions): hidden neurons neither silent nor saturated, actions spread inside (-1, 1).
 *
 * SNN, with P0 = 0.2 the firing rate the scales aim at (spikes per neuron per step):
 *   W_in (layer 0)  ~ N(0, G_IN^2 / nIn)           input current std G_IN for unit inputs
 *   W_in (layer>0)  ~ N(0, G_IN^2 / (P0 nIn))      the same for spiking inputs at rate P0
 *   W_rec           ~ N(0, G_REC^2 / (P0 n))       recurrent drive std G_REC, zero mean
 *   b               = B0
 *   alpha           ~ N(0, (alphaInit * std(W))^2) plasticity starts at a tenth of W's spread by default,
 *                                                  so early ES steps are not swamped by H (measured: faster learning)
 *   rule.eta_raw    = logit(0.05), rule.tau_raw = ln(50 - 1)
 *   rule.abcd_*     ~ N(0, 0.1^2)                  every A, B, C, D entry (rules/abcd.ts says why)
 *   mod.w           ~ N(0, (0.4)^2 / n), mod.b = 0 (M_t ~ +-0.1), mod.f = 1, mod.g = 0,
 *   mod.eligibility_raw = logit(0.1)
 *   neuron raws     = logit(leak), ln(threshold), logit(traceDecay) from the config
 *   readout.W       ~ N(0, G_OUT^2 / (P0 n))   leaky readout u = b_o u + (1 - b_o)(W s + b), which settles at W <s> + b
 *                   ~ N(0, G_OUT^2 / (E[r^2] n)), E[r^2] ~ 0.06   trace readout
 *   readout.b = 0, readout.leak_raw = logit(readoutLeak)
 * MLP: W ~ N(0, 1/nIn), output W ~ N(0, G_OUT^2 / nIn), biases 0.
 *
 * With the defaults (leak 0.9, threshold 1) G_IN = 0.6 gives mean rates of about 0.1-0.3
 * (test/policy-init.test.ts measures it).
 *
 * With `weights: 'random-per-episode'` W_in and W_rec are not in the genome: the policy
 * draws them at every episode start from the same two normals (`drawHiddenWeights`), so a
 * random network starts in the same regime as an initialized evolved one.
 */

import { isPlasticLayer, type PolicyConfig, type SnnPolicyConfig } from './config.ts';
import { policyLayout, SliceIndex, layoutSize } from './layout.ts';
import { logit } from './reparam.ts';
import type { RandomSource } from '../core/rng.ts';
import { defaultModulationParams, eligibilityRateToGenome } from './modulation.ts';
import { ruleByName } from './rules/index.ts';
import type { SnnLayer } from './snn-layer.ts';
import { encodeParams, genomeScaleVector } from './genome-scale.ts';

export const INIT_GAINS = Object.freeze({
  P0: 0.2,
  G_IN: 0.6,
  G_REC: 0.3,
  B0: 0,
  G_MOD: 0.4,
  G_OUT: 0.5,
  ETA0: 0.05,
});

function fillNormal(out: Float32Array, std: number, rng: RandomSource): void {
  for (let i = 0; i < out.length; i++) out[i] = std * rng.normal();
}

/** The standard deviations of hidden layer l's W_in and W_rec (see above). */
export function hiddenWeightStds(l: number, nIn: number, n: number): { sIn: number; sRec: number } {
  const g = INIT_GAINS;
  return {
    sIn: l === 0 ? g.G_IN / Math.sqrt(nIn) : g.G_IN / Math.sqrt(g.P0 * nIn),
    sRec: g.G_REC / Math.sqrt(g.P0 * n),
  };
}

/**
 * Draws the hidden layers' W_in then W_rec, layer by layer, from `rng` with the documented
 * distribution (random weights per episode).
 */
export function drawHiddenWeights(layers: readonly SnnLayer[], rng: RandomSource): void {
  layers.forEach((layer, l) => {
    const { sIn, sRec } = hiddenWeightStds(l, layer.nIn, layer.n);
    fillNormal(layer.Win, sIn, rng);
    if (layer.recurrent) fillNormal(layer.Wrec, sRec, rng);
  });
}

/**
 * A genome for `config`, drawn from `rng` as documented above: the parameters divided by
 * their groups' genome scales (genome-scale.ts), so the model starts at the same point
 * whatever the scales.
 */
export function initParams(config: PolicyConfig, obsSize: number, actSize: number, rng: RandomSource): Float32Array {
  const slices = policyLayout(config, obsSize, actSize);
  const params = new Float32Array(layoutSize(slices));
  const idx = new SliceIndex(slices);
  const view = (name: string) => idx.view(params, name);
  const g = INIT_GAINS;
  if (config.type === 'mlp') {
    let nIn = obsSize;
    config.hidden.forEach((n, l) => {
      fillNormal(view(`layer${l}.W`), 1 / Math.sqrt(nIn), rng);
      nIn = n;
    });
    fillNormal(view('output.W'), g.G_OUT / Math.sqrt(nIn), rng);
  } else {
    initSnn(config, obsSize, actSize, rng, view);
  }
  encodeParams(params, genomeScaleVector(slices, config.genomeScale));
  return params;
}

function initSnn(
  c: SnnPolicyConfig,
  obsSize: number,
  actSize: number,
  rng: RandomSource,
  view: (name: string) => Float32Array,
): void {
  const g = INIT_GAINS;
  c.hidden.forEach((n, l) => {
    const p = `hidden${l}`;
    const nIn = l === 0 ? obsSize : c.hidden[l - 1];
    const { sIn, sRec } = hiddenWeightStds(l, nIn, n);
    if (c.weights === 'evolved') {
      fillNormal(view(`${p}.W_in`), sIn, rng);
      if (c.recurrent) fillNormal(view(`${p}.W_rec`), sRec, rng);
    }
    view(`${p}.b`).fill(g.B0);
    if (c.learnNeuronParams) {
      view(`${p}.leak_raw`).fill(logit(c.leak));
      view(`${p}.threshold_raw`).fill(Math.log(c.threshold));
      view(`${p}.trace_raw`).fill(logit(c.traceDecay));
    }
    if (!isPlasticLayer(c, l)) return;
    fillNormal(view(`${p}.alpha_in`), c.alphaInit * sIn, rng);
    if (c.recurrent) fillNormal(view(`${p}.alpha_rec`), c.alphaInit * sRec, rng);
    if (c.modulation === 'none') view(`${p}.rule.eta_raw`)[0] = logit(g.ETA0);
    const rule = ruleByName(c.rule);
    for (const co of rule?.coefficients ?? []) view(`${p}.rule.${co.slice}`)[0] = co.initialRaw;
    if (rule?.table) {
      fillNormal(view(`${p}.rule.${rule.table.slice}_in`), rule.table.initStd, rng);
      if (c.recurrent) fillNormal(view(`${p}.rule.${rule.table.slice}_rec`), rule.table.initStd, rng);
    }
    if (c.modulation === 'none') return;
    fillNormal(view(`${p}.mod.w`), g.G_MOD / Math.sqrt(n), rng);
    if (c.perNeuronModulation) {
      view(`${p}.mod.f`).fill(defaultModulationParams.gain);
      view(`${p}.mod.g`).fill(defaultModulationParams.offset);
    }
    if (c.modulation === 'retroactive') view(`${p}.mod.eligibility_raw`)[0] = eligibilityRateToGenome(defaultModulationParams.eligibilityRate);
  });
  const nLast = c.hidden[c.hidden.length - 1];
  const sOut =
    c.readout === 'leaky'
      ? g.G_OUT / Math.sqrt(g.P0 * nLast)
      : g.G_OUT / Math.sqrt(0.06 * nLast);
  fillNormal(view('readout.W'), sOut, rng);
  if (c.readout === 'leaky' && c.learnNeuronParams) view('readout.leak_raw').fill(logit(c.readoutLeak));
  void actSize;
}
