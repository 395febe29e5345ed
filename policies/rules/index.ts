/**
 * The registry of plasticity rules by name, so that the network, the reference path and the
 * tests loop over one list. `none` (a static SNN) has no entry: it has no synaptic trace.
 */

import { bcm } from './bcm.ts';
import { hebb } from './hebb.ts';
import { oja } from './oja.ts';
import type { PlasticityRule, RuleName } from './rule.ts';

export { RULE_NAMES, createRuleState, deltaFromFactors } from './rule.ts';
export type { PlasticityRule, RuleCoefficients, RuleName, RuleState } from './rule.ts';
export { hebb, hebbStep, defaultHebbParams, hebbFromGenome, hebbToGenome } from './hebb.ts';
export type { HebbParams, HebbState } from './hebb.ts';
export { oja, ojaStep, defaultOjaParams, ojaFromGenome, ojaToGenome } from './oja.ts';
export type { OjaParams, OjaState } from './oja.ts';
export { bcm, bcmStep, defaultBcmParams, bcmFromGenome, bcmToGenome } from './bcm.ts';
export type { BcmParams, BcmState } from './bcm.ts';

export const RULES: Readonly<Record<Exclude<RuleName, 'none'>, PlasticityRule>> = { hebb, oja, bcm };

/** The rule for a name, or null for the static `none`. */
export function ruleByName(name: RuleName): PlasticityRule | null {
  return name === 'none' ? null : RULES[name];
}
