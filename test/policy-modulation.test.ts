/**
 * Neuromodulation: a zero modulator leaves H unchanged; retroactive modulation changes H
 * only when M_t is non-zero and after the eligibility trace has built up; the same holds
 * inside the network.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.ts';
import { createPolicy, initParams, policyLayout, validatePolicyConfig, type SnnPolicy, type SnnPolicyConfig } from '../policies/index.ts';
import { modulatedRates, modulatorOutput, ObservationPredictor } from '../policies/modulation.ts';
import { applyRates, applyRetroactive } from './helpers/modulation-reference.ts';

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

test('M_t = tanh(w . h + b) and per-neuron rates f_j M + g_j', () => {
  assert.ok(Math.abs(modulatorOutput([1, -2], 0.5, [0.3, 0.1]) - Math.tanh(0.6)) < 1e-12);
  const out = new Float32Array(2);
  modulatedRates(0.5, [2, -1], [0.1, 0], out);
  assert.deepEqual(Array.from(out), [Math.fround(1.1), -0.5]);
  modulatedRates(0.25, null, null, out);
  assert.deepEqual(Array.from(out), [0.25, 0.25]);
});

test('simple modulation: zero modulator leaves H unchanged; non-zero applies m_j delta and clips', () => {
  const H = Float32Array.from([0.2, -0.4, 0.9, 0.1]);
  const delta = Float32Array.from([1, 1, 1, -1]);
  assert.deepEqual(applyRates(H, delta, [0, 0], 1), H);
  const out = applyRates(H, delta, [0.5, 0.25], 1);
  assert.deepEqual(Array.from(out), [0.7, -0.15, 1, -0.15].map(Math.fround));
});

test('retroactive: H changes only when M is non-zero and eligibility has built up', () => {
  const c = 1;
  const etaE = 0.5;
  let H: Float32Array = new Float32Array(2);
  let E: Float32Array = new Float32Array(2);
  const none = new Float32Array(2);
  const active = Float32Array.from([1, -0.5]);
  // A modulator with no eligibility yet: nothing happens.
  ({ H, E } = applyRetroactive(H, E, none, [1, 1], etaE, c));
  assert.equal(maxAbs(H), 0);
  assert.equal(maxAbs(E), 0);
  // Activity without a modulator: eligibility builds, H stays put.
  for (let t = 0; t < 3; t++) ({ H, E } = applyRetroactive(H, E, active, [0, 0], etaE, c));
  assert.equal(maxAbs(H), 0);
  assert.deepEqual(Array.from(E), [0.875, -0.4375]);
  // The modulator arrives after the activity has stopped: it still credits it.
  ({ H, E } = applyRetroactive(H, E, none, [0.5, 0.5], etaE, c));
  assert.deepEqual(Array.from(E), [0.4375, -0.21875]);
  assert.deepEqual(Array.from(H), [0.21875, -0.109375]);
});

/** A plastic SNN whose modulatory head outputs a constant M = tanh(bias) (w_M = 0, f = 1, g = 0). */
function constantModulator(modulation: 'simple' | 'retroactive', bias: number) {
  const cfg = validatePolicyConfig({ type: 'snn', hidden: [16], rule: 'hebb', modulation });
  const params = initParams(cfg, 6, 2, new Rng(1));
  const policy = createPolicy(cfg, 6, 2) as SnnPolicy;
  const set = (b: number) => {
    for (const s of policyLayout(cfg, 6, 2)) {
      if (s.name === 'hidden0.mod.w' || s.name === 'hidden0.mod.g') params.fill(0, s.offset, s.offset + s.length);
      if (s.name === 'hidden0.mod.b') params[s.offset] = b;
    }
    policy.setParams(params);
  };
  set(bias);
  return { policy, set };
}

function drive(policy: SnnPolicy, steps: number, rng: Rng): void {
  const obs = new Float32Array(6);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < 6; i++) obs[i] = 1.5 * rng.normal();
    policy.act(obs);
  }
}

