/**
 * The one plain, JSON-serializable policy configuration: one valibot schema gives its types,
 * its documented defaults and its checks. Discriminated on `type`: a plastic spiking network (`snn`) or the MLP
 * baseline (`mlp`). The static SNN baseline is `{ type: 'snn', rule: 'none' }`.
 *
 * Defaults for the ant (27 observations, 8 actions): one recurrent hidden layer of 64 LIF
 * neurons, 2 SNN substeps per environment step, Oja's rule (self-normalizing, so H stays
 * well inside the clip even with a large modulator) under simple neuromodulation with
 * per-neuron gains, and a leaky non-spiking readout. At initialization these give a mean
 * firing rate of roughly 0.1-0.3 spikes per neuron per substep on unit-variance inputs
 * (test/policy-init.test.ts checks the range).
 *
 * Najarro & Risi 2020's setting ("Meta-learning through Hebbian plasticity in random
 * networks") is `{ rule: 'abcd', weights: 'random-per-episode' }`: the hidden layers' fixed
 * weights are drawn anew every episode and only the plasticity (alpha, the rule's
 * coefficients, the modulator) and the readout are evolved; `ruleSharing` chooses their
 * per-synapse rules or rules shared per neuron or per matrix (Pedersen & Risi 2021).
 */

import * as v from 'valibot';
import { bool, fields, got, interval, isPlainObject, strictFields, numberIn, oneOf, parseWith, pathTo, shown } from '../core/schema.ts';
import { defaultLif } from './lif.ts';
import { MOD_INPUT_NAMES, MODULATION_NAMES } from './modulation.ts';
import { RULE_NAMES, RULE_SHARINGS } from './rules/rule.ts';
import { GENOME_GROUPS, unitGenomeScale, type GenomeGroup } from './genome-scale.ts';
import { SYNAPSE_ARITHMETICS } from './synapse-kernels.ts';

export const READOUT_NAMES = ['leaky', 'trace'] as const;
export const WEIGHTS_NAMES = ['evolved', 'random-per-episode'] as const;
export type WeightsName = (typeof WEIGHTS_NAMES)[number];
export type ReadoutName = (typeof READOUT_NAMES)[number];

const positiveInt = (max = 1 << 16) => {
  const m = got(`must be a positive integer${max < 1 << 16 ? ` up to ${max}` : ''}`);
  return v.pipe(v.number(m), v.integer(m), v.minValue(1, m), v.maxValue(max, m));
};

/** Layer sizes, input to output. */
const sizes = (allowEmpty: boolean) =>
  v.pipe(v.array(positiveInt(), got('must be an array of positive integers')), v.check((a) => allowEmpty || a.length > 0, 'must name at least one layer'));

/** A partial per-group scale object (missing groups are 1), each a number in (0, 100]. */
const genomeScale = v.optional(
  fields(Object.fromEntries(GENOME_GROUPS.map((g) => [g, v.optional(numberIn(0, 100, { loOpen: true }), 1)])) as Record<GenomeGroup, v.OptionalSchema<ReturnType<typeof numberIn>, 1>>, { notObject: 'must be an object of per-group scales' }),
  unitGenomeScale,
);

const modInputs = v.pipe(
  v.array(oneOf(MOD_INPUT_NAMES), got(`must be an array of ${MOD_INPUT_NAMES.join(', ')}`)),
  v.check((a) => new Set(a).size === a.length, got('names an input twice')),
  // Stored in a fixed order, so two spellings of the same choice give the same layout.
  v.transform((a) => MOD_INPUT_NAMES.filter((n) => a.includes(n))),
);

