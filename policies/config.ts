/**
 * The one plain, JSON-serializable policy configuration, its documented defaults and its
 * validation. Discriminated on `type`: a plastic spiking network (`snn`) or the MLP
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

import { defaultLif } from './lif.ts';
import { MOD_INPUT_NAMES, MODULATION_NAMES, type ModInputName, type ModulationName } from './modulation.ts';
import { RULE_NAMES, RULE_SHARINGS, type RuleName, type RuleSharing } from './rules/rule.ts';
import { GENOME_GROUPS, unitGenomeScale, type GenomeScale } from './genome-scale.ts';

export const READOUT_NAMES = ['leaky', 'trace'] as const;
export type ReadoutName = (typeof READOUT_NAMES)[number];

export const WEIGHTS_NAMES = ['evolved', 'random-per-episode'] as const;
export type WeightsName = (typeof WEIGHTS_NAMES)[number];

export interface SnnPolicyConfig {
  type: 'snn';
  /** Sizes of the hidden LIF layers, input to output. Default [64]. */
  hidden: number[];
  /** Whether each hidden layer has recurrent synapses from its own spikes. Default true. */
  recurrent: boolean;
  /** SNN time steps per environment step (the observation is held). Default 2. */
  substeps: number;
  /** Membrane leak beta in (0, 1) (the initial value when learned). Default 0.9. */
  leak: number;
  /** Firing threshold v_th > 0 (the initial value when learned). Default 1. */
  threshold: number;
  /** Spike-trace decay lambda in (0, 1) (the initial value when learned). Default 0.8. */
  traceDecay: number;
  /** Learn leak, threshold and trace decay per neuron (and the readout leak). Default false. */
  learnNeuronParams: boolean;
  /** Plasticity rule: none (static SNN), hebb, oja, bcm or abcd. Default 'oja'. */
  rule: RuleName;
  /**
   * How the abcd rule's coefficients A, B, C, D are shared in each plastic matrix: 'synapse'
   * (a set per synapse, Najarro & Risi 2020), 'post' (per postsynaptic neuron) or 'layer' (one
   * set per matrix, Pedersen & Risi 2021). Ignored by the other rules. Default 'post' (per
   * synapse would add 4 genome entries per synapse, 23k for the ant's 64 recurrent neurons).
   */
  ruleSharing: RuleSharing;
  /**
   * The hidden layers' fixed weights W_in and W_rec: 'evolved' (in the genome) or
   * 'random-per-episode' (drawn at every episode start from the episode's seed with init.ts's
   * distribution, and left out of the genome; Najarro & Risi 2020). The biases b stay evolved.
   * Random weights need plasticity in every hidden layer. Default 'evolved'.
   */
  weights: WeightsName;
  /** Neuromodulation: none, simple or retroactive. Ignored when rule is 'none'. Default 'simple'. */
  modulation: ModulationName;
  /** Per-postsynaptic-neuron modulation m_j = f_j M + g_j instead of m_j = M. Default true. */
  perNeuronModulation: boolean;
  /**
   * What the modulator reads besides the layer's activity: 'reward' (the previous control
   * step's reward) and/or 'action' (the previous action); modulation.ts. Default [].
   */
  modInputs: ModInputName[];
  /** Indices of the hidden layers whose synapses are plastic, or 'all'. Default 'all'. */
  plasticLayers: 'all' | number[];
  /** H is clipped to [-clip, clip]. Default 1. */
  clip: number;
  /**
   * Spread of the initial plasticity coefficients alpha as a fraction of the initial spread
   * of W (init.ts); 0 starts the network with W + alpha H = W. Default 0.1.
   */
  alphaInit: number;
  /** Readout: 'leaky' (non-spiking leaky neurons fed by spikes) or 'trace' (linear in rates). Default 'leaky'. */
  readout: ReadoutName;
  /** Leak of the leaky readout in [0, 1) (the initial value when learned). Default 0.8. */
  readoutLeak: number;
  /**
   * Parameter = scale x genome entry, per group (weights, alpha, rule, mod, neuron, readout):
   * scales ES noise and steps per group (genome-scale.ts). Default 1 for every group.
   */
  genomeScale: GenomeScale;
}

export interface MlpPolicyConfig {
  type: 'mlp';
  /** Sizes of the tanh hidden layers. Default [64, 64]. */
  hidden: number[];
  /** Parameter = scale x genome entry for the hidden layers (weights) and the output layer (readout). Default 1. */
  genomeScale: GenomeScale;
}

export type PolicyConfig = SnnPolicyConfig | MlpPolicyConfig;