test('in the network, simple modulation with M = 0 leaves H at zero; M != 0 makes it move', () => {
  const { policy, set } = constantModulator('simple', 0);
  const rng = new Rng(2);
  drive(policy, 100, rng);
  const st = policy.plasticState(0);
  assert.ok(policy.firingRates()[0] > 0.02, 'the network is active');
  assert.equal(st.M, 0);
  assert.equal(maxAbs(st.Hin), 0);
  assert.equal(maxAbs(st.Hrec), 0);
  set(0.5);
  drive(policy, 20, rng);
  assert.ok(maxAbs(policy.plasticState(0).Hin) > 1e-3);
});

test('in the network, retroactive modulation with M = 0 builds eligibility but not H; then M != 0 moves H', () => {
  const { policy, set } = constantModulator('retroactive', 0);
  const rng = new Rng(2);
  drive(policy, 100, rng);
  let st = policy.plasticState(0);
  assert.ok(maxAbs(st.Ein) > 1e-3, 'eligibility built up');
  assert.equal(maxAbs(st.Hin), 0);
  assert.equal(maxAbs(st.Hrec), 0);
  // Switching the modulator on (setParams keeps the episode state) moves H.
  set(1);
  drive(policy, 1, rng);
  st = policy.plasticState(0);
  assert.ok(maxAbs(st.Hin) > 1e-3, 'H moved once M != 0');
});

test('modulator inputs: the previous reward and action enter M_t through v_M; with v_M = 0 the network is the one without them', () => {
  assert.throws(() => validatePolicyConfig({ modInputs: ['pain'] }), /policy\.modInputs\[0\] must be one of reward, action, surprise \(got "pain"\)/);
  assert.throws(() => validatePolicyConfig({ modInputs: ['reward', 'reward'] }), /policy\.modInputs names an input twice/);
  assert.throws(() => validatePolicyConfig({ rule: 'none', modInputs: ['reward'] }), /policy\.modInputs needs a modulated plastic network/);
  assert.throws(() => validatePolicyConfig({ modulation: 'none', modInputs: ['action'] }), /policy\.modInputs needs a modulated plastic network/);
  assert.deepEqual((validatePolicyConfig({}) as SnnPolicyConfig).modInputs, [], 'configs without the field have none');
  const OBS = 6;
  const ACT = 3;
  const plain = validatePolicyConfig({ hidden: [10], substeps: 2 });
  const withInputs = validatePolicyConfig({ hidden: [10], substeps: 2, modInputs: ["action", "reward"] }) as SnnPolicyConfig;
  assert.deepEqual(withInputs.modInputs, ['reward', 'action'], 'stored in a fixed order');
  const slices = policyLayout(withInputs, OBS, ACT);
  const v = slices.find((s) => s.name === 'hidden0.mod.v')!;
  assert.deepEqual(v.shape, [1 + ACT]);
  assert.equal(slices.at(-1)!.offset + slices.at(-1)!.length, policyLayout(plain, OBS, ACT).reduce((a, s) => a + s.length, 0) + 1 + ACT);
  // The same network with v_M = 0 (the initial value): identical actions whatever rewards it is told.
  const pa = initParams(plain, OBS, ACT, new Rng(3));
  const pb = initParams(withInputs, OBS, ACT, new Rng(3));
  assert.deepEqual(Array.from(pb.subarray(v.offset, v.offset + v.length)), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(pb.subarray(0, v.offset)), Array.from(pa.subarray(0, v.offset)), 'the other parameters draw as before');
  const a = createPolicy(plain, OBS, ACT) as SnnPolicy;
  const b = createPolicy(withInputs, OBS, ACT) as SnnPolicy;
  a.setParams(pa);
  b.setParams(pb);
  const rng = new Rng(5);
  const obs = new Float32Array(OBS);
  let moved = false;
  for (let t = 0; t < 60; t++) {
    for (let i = 0; i < OBS; i++) obs[i] = 2 * rng.normal();
    const x = Array.from(a.act(obs));
    const y = Array.from(b.act(obs));
    assert.deepEqual(y, x, `step ${t}`);
    b.observeReward(rng.normal());
    moved ||= maxAbs(b.plasticState(0).Hin) > 0;
  }
  assert.ok(moved, 'the synapses were plastic');
  // Only v_M: M_t = tanh(v_r r_{t-1} + v_a . a_{t-1}) exactly.
  const only = new Float32Array(pb.length);
  only.set(pb);
  const mw = slices.find((s) => s.name === 'hidden0.mod.w')!;
  only.fill(0, mw.offset, mw.offset + mw.length + 1); // mod.w and mod.b
  only[v.offset] = 0.5;
  only[v.offset + 1 + 2] = -1.5;
  b.setParams(only);
  b.reset();
  let prev = Array.from(b.act(obs));
  assert.equal(b.plasticState(0).M, 0, 'nothing to read at the reset');
  for (const r of [0.8, -2, 0.1]) {
    b.observeReward(r);
    const next = Array.from(b.act(obs));
    assert.equal(b.plasticState(0).M, Math.tanh(0.5 * Math.fround(r) + -1.5 * prev[2]!));
    prev = next;
  }
  b.reset();
  b.act(obs);
  assert.equal(b.plasticState(0).M, 0, 'reset clears the context');
});