/** The SNN's fields with their defaults (the defaults for the ant: see the header). */
const SNN_FIELDS = {
  type: v.optional(v.literal('snn'), 'snn'),
  /** Sizes of the hidden LIF layers, input to output. Default [64]. */
  hidden: v.optional(sizes(false), [64]),
  /** Whether each hidden layer has recurrent synapses from its own spikes. Default true. */
  recurrent: v.optional(bool(), true),
  /** SNN time steps per environment step (the observation is held). Default 2. */
  substeps: v.optional(positiveInt(64), 2),
  /** Membrane leak beta in (0, 1) (the initial value when learned). */
  leak: v.optional(numberIn(0, 1, { loOpen: true, hiOpen: true }), defaultLif.beta),
  /** Firing threshold v_th > 0 (the initial value when learned). */
  threshold: v.optional(numberIn(0, Infinity, { loOpen: true, hiOpen: true }), defaultLif.threshold),
  /** Spike-trace decay lambda in (0, 1) (the initial value when learned). */
  traceDecay: v.optional(numberIn(0, 1, { loOpen: true, hiOpen: true }), defaultLif.traceDecay),
  /** Learn leak, threshold and trace decay per neuron (and the readout leak). Default false. */
  learnNeuronParams: v.optional(bool(), false),
  /** Plasticity rule: none (static SNN), hebb, oja, bcm or abcd. Default 'oja'. */
  rule: v.optional(oneOf(RULE_NAMES), 'oja'),
  /**
   * How the abcd rule's coefficients A, B, C, D are shared in each plastic matrix: 'synapse'
   * (a set per synapse, Najarro & Risi 2020), 'post' (per postsynaptic neuron) or 'layer' (one
   * set per matrix, Pedersen & Risi 2021). Ignored by the other rules. Default 'post' (per
   * synapse would add 4 genome entries per synapse, 23k for the ant's 64 recurrent neurons).
   */
  ruleSharing: v.optional(oneOf(RULE_SHARINGS), 'post'),
  /**
   * The hidden layers' fixed weights W_in and W_rec: 'evolved' (in the genome) or
   * 'random-per-episode' (drawn at every episode start from the episode's seed with init.ts's
   * distribution, and left out of the genome; Najarro & Risi 2020). The biases b stay evolved.
   * Random weights need plasticity in every hidden layer. Default 'evolved'.
   */
  weights: v.optional(oneOf(WEIGHTS_NAMES), 'evolved'),
  /** Neuromodulation: none, simple or retroactive. Ignored when rule is 'none'. Default 'simple'. */
  modulation: v.optional(oneOf(MODULATION_NAMES), 'simple'),
  /** Per-postsynaptic-neuron modulation m_j = f_j M + g_j instead of m_j = M. Default true. */
  perNeuronModulation: v.optional(bool(), true),
  /**
   * What the modulator reads besides the layer's activity: 'reward' (the previous control
   * step's reward) and/or 'action' (the previous action); modulation.ts. Default [].
   */
  modInputs: v.optional(modInputs, []),
  /** Indices of the hidden layers whose synapses are plastic, or 'all' (the indices are checked against `hidden` below). Default 'all'. */
  plasticLayers: v.optional(v.custom<'all' | number[]>((x) => x === 'all' || Array.isArray(x), got('must be "all" or an array of hidden-layer indices')), 'all'),
  /** H is clipped to [-clip, clip]. Default 1. */
  clip: v.optional(numberIn(0, Infinity, { loOpen: true, hiOpen: true }), 1),
  /**
   * Spread of the initial plasticity coefficients alpha as a fraction of the initial spread
   * of W (init.ts); 0 starts the network with W + alpha H = W. Default 0.1.
   */
  alphaInit: v.optional(numberIn(0, Infinity, { hiOpen: true }), 0.1),
  /**
   * Slow plasticity: H (and E) change on every k-th SNN step only; between, the synapses act
   * with the H they have. Default 1 (every step).
   */
  plasticityEvery: v.optional(positiveInt(1_000_000), 1),
  /**
   * Slow plasticity: the rule sees the pre- and postsynaptic activity low-passed,
   * a_t = d a_(t-1) + (1 - d) r_t, instead of this step's (the modulator still reads r_t).
   * In [0, 1); default 0 (no low-pass).
   */
  activityDecay: v.optional(numberIn(0, 1, { hiOpen: true }), 0),
  /**
   * The synapse kernels' arithmetic (synapse-kernels.ts): 'f64' computes each synapse's update
   * and input in float64 and rounds the result to float32 once; 'f32' rounds every operation
   * to float32, which runs twice as many synapses per WebAssembly SIMD instruction (actions
   * differ in their last bits at first, and more as the dynamics amplify it). Either gives the
   * same bits with the JavaScript and the WebAssembly kernels. Default 'f64', which every
   * policy saved before this field existed ran; the training presets set 'f32'.
   */
  synapseArithmetic: v.optional(oneOf(SYNAPSE_ARITHMETICS), 'f64'),
  /** Readout: 'leaky' (non-spiking leaky neurons fed by spikes) or 'trace' (linear in rates). Default 'leaky'. */
  readout: v.optional(oneOf(READOUT_NAMES), 'leaky'),
  /** Leak of the leaky readout in [0, 1) (the initial value when learned: then in (0, 1)). Default 0.8. */
  readoutLeak: v.optional(numberIn(0, 1, { hiOpen: true }), 0.8),
  /**
   * Parameter = scale x genome entry, per group (weights, alpha, rule, mod, neuron, readout):
   * scales ES noise and steps per group (genome-scale.ts). Default 1 for every group.
   */
  genomeScale,
};