/** What `validatePolicyConfig` and `createPolicy` accept: any field may be left to its default. */
export type PolicyConfigInput =
  | (Partial<Omit<SnnPolicyConfig, 'genomeScale'>> & { genomeScale?: Partial<GenomeScale> })
  | (Partial<Omit<MlpPolicyConfig, 'genomeScale'>> & { type: 'mlp'; genomeScale?: Partial<GenomeScale> });

export const defaultSnnConfig: Readonly<SnnPolicyConfig> = Object.freeze({
  type: 'snn',
  hidden: [64],
  recurrent: true,
  substeps: 2,
  leak: defaultLif.beta,
  threshold: defaultLif.threshold,
  traceDecay: defaultLif.traceDecay,
  learnNeuronParams: false,
  rule: 'oja',
  ruleSharing: 'post',
  weights: 'evolved',
  modulation: 'simple',
  perNeuronModulation: true,
  modInputs: [],
  plasticLayers: 'all',
  clip: 1,
  alphaInit: 0.1,
  readout: 'leaky',
  readoutLeak: 0.8,
  genomeScale: unitGenomeScale,
} as SnnPolicyConfig);

export const defaultMlpConfig: Readonly<MlpPolicyConfig> = Object.freeze({ type: 'mlp', hidden: [64, 64], genomeScale: unitGenomeScale } as MlpPolicyConfig);

/** The default policy: the plastic SNN. */
export const defaultPolicyConfig: Readonly<PolicyConfig> = defaultSnnConfig;

