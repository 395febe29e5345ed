/**
 * The documented initialization gives sensible firing on ant-like inputs (27 roughly
 * unit-variance observations, slowly varying; 8 actions): neither silent nor saturated,
 * and actions spread inside (-1, 1).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.ts';
import { createPolicy, initParams, validatePolicyConfig, type SnnPolicy } from '../policies/index.ts';
import { policyLayout, SliceIndex } from '../policies/layout.ts';

/** AR(1) signals with unit variance, like normalized joint angles and velocities. */
function antLikeStream(seed: number, steps: number): Float32Array[] {
  const rng = new Rng(seed);
  const x = new Float32Array(27);
  const out: Float32Array[] = [];
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < 27; i++) x[i] = 0.9 * x[i] + Math.sqrt(1 - 0.81) * rng.normal();
    out.push(x.slice());
  }
  return out;
}

const configs = [
  {},
  { rule: 'none' },
  { rule: 'hebb', modulation: 'retroactive' },
  { rule: 'bcm', modulation: 'none' },
  { hidden: [128] },
  { hidden: [64, 64] },
  { readout: 'trace' },
  { recurrent: false },
];

for (const over of configs) {
  test(`initial firing is sensible: ${JSON.stringify(over)}`, () => {
    const cfg = validatePolicyConfig(over);
    const policy = createPolicy(cfg, 27, 8) as SnnPolicy;
    policy.setParams(initParams(cfg, 27, 8, new Rng(42)));
    const n = policy.layers.map((l) => l.n);
    const spikesPerNeuron = n.map((k) => new Float64Array(k));
    let sumAbs = 0;
    let saturated = 0;
    let count = 0;
    for (const obs of antLikeStream(1, 500)) {
      const a = policy.act(obs);
      policy.layers.forEach((l, li) => l.lif.s.forEach((s, j) => (spikesPerNeuron[li][j] += s)));
      for (const v of a) {
        sumAbs += Math.abs(v);
        if (Math.abs(v) > 0.99) saturated++;
        count++;
      }
    }
    policy.firingRates().forEach((rate, l) => {
      assert.ok(rate > 0.05 && rate < 0.5, `layer ${l} mean rate ${rate} per SNN step`);
      // Spikes sampled at the last substep of 500 env steps.
      const silent = spikesPerNeuron[l].filter((c) => c === 0).length / n[l];
      const always = spikesPerNeuron[l].filter((c) => c === 500).length / n[l];
      assert.ok(silent < 0.25, `layer ${l}: ${silent} of neurons silent`);
      assert.ok(always < 0.1, `layer ${l}: ${always} of neurons fire every step`);
    });
    const meanAbs = sumAbs / count;
    assert.ok(meanAbs > 0.05 && meanAbs < 0.7, `mean |action| ${meanAbs}`);
    assert.ok(saturated / count < 0.05, `saturated actions ${saturated / count}`);
  });
}

test('initParams is deterministic for a seed and differs across seeds', () => {
  const cfg = validatePolicyConfig({});
  assert.deepEqual(initParams(cfg, 27, 8, new Rng(1)), initParams(cfg, 27, 8, new Rng(1)));
  assert.notDeepEqual(initParams(cfg, 27, 8, new Rng(1)), initParams(cfg, 27, 8, new Rng(2)));
});

test('MLP initialization gives unsaturated actions', () => {
  const cfg = validatePolicyConfig({ type: 'mlp' });
  const policy = createPolicy(cfg, 27, 8);
  policy.setParams(initParams(cfg, 27, 8, new Rng(3)));
  let sumAbs = 0;
  let count = 0;
  for (const obs of antLikeStream(2, 200)) for (const v of policy.act(obs)) (sumAbs += Math.abs(v)), count++;
  assert.ok(sumAbs / count > 0.05 && sumAbs / count < 0.7, `mean |action| ${sumAbs / count}`);
});

test('learned neuron coefficients start at the configured values', () => {
  const cfg = validatePolicyConfig({ learnNeuronParams: true, leak: 0.85, threshold: 1.2, traceDecay: 0.7 });
  const policy = createPolicy(cfg, 27, 8) as SnnPolicy;
  policy.setParams(initParams(cfg, 27, 8, new Rng(1)));
  const p = policy.layers[0].lifParams;
  assert.ok(p.beta.every((x) => Math.abs(x - 0.85) < 1e-6));
  assert.ok(p.threshold.every((x) => Math.abs(x - 1.2) < 1e-6));
  assert.ok(p.traceDecay.every((x) => Math.abs(x - 0.7) < 1e-6));
});

test('alphaInit sets the spread of the initial plasticity coefficients (0: W + alpha H = W at the start)', () => {
  const base = validatePolicyConfig({});
  const zero = validatePolicyConfig({ alphaInit: 0 });
  const wide = validatePolicyConfig({ alphaInit: 0.3 });
  const slices = policyLayout(base, 27, 8);
  const idx = new SliceIndex(slices);
  const spread = (cfg: typeof base, name: string) => {
    const a = idx.view(initParams(cfg, 27, 8, new Rng(4)), name);
    return Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
  };
  for (const name of ['hidden0.alpha_in', 'hidden0.alpha_rec']) {
    assert.equal(spread(zero, name), 0, name);
    assert.ok(Math.abs(spread(wide, name) / spread(base, name) - 3) < 1e-4, name);
  }
  // Everything else is drawn exactly as with the default spread.
  assert.deepEqual(idx.view(initParams(zero, 27, 8, new Rng(4)), 'hidden0.W_rec'), idx.view(initParams(base, 27, 8, new Rng(4)), 'hidden0.W_rec'));
  assert.throws(() => validatePolicyConfig({ alphaInit: -0.1 }), /policy\.alphaInit must be a number in \[0, inf\) \(got -0\.1\)/);
});