const SnnSchema = v.pipe(
  strictFields(SNN_FIELDS),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const c = dataset.value;
    if (c.plasticLayers !== 'all') {
      c.plasticLayers.forEach((l: unknown, i) => {
        if (typeof l !== 'number' || !Number.isInteger(l) || l < 0 || l >= c.hidden.length) {
          addIssue({ message: `must be a hidden-layer index in [0, ${c.hidden.length - 1}] (got ${shown(l)})`, path: pathTo(c, 'plasticLayers', i) });
        }
      });
    }
    if (c.weights === 'random-per-episode') {
      if (c.rule === 'none') addIssue({ message: 'must not be "none" with weights "random-per-episode" (random weights need plastic synapses)', path: pathTo(c, 'rule') });
      else if (c.plasticLayers !== 'all' && c.hidden.some((_: number, l: number) => !(c.plasticLayers as number[]).includes(l))) {
        addIssue({ message: 'must be "all" or name every hidden layer with weights "random-per-episode" (random weights need plastic synapses in every layer)', path: pathTo(c, 'plasticLayers') });
      }
    }
    if (c.modInputs.length > 0 && (c.rule === 'none' || c.modulation === 'none')) {
      addIssue({ message: 'needs a modulated plastic network (rule other than none, modulation simple or retroactive)', path: pathTo(c, 'modInputs') });
    }
    // Learned leaks live in (0, 1) through a sigmoid, so a learned readout leak must start inside.
    if (c.learnNeuronParams && c.readoutLeak === 0) addIssue({ message: `must be a number in ${interval(0, 1, true, true)} (got 0)`, path: pathTo(c, 'readoutLeak') });
  }),
);

const MlpSchema = strictFields({
  type: v.literal('mlp'),
  /** Sizes of the tanh hidden layers. Default [64, 64]. */
  hidden: v.optional(sizes(true), [64, 64]),
  /** Parameter = scale x genome entry for the hidden layers (weights) and the output layer (readout). Default 1. */
  genomeScale,
});

const PolicyVariants = v.variant('type', [SnnSchema, MlpSchema], got('must be one of snn, mlp'));

/**
 * The policy config's one schema: the types below, the defaults, and the checks with errors
 * naming the field (`policy.hidden[0] must be a positive integer (got -3)`). A field left out
 * (or undefined) gets its default.
 */
export const PolicyConfigSchema = v.pipe(v.custom<unknown>(isPlainObject, got('must be an object')), PolicyVariants);

export type SnnPolicyConfig = v.InferOutput<typeof SnnSchema>;
export type MlpPolicyConfig = v.InferOutput<typeof MlpSchema>;
export type PolicyConfig = SnnPolicyConfig | MlpPolicyConfig;