function fail(msg: string): never {
  throw new Error(msg);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function checkOneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    fail(`${path} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as T;
}

function checkPositiveInt(path: string, value: unknown, max = 1 << 16): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    fail(`${path} must be a positive integer${max < 1 << 16 ? ` up to ${max}` : ''} (got ${typeof value === 'number' ? value : JSON.stringify(value)})`);
  }
  return value;
}

function checkBool(path: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(`${path} must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

/** A number in an interval; `open` ends exclude the bound. */
function checkRange(path: string, value: unknown, lo: number, hi: number, loOpen: boolean, hiOpen: boolean): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (loOpen ? value > lo : value >= lo) &&
    (hiOpen ? value < hi : value <= hi);
  if (!ok) {
    const range = `${loOpen ? '(' : '['}${lo}, ${hi === Infinity ? 'inf' : hi}${hiOpen ? ')' : ']'}`;
    fail(`${path} must be a number in ${range} (got ${typeof value === 'number' ? value : JSON.stringify(value)})`);
  }
  return value as number;
}

function checkSizes(path: string, value: unknown, allowEmpty: boolean): number[] {
  if (!Array.isArray(value)) fail(`${path} must be an array of positive integers (got ${JSON.stringify(value)})`);
  if (!allowEmpty && value.length === 0) fail(`${path} must name at least one layer`);
  return value.map((v, i) => checkPositiveInt(`${path}[${i}]`, v));
}

function checkKeys(path: string, obj: Record<string, unknown>, allowed: object): void {
  for (const key of Object.keys(obj)) {
    if (!(key in allowed)) fail(`${path}.${key} is not a known field (known: ${Object.keys(allowed).join(', ')})`);
  }
}

/** A partial per-group scale object (missing groups are 1), each a number in (0, 100]. */
function checkGenomeScale(path: string, value: unknown): GenomeScale {
  if (value === undefined) return { ...unitGenomeScale };
  if (!isPlainObject(value)) fail(`${path} must be an object of per-group scales (got ${JSON.stringify(value)})`);
  checkKeys(path, value, unitGenomeScale);
  const out = { ...unitGenomeScale };
  for (const g of GENOME_GROUPS) if (value[g] !== undefined) out[g] = checkRange(`${path}.${g}`, value[g], 0, 100, true, false);
  return out;
}

function checkModInputs(path: string, value: unknown, rule: unknown, modulation: unknown): ModInputName[] {
  if (!Array.isArray(value)) fail(`${path} must be an array of ${MOD_INPUT_NAMES.join(', ')} (got ${JSON.stringify(value)})`);
  const out = value.map((v, i) => checkOneOf(`${path}[${i}]`, v, MOD_INPUT_NAMES));
  if (new Set(out).size !== out.length) fail(`${path} names an input twice (got ${JSON.stringify(value)})`);
  if (out.length > 0 && (rule === 'none' || modulation === 'none')) fail(`${path} needs a modulated plastic network (rule other than none, modulation simple or retroactive)`);
  // Stored in a fixed order, so two spellings of the same choice give the same layout.
  return MOD_INPUT_NAMES.filter((n) => out.includes(n));
}

/**
 * Fills defaults for the missing fields of a (possibly partial, possibly parsed-from-JSON)
 * policy configuration and validates it. Throws an Error naming the field (`policy.rule`,
 * `policy.hidden[0]`, ...). Returns a fresh object; the input is not modified.
 */
export function validatePolicyConfig(input: unknown, path = 'policy'): PolicyConfig {
  if (!isPlainObject(input)) fail(`${path} must be an object (got ${JSON.stringify(input)})`);
  const type = checkOneOf(`${path}.type`, input.type ?? 'snn', ['snn', 'mlp'] as const);
  if (type === 'mlp') {
    checkKeys(path, input, defaultMlpConfig);
    const hidden = checkSizes(`${path}.hidden`, input.hidden ?? defaultMlpConfig.hidden, true);
    return { type: 'mlp', hidden, genomeScale: checkGenomeScale(`${path}.genomeScale`, input.genomeScale) };
  }
  checkKeys(path, input, defaultSnnConfig);
  const get = <K extends keyof SnnPolicyConfig>(k: K): unknown => (input[k] === undefined ? defaultSnnConfig[k] : input[k]);
  const hidden = checkSizes(`${path}.hidden`, get('hidden'), false);
  const plasticRaw = get('plasticLayers');
  let plasticLayers: 'all' | number[];
  if (plasticRaw === 'all') {
    plasticLayers = 'all';
  } else if (Array.isArray(plasticRaw)) {
    plasticLayers = plasticRaw.map((v, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= hidden.length) {
        fail(`${path}.plasticLayers[${i}] must be a hidden-layer index in [0, ${hidden.length - 1}] (got ${JSON.stringify(v)})`);
      }
      return v;
    });
  } else {
    fail(`${path}.plasticLayers must be "all" or an array of hidden-layer indices (got ${JSON.stringify(plasticRaw)})`);
  }
  const rule = checkOneOf(`${path}.rule`, get('rule'), RULE_NAMES);
  const weights = checkOneOf(`${path}.weights`, get('weights'), WEIGHTS_NAMES);
  if (weights === 'random-per-episode') {
    if (rule === 'none') fail(`${path}.weights "random-per-episode" needs plastic synapses: ${path}.rule must not be "none"`);
    if (plasticLayers !== 'all' && hidden.some((_, l) => !plasticLayers.includes(l))) {
      fail(`${path}.weights "random-per-episode" needs plastic synapses in every hidden layer: ${path}.plasticLayers must be "all" or name each of them`);
    }
  }
  return {
    type: 'snn',
    hidden,
    recurrent: checkBool(`${path}.recurrent`, get('recurrent')),
    substeps: checkPositiveInt(`${path}.substeps`, get('substeps'), 64),
    leak: checkRange(`${path}.leak`, get('leak'), 0, 1, true, true),
    threshold: checkRange(`${path}.threshold`, get('threshold'), 0, Infinity, true, true),
    traceDecay: checkRange(`${path}.traceDecay`, get('traceDecay'), 0, 1, true, true),
    learnNeuronParams: checkBool(`${path}.learnNeuronParams`, get('learnNeuronParams')),
    rule,
    ruleSharing: checkOneOf(`${path}.ruleSharing`, get('ruleSharing'), RULE_SHARINGS),
    weights,
    modulation: checkOneOf(`${path}.modulation`, get('modulation'), MODULATION_NAMES),
    perNeuronModulation: checkBool(`${path}.perNeuronModulation`, get('perNeuronModulation')),
    modInputs: checkModInputs(`${path}.modInputs`, get('modInputs'), get('rule'), get('modulation')),
    plasticLayers,
    clip: checkRange(`${path}.clip`, get('clip'), 0, Infinity, true, true),
    alphaInit: checkRange(`${path}.alphaInit`, get('alphaInit'), 0, Infinity, false, true),
    readout: checkOneOf(`${path}.readout`, get('readout'), READOUT_NAMES),
    // Learned leaks live in (0, 1) through a sigmoid, so a learned readout leak must start inside.
    readoutLeak: checkRange(`${path}.readoutLeak`, get('readoutLeak'), 0, 1, get('learnNeuronParams') === true, true),
    genomeScale: checkGenomeScale(`${path}.genomeScale`, input.genomeScale),
  };
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
    `${config.rule !== 'none' && config.alphaInit !== defaultSnnConfig.alphaInit ? `, alpha init ${config.alphaInit}` : ''}${scales}`
  );
}
