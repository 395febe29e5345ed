/**
 * The gradient route's initialization: the policy's documented initialization (policies/init.ts)
 * with three scales changed, because with them the network both keeps its activity in range
 * and learns by gradient descent (measured on cue-reward; the policy's scales are tuned for
 * ES on the ant's 27 unit-variance observations):
 *
 *   W_in ~ N(0, (inputGain / sqrt(nIn))^2)        inputGain 0.4 (the policy's 0.6 drives +-1 inputs too hard)
 *   alpha_in, alpha_rec ~ U(-alphaRange, alphaRange)   0.05: U(0, 0.1) made activity run away
 *                                                  (rate 0.03 -> 0.44) and nothing was learned
 *   b = bias                                       -0.05: a little below rest keeps silent inputs silent
 *
 * The genome has the policy's layout, so it loads into SnnPolicy unchanged.
 */
import { initParams, policyLayout, type SnnPolicyConfig } from '../../policies/index.ts';
import { SliceIndex } from '../../policies/layout.ts';
import type { Rng } from '../../core/rng.ts';
import type { LearnConfig } from './config.ts';

export function initLearnParams(policy: SnnPolicyConfig, scales: LearnConfig['init'], nIn: number, nOut: number, rng: Rng): Float32Array {
  const params = initParams(policy, nIn, nOut, rng);
  const idx = new SliceIndex(policyLayout(policy, nIn, nOut));
  const win = idx.view(params, 'hidden0.W_in');
  for (let i = 0; i < win.length; i++) win[i] = (scales.inputGain / Math.sqrt(nIn)) * rng.normal();
  idx.view(params, 'hidden0.b').fill(scales.bias);
  for (const name of ['hidden0.alpha_in', 'hidden0.alpha_rec']) {
    if (!idx.has(name)) continue;
    const a = idx.view(params, name);
    for (let i = 0; i < a.length; i++) a[i] = scales.alphaRange * (2 * rng.uniform() - 1);
  }
  return params;
}
