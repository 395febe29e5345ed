/**
 * The fast typed-array SNN against the TensorFlow.js reference (dense ops, rule equations
 * written out over whole matrices): same actions and plastic traces over 200 steps.
 * Runs on the pure-JS @tensorflow/tfjs CPU backend; the native binding is never needed.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.ts';
import { createPolicy, initParams, validatePolicyConfig, type SnnPolicy, type SnnPolicyConfig } from '../policies/index.ts';
import { loadTf, TfReferencePolicy } from '../policies/tf-reference.ts';

const OBS = 27;
const ACT = 8;
const TOL = 1e-4;

const cases: Partial<SnnPolicyConfig>[] = [
  { hidden: [16], rule: 'oja', modulation: 'simple' },
  { hidden: [16], rule: 'bcm', modulation: 'retroactive', perNeuronModulation: false },
  { hidden: [12, 10], rule: 'hebb', modulation: 'none', readout: 'trace', learnNeuronParams: true },
  { hidden: [16], rule: 'none' },
  { hidden: [12], rule: 'abcd', ruleSharing: 'synapse', modulation: 'simple' },
  { hidden: [12, 8], rule: 'abcd', ruleSharing: 'post', modulation: 'retroactive' },
  { hidden: [12], rule: 'abcd', ruleSharing: 'layer', modulation: 'none' },
];

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('fast path and TensorFlow.js reference agree over 200 steps', async () => {
  const { tf } = await loadTf({ native: false });
  for (const over of cases) {
    const cfg = validatePolicyConfig(over) as SnnPolicyConfig;
    const rng = new Rng(3);
    const params = initParams(cfg, OBS, ACT, rng);
    const fast = createPolicy(cfg, OBS, ACT) as SnnPolicy;
    fast.setParams(params);
    const ref = new TfReferencePolicy(tf, cfg, OBS, ACT, params);
    let spikes = 0;
    let hMax = 0;
    try {
      for (let t = 0; t < 200; t++) {
        const obs = Float32Array.from({ length: OBS }, () => 1.5 * rng.normal());
        const a = fast.act(obs);
        const b = ref.act(obs);
        assert.ok(maxDiff(a, b) < TOL, `${JSON.stringify(over)} step ${t}: actions differ by ${maxDiff(a, b)}`);
        spikes += fast.neuronState(0).s.reduce((x, y) => x + y, 0);
        for (let l = 0; l < cfg.hidden.length; l++) {
          const mine = fast.plasticState(l);
          const theirs = ref.state(l);
          assert.ok(maxDiff(fast.neuronState(l).v, theirs.v) < TOL, `step ${t} layer ${l}: membranes`);
          assert.ok(maxDiff(mine.Hin, theirs.Hin) < TOL, `step ${t} layer ${l}: H_in`);
          assert.ok(maxDiff(mine.Hrec, theirs.Hrec) < TOL, `step ${t} layer ${l}: H_rec`);
          assert.ok(maxDiff(mine.Ein, theirs.Ein) < TOL, `step ${t} layer ${l}: E_in`);
          assert.ok(maxDiff(mine.theta, theirs.theta) < TOL, `step ${t} layer ${l}: theta`);
          for (const h of mine.Hin) hMax = Math.max(hMax, Math.abs(h));
        }
      }
    } finally {
      ref.dispose();
    }
    // Guard against a vacuous pass: the network spiked and (when plastic) H moved.
    assert.ok(spikes > 100, `${JSON.stringify(over)}: only ${spikes} spikes`);
    if (cfg.rule !== 'none') assert.ok(hMax > 1e-2, `${JSON.stringify(over)}: H stayed at ${hMax}`);
  }
});
