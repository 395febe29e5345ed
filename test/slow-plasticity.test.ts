/**
 * Slow plasticity (`policy.plasticityEvery`, `policy.activityDecay`): H changes on every k-th
 * SNN step only, and the rule sees low-passed activity, held to a whole-matrix reference; the
 * defaults leave the network as it was; the gradient route refuses both by name.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.ts';
import { createPolicy, describePolicy, initParams, validatePolicyConfig, type SnnPolicy } from '../policies/index.ts';
import { checkBpttConfig } from '../policies/bptt-trace.ts';
import { ojaStep } from './helpers/rule-reference.ts';

const OBS = 27;
const ACT = 8;

function make(over: Record<string, unknown>): SnnPolicy {
  // One SNN step per act, so that steps can be counted from outside.
  const cfg = validatePolicyConfig({ hidden: [12], substeps: 1, alphaInit: 1, ...over });
  const policy = createPolicy(cfg, OBS, ACT) as SnnPolicy;
  policy.setParams(initParams(cfg, OBS, ACT, new Rng(4)));
  return policy;
}

function stream(steps: number): Float32Array[] {
  const rng = new Rng(11);
  return Array.from({ length: steps }, () => Float32Array.from({ length: OBS }, () => 2 * rng.normal()));
}

/** The steps (1-based) after which H_rec differs from before it. */
function changedSteps(policy: SnnPolicy, obs: Float32Array[]): number[] {
  const layer = policy.layers[0]!;
  const out: number[] = [];
  obs.forEach((o, t) => {
    const before = layer.Hrec.slice();
    policy.act(o);
    if (layer.Hrec.some((h, q) => h !== before[q])) out.push(t + 1);
  });
  return out;
}

test('plasticityEvery k: H changes on every k-th SNN step only, and the network acts on every step', () => {
  const obs = stream(24);
  for (const modulation of ['none', 'simple', 'retroactive']) {
    const every1 = changedSteps(make({ rule: 'hebb', modulation }), obs);
    assert.ok(every1.length >= 20, `${modulation}: with k = 1, H changes on most steps (${every1.length})`);
    const policy = make({ rule: 'hebb', modulation, plasticityEvery: 4 });
    const steps = changedSteps(policy, obs);
    assert.ok(steps.length >= 4, `${modulation}: H changes at all (${steps.join(',')})`);
    for (const t of steps) assert.equal(t % 4, 0, `${modulation}: H changed after step ${t}`);
    // Between updates the synapses still act: the actions change from step to step.
    policy.reset();
    const acts = obs.map((o) => policy.act(o).slice());
    assert.ok(acts.some((a, t) => t > 0 && a.some((x, j) => x !== acts[t - 1]![j])));
  }
});

test('activityDecay d: the rule sees a_t = d a_(t-1) + (1 - d) r_t, as the whole-matrix Oja reference', () => {
  const d = 0.7;
  const obs = stream(15);
  const policy = make({ rule: 'oja', modulation: 'none', activityDecay: d, clip: 100 });
  const layer = policy.layers[0]!;
  const eta = layer.coeff.eta;
  let slow = new Float32Array(layer.n);
  let maxErr = 0;
  let maxDiffFromFast = 0;
  for (const o of obs) {
    const H0 = layer.Hrec.slice();
    policy.act(o);
    const r = layer.lif.r;
    slow = Float32Array.from(slow, (a, j) => d * a + (1 - d) * r[j]!);
    const ref = ojaStep({ eta }, slow, slow, H0).H;
    const fast = ojaStep({ eta }, r, r, H0).H;
    layer.Hrec.forEach((h, q) => {
      maxErr = Math.max(maxErr, Math.abs(h - ref[q]!));
      maxDiffFromFast = Math.max(maxDiffFromFast, Math.abs(ref[q]! - fast[q]!));
    });
  }
  assert.ok(maxErr < 1e-5, `H_rec within ${maxErr} of the reference`);
  assert.ok(maxDiffFromFast > 1e-3, `the low-pass matters in this case (${maxDiffFromFast})`);
  // reset() zeroes the low-passed activity with the rest of the episode's state.
  policy.reset();
  const fresh = make({ rule: 'oja', modulation: 'none', activityDecay: d, clip: 100 });
  const a = obs.map((o) => policy.act(o).slice());
  const b = obs.map((o) => fresh.act(o).slice());
  assert.deepEqual(a, b);
});

test('slow plasticity: the defaults are the network as before, the summary names the settings, learn refuses them', () => {
  const obs = stream(20);
  const a = make({ rule: 'bcm', modulation: 'retroactive' });
  const b = make({ rule: 'bcm', modulation: 'retroactive', plasticityEvery: 1, activityDecay: 0 });
  assert.deepEqual(obs.map((o) => a.act(o).slice()), obs.map((o) => b.act(o).slice()));
  const cfg = validatePolicyConfig({ plasticityEvery: 4, activityDecay: 0.9 });
  assert.match(describePolicy(cfg), /H updated every 4 steps, rule activity low-passed \(decay 0\.9\)/);
  assert.throws(() => validatePolicyConfig({ plasticityEvery: 0 }), /policy\.plasticityEvery/);
  assert.throws(() => validatePolicyConfig({ activityDecay: 1 }), /policy\.activityDecay/);
  if (cfg.type !== 'snn') throw new Error('snn expected');
  assert.throws(() => checkBpttConfig(cfg), /policy\.plasticityEvery must be 1 for gradient training \(got 4\)/);
  assert.throws(() => checkBpttConfig({ ...cfg, plasticityEvery: 1 }), /policy\.activityDecay must be 0 for gradient training \(got 0\.9\)/);
});
