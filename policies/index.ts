/**
 * The public entry of policies/: configuration, construction, initialization and the
 * building blocks (neurons, rules, modulation) for tests and tools.
 */

import { validatePolicyConfig, type PolicyConfigInput } from './config.ts';
import { MlpPolicy } from './mlp.ts';
import { SnnPolicy, type PolicyOptions } from './snn.ts';
import type { Policy } from './types.ts';

export type { Policy, ParamSlice } from './types.ts';
export {
  defaultPolicyConfig,
  defaultSnnConfig,
  defaultMlpConfig,
  validatePolicyConfig,
  PolicyConfigSchema,
  describePolicy,
  isPlastic,
  isPlasticLayer,
  READOUT_NAMES,
  WEIGHTS_NAMES,
} from './config.ts';
export type { PolicyConfig, PolicyConfigInput, SnnPolicyConfig, MlpPolicyConfig, ReadoutName, WeightsName } from './config.ts';
export { initParams, INIT_GAINS } from './init.ts';
export { GENOME_GROUPS, unitGenomeScale, genomeGroupOf, withoutPlasticity, hasPlasticity, type GenomeGroup, type GenomeScale } from './genome-scale.ts';
export { policyLayout, layoutSize } from './layout.ts';
export { SnnPolicy, RANDOM_WEIGHTS_SALT, type PlasticSnapshot, type KernelName, type PolicyOptions } from './snn.ts';
export { MlpPolicy } from './mlp.ts';
export { MOD_INPUT_NAMES, MODULATION_NAMES, type ModInputName, type ModulationName } from './modulation.ts';
export { RULE_NAMES, RULE_SHARINGS, type RuleName, type RuleSharing } from './rules/rule.ts';
export { SYNAPSE_ARITHMETICS, type SynapseArithmetic } from './synapse-kernels.ts';
export type { RandomSource } from '../core/rng.ts';

/**
 * Builds the policy a configuration describes (validating it first, so a partial config
 * gets the documented defaults). The genome starts at zero: load one with `setParams`.
 * `options` choose how it computes, not what (the SNN's synapse kernels; the MLP has none).
 */
export function createPolicy(config: PolicyConfigInput, obsSize: number, actSize: number, options: PolicyOptions = {}): Policy {
  if (!Number.isInteger(obsSize) || obsSize <= 0) throw new Error(`obsSize must be a positive integer (got ${obsSize})`);
  if (!Number.isInteger(actSize) || actSize <= 0) throw new Error(`actSize must be a positive integer (got ${actSize})`);
  const c = validatePolicyConfig(config);
  return c.type === 'mlp' ? new MlpPolicy(c, obsSize, actSize) : new SnnPolicy(c, obsSize, actSize, options);
}
