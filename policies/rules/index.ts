/**
 * The registry of plasticity rules by name, so that the network, the reference path and the
 * tests loop over one list. `none` (a static SNN) has no entry: it has no synaptic trace.
 */

import { bcm } from './bcm.ts';
import { hebb } from './hebb.ts';
import { oja } from './oja.ts';
import type { PlasticityRule, RuleName } from './rule.ts';

export { RULE_NAMES, createRuleState } from './rule.ts';
export type { PlasticityRule, RuleCoefficients, RuleName, RuleState } from './rule.ts';
export { hebb } from './hebb.ts';
export { oja } from './oja.ts';
export { bcm, defaultBcmParams, type BcmParams } from './bcm.ts';

export const RULES: Readonly<Record<Exclude<RuleName, 'none'>, PlasticityRule>> = { hebb, oja, bcm };

/** The rule for a name, or null for the static `none`. */
export function ruleByName(name: RuleName): PlasticityRule | null {
  return name === 'none' ? null : RULES[name];
}
