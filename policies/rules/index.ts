/**
 * The registry of plasticity rules by name, so that the network, the reference path and the
 * tests loop over one list. `none` (a static SNN) has no entry: it has no synaptic trace.
 */

import { abcd } from './abcd.ts';
import { bcm } from './bcm.ts';
import { hebb } from './hebb.ts';
import { oja } from './oja.ts';
import type { PlasticityRule, RuleName } from './rule.ts';

export { RULE_NAMES, RULE_SHARINGS, createRuleState, sharedUnits } from './rule.ts';
export type { PlasticityRule, RuleCoefficients, RuleName, RuleSharing, RuleState, RuleTable } from './rule.ts';
export { hebb } from './hebb.ts';
export { oja } from './oja.ts';
export { bcm, defaultBcmParams, type BcmParams } from './bcm.ts';
export { abcd, ABCD_INIT_STD } from './abcd.ts';

export const RULES: Readonly<Record<Exclude<RuleName, 'none'>, PlasticityRule>> = { hebb, oja, bcm, abcd };

/** The rule for a name, or null for the static `none`. */
export function ruleByName(name: RuleName): PlasticityRule | null {
  return name === 'none' ? null : RULES[name];
}