/** What `validatePolicyConfig` and `createPolicy` accept: any field may be left to its default. */
export type PolicyConfigInput = v.InferInput<typeof PolicyVariants>;

/**
 * Fills defaults for the missing fields of a (possibly partial, possibly parsed-from-JSON)
 * policy configuration and validates it. Throws an Error naming the field (`policy.rule`,
 * `policy.hidden[0]`, ...). Returns a fresh object; the input is not modified.
 */
export function validatePolicyConfig(input: unknown, path = 'policy'): PolicyConfig {
  return parseWith(PolicyConfigSchema, input, path);
}

export const defaultSnnConfig: Readonly<SnnPolicyConfig> = Object.freeze(parseWith(SnnSchema, {}, 'policy'));

export const defaultMlpConfig: Readonly<MlpPolicyConfig> = Object.freeze(parseWith(MlpSchema, { type: 'mlp' }, 'policy'));

/** The default policy: the plastic SNN. */
export const defaultPolicyConfig: Readonly<PolicyConfig> = defaultSnnConfig;

/** Whether a policy has plastic synapses (what freezing at the onset can lesion). */
export function isPlastic(p: PolicyConfig): boolean {
  return p.type === 'snn' && p.rule !== 'none';
}

/** Whether hidden layer `l` of a validated SNN config has plastic synapses. */
export function isPlasticLayer(c: SnnPolicyConfig, l: number): boolean {
  if (c.rule === 'none') return false;
  return c.plasticLayers === 'all' || c.plasticLayers.includes(l);
}

/**
 * A one-line summary for logs, e.g. `snn 27-[64r]-8 oja/simple(per-neuron) x2 substeps, leaky readout`,
 * or `snn 27-[64rp]-8 abcd(post)/simple(per-neuron) x2 substeps, leaky readout, random W per episode`.
 */
export function describePolicy(config: PolicyConfig, obsSize?: number, actSize?: number): string {
  const io = (h: string) => (obsSize !== undefined && actSize !== undefined ? `${obsSize}-${h}-${actSize}` : h);
  const scaled = GENOME_GROUPS.filter((g) => config.genomeScale[g] !== 1).map((g) => `${g} ${config.genomeScale[g]}`);
  const scales = scaled.length ? `, genome scale ${scaled.join(' ')}` : '';
  if (config.type === 'mlp') return `mlp ${io(`[${config.hidden.join(',')}]`)} tanh${scales}`;
  const layers = config.hidden.map((n, l) => `${n}${config.recurrent ? 'r' : ''}${isPlasticLayer(config, l) ? 'p' : ''}`);
  const plasticity =
    config.rule === 'none'
      ? 'static'
      : `${config.rule}${config.rule === 'abcd' ? `(${config.ruleSharing})` : ''}/${config.modulation}${config.modulation !== 'none' && config.perNeuronModulation ? '(per-neuron)' : ''}${config.modInputs.length ? `+${config.modInputs.join('+')}` : ''}`;
  return (
    `snn ${io(`[${layers.join(',')}]`)} ${plasticity} x${config.substeps} substeps, ` +
    `${config.readout} readout${config.learnNeuronParams ? ', learned neurons' : ''}` +
    `${config.weights === 'random-per-episode' ? ', random W per episode' : ''}` +
    `${config.rule !== 'none' && config.alphaInit !== defaultSnnConfig.alphaInit ? `, alpha init ${config.alphaInit}` : ''}` +
    `${config.rule !== 'none' && config.plasticityEvery !== 1 ? `, H updated every ${config.plasticityEvery} steps` : ''}` +
    `${config.rule !== 'none' && config.activityDecay !== 0 ? `, rule activity low-passed (decay ${config.activityDecay})` : ''}` +
    `${config.synapseArithmetic === 'f32' ? ', f32 synapses' : ''}${scales}`
  );
}