test('surprise input: the predictor learns a linear body within the episode, the error jumps when the body changes and falls again', () => {
  const OBS = 5;
  const ACT = 2;
  const p = new ObservationPredictor(OBS, ACT);
  const rng = new Rng(11);
  // o_{t+1} = A [o_t; a_t; 1] with a stable A; "damage" swaps in another A at step 400.
  const body = (seed: number) => {
    const r = new Rng(seed);
    return Array.from({ length: OBS }, () => Array.from({ length: OBS + ACT + 1 }, () => 0.3 * r.normal()));
  };
  let A = body(1);
  let o = Array.from({ length: OBS }, () => rng.normal());
  const trace: number[] = [];
  assert.equal(p.observe(o), 0, 'no prediction yet, no surprise');
  for (let t = 0; t < 800; t++) {
    if (t === 400) A = body(2);
    const a = Array.from({ length: ACT }, () => rng.normal());
    p.predict(o, a);
    const x = [...o, ...a, 1];
    o = A.map((row) => Math.tanh(row.reduce((s, w, k) => s + w * x[k]!, 0)) + 0.01 * rng.normal());
    trace.push(p.observe(o));
  }
  const mean = (from: number, to: number) => trace.slice(from, to).reduce((s, x) => s + x, 0) / (to - from);
  const early = mean(0, 20);
  const settled = mean(300, 400);
  const onset = mean(400, 420);
  const resettled = mean(700, 800);
  assert.ok(settled < 0.3 * early, `learns: ${early} -> ${settled}`);
  assert.ok(onset > 3 * settled, `the changed body surprises: ${settled} -> ${onset}`);
  assert.ok(resettled < 0.3 * onset, `and is learned again: ${onset} -> ${resettled}`);
  p.reset();
  assert.equal(p.observe(o), 0, 'reset forgets the prediction');
});

test('surprise input: M_t reads the RMS prediction error of the observation through v_M', () => {
  const OBS = 4;
  const ACT = 2;
  const cfg = validatePolicyConfig({ hidden: [6], substeps: 1, modInputs: ['surprise', 'reward'] }) as SnnPolicyConfig;
  assert.deepEqual(cfg.modInputs, ['reward', 'surprise']);
  const slices = policyLayout(cfg, OBS, ACT);
  const v = slices.find((s) => s.name === 'hidden0.mod.v')!;
  assert.deepEqual(v.shape, [2]);
  const params = initParams(cfg, OBS, ACT, new Rng(2));
  const mw = slices.find((s) => s.name === 'hidden0.mod.w')!;
  params.fill(0, mw.offset, mw.offset + mw.length + 1);
  params[v.offset + 1] = 0.7;
  const policy = createPolicy(cfg, OBS, ACT) as SnnPolicy;
  policy.setParams(params);
  const ref = new ObservationPredictor(OBS, ACT);
  const rng = new Rng(3);
  for (let t = 0; t < 30; t++) {
    const obs = Float32Array.from({ length: OBS }, () => rng.normal());
    const s = ref.observe(obs);
    const a = policy.act(obs);
    ref.predict(obs, a);
    assert.equal(policy.plasticState(0).M, Math.tanh(Math.fround(0.7) * Math.fround(s)), `step ${t}`);
    if (t > 0) assert.ok(s > 0);
  }
});
