/**
 * The SNN and MLP policies through the public entry: layout and shapes, exact reset,
 * bit-for-bit determinism, behaviour that changes within an episode only when plastic.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.ts';
import {
  MODULATION_NAMES,
  RULE_NAMES,
  INIT_GAINS,
  createPolicy,
  genomeGroupOf,
  initParams,
  validatePolicyConfig,
  type Policy,
  type PolicyConfig,
  type SnnPolicy,
} from '../policies/index.ts';

const OBS = 27;
const ACT = 8;

function make(over: Partial<PolicyConfig> & Record<string, unknown>, seed = 1): { policy: Policy; params: Float32Array; cfg: PolicyConfig } {
  const cfg = validatePolicyConfig({ hidden: [32], ...over });
  const params = initParams(cfg, OBS, ACT, new Rng(seed));
  const policy = createPolicy(cfg, OBS, ACT);
  policy.setParams(params);
  return { policy, params, cfg };
}

function stream(seed: number, steps: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: steps }, () => Float32Array.from({ length: OBS }, () => rng.normal()));
}

function run(policy: Policy, obs: Float32Array[]): Float32Array[] {
  return obs.map((o) => policy.act(o).slice());
}

const allCombos = RULE_NAMES.flatMap((rule) => MODULATION_NAMES.map((modulation) => ({ rule, modulation })));

test('layout: contiguous named slices covering numParams, with the expected names and shapes', () => {
  const { policy } = make({ rule: 'bcm', modulation: 'retroactive', hidden: [32, 16] });
  const slices = policy.layout();
  let offset = 0;
  for (const s of slices) {
    assert.equal(s.offset, offset, s.name);
    assert.equal(s.length, s.shape.reduce((a, b) => a * b, 1), s.name);
    offset += s.length;
  }
  assert.equal(offset, policy.numParams);
  const byName = new Map(slices.map((s) => [s.name, s.shape]));
  assert.deepEqual(byName.get('hidden0.W_in'), [OBS, 32]);
  assert.deepEqual(byName.get('hidden0.W_rec'), [32, 32]);
  assert.deepEqual(byName.get('hidden1.W_in'), [32, 16]);
  assert.deepEqual(byName.get('hidden1.alpha_rec'), [16, 16]);
  assert.deepEqual(byName.get('hidden0.rule.tau_raw'), [1]);
  assert.deepEqual(byName.get('hidden0.mod.eligibility_raw'), [1]);
  assert.deepEqual(byName.get('readout.W'), [16, ACT]);
  assert.ok(!byName.has('hidden0.rule.eta_raw'), 'eta is replaced by the modulator');
  const stat = make({ rule: 'none' }).policy.layout().map((s) => s.name);
  assert.deepEqual(stat, ['hidden0.W_in', 'hidden0.W_rec', 'hidden0.b', 'readout.W', 'readout.b']);
});

test('act: actSize actions in [-1, 1] for every rule x modulation, the MLP, and two layers', () => {
  const configs = [...allCombos, { type: 'mlp' as const }, { hidden: [24, 16], readout: 'trace' as const }];
  const obs = stream(3, 30);
  for (const over of configs) {
    const { policy } = make(over);
    for (const o of obs) {
      const a = policy.act(o);
      assert.equal(a.length, ACT);
      assert.ok(a.every((x) => x >= -1 && x <= 1 && Number.isFinite(x)), JSON.stringify(over));
    }
  }
});

test('reset() restores the exact start state', () => {
  for (const over of [{ rule: 'oja' as const, modulation: 'retroactive' as const }, { rule: 'bcm' as const, modulation: 'none' as const }]) {
    const { policy } = make(over);
    const snn = policy as SnnPolicy;
    const obs = stream(4, 60);
    const first = run(policy, obs);
    run(policy, stream(5, 40));
    policy.reset();
    const st = snn.plasticState(0);
    const ns = snn.neuronState(0);
    for (const a of [st.Hin, st.Hrec, st.Ein, st.Erec, st.theta, ns.v, ns.s, ns.xbar, ns.r, snn.readoutState()]) {
      assert.ok(a.every((x) => x === 0), 'state zeroed');
    }
    assert.deepEqual(run(policy, obs), first);
  }
});

test('same params and inputs give the same actions bit for bit (Float32 or Float64 observations)', () => {
  const obs = stream(6, 50);
  for (const over of [...allCombos, { type: 'mlp' as const }]) {
    const a = make(over);
    const b = createPolicy(a.cfg, OBS, ACT);
    b.setParams(Float64Array.from(a.params));
    const ra = run(a.policy, obs);
    const rb = obs.map((o) => b.act(Float64Array.from(o)).slice());
    assert.deepEqual(ra, rb, JSON.stringify(over));
  }
});

/**
 * The network's response to a probe sequence from rest, with whatever synapses it has: a
 * static SNN answers the same before and after an episode's worth of input; a plastic one
 * has changed.
 */
function probeResponse(policy: SnnPolicy, probe: Float32Array[]): Float32Array[] {
  policy.resetActivity();
  return run(policy, probe);
}

test('within an episode a plastic policy changes its behaviour; a static one does not', () => {
  const probe = stream(8, 20);
  const episode = stream(9, 300);
  for (const over of [
    { rule: 'none' as const },
    { rule: 'hebb' as const, modulation: 'simple' as const },
    { rule: 'oja' as const, modulation: 'retroactive' as const },
    { rule: 'bcm' as const, modulation: 'none' as const },
  ]) {
    const policy = make(over).policy as SnnPolicy;
    const before = probeResponse(policy, probe);
    policy.reset();
    run(policy, episode);
    const after = probeResponse(policy, probe);
    const diff = Math.max(...before.flatMap((a, t) => Array.from(a, (x, j) => Math.abs(x - after[t][j]))));
    if (over.rule === 'none') assert.equal(diff, 0, 'static');
    else assert.ok(diff > 1e-2, `${over.rule}/${over.modulation} changed by ${diff}`);
  }
});

test('freezing plasticity holds H for every rule and modulation while the network keeps acting; reset thaws', () => {
  const episode = stream(10, 60);
  for (const over of allCombos.filter((c) => c.rule !== 'none')) {
    const policy = make(over).policy as SnnPolicy;
    const layer = policy.layers[0]!;
    run(policy, episode.slice(0, 30));
    policy.freezePlasticity();
    const held = [Float32Array.from(layer.Hin), Float32Array.from(layer.Hrec)];
    assert.ok(held.some((h) => h.some((v) => v !== 0)), `${over.rule}/${over.modulation}: H never moved`);
    const acts = run(policy, episode.slice(30));
    layer.flushPending();
    // Exactly held, except that the branchless clip rounds values below ~1e-9 to zero.
    const moved = Math.max(...[layer.Hin, layer.Hrec].flatMap((h, k) => Array.from(h, (v, q) => Math.abs(v - held[k]![q]!))));
    assert.ok(moved < 1e-8, `${over.rule}/${over.modulation}: H moved by ${moved} while frozen`);
    assert.ok(acts.some((a, t) => t > 0 && a.some((x, j) => x !== acts[t - 1]![j])), 'the network stopped acting');
    policy.reset();
    assert.equal(layer.plasticityFrozen, false);
    run(policy, episode.slice(0, 30));
    layer.flushPending();
    assert.ok(layer.Hin.some((v) => v !== 0) || layer.Hrec.some((v) => v !== 0));
  }
});

test('a plastic policy with alpha = 0 acts exactly like the static network with the same W', () => {
  const plastic = make({ rule: 'oja', modulation: 'simple' });
  const stat = make({ rule: 'none' });
  // Copy W_in, W_rec, b, readout from the plastic genome; alpha and modulation are then irrelevant.
  const p = plastic.policy.layout();
  const genome = new Float32Array(stat.policy.numParams);
  for (const s of stat.policy.layout()) {
    const src = p.find((x) => x.name === s.name)!;
    genome.set(plastic.params.subarray(src.offset, src.offset + src.length), s.offset);
  }
  for (const s of p) if (s.name.includes('alpha')) plastic.params.fill(0, s.offset, s.offset + s.length);
  plastic.policy.setParams(plastic.params);
  stat.policy.setParams(genome);
  const obs = stream(10, 100);
  assert.deepEqual(run(plastic.policy, obs), run(stat.policy, obs));
});

test('MLP: exact output for a hand-set genome', () => {
  const policy = createPolicy({ type: 'mlp', hidden: [2] }, 2, 1);
  // layer0.W [2x2], layer0.b [2], output.W [2x1], output.b [1]
  policy.setParams(Float32Array.from([1, 0, 0, -1, 0.5, 0, 1, 1, 0.25]));
  const a = policy.act(Float32Array.from([0.5, 0.25]));
  // h = tanh([0.5 + 0.5, -0.25]) ; a = tanh(h0 + h1 + 0.25)
  const expected = Math.tanh(Math.tanh(1) + Math.tanh(-0.25) + 0.25);
  assert.ok(Math.abs(a[0] - expected) < 1e-6);
});

test('act reuses one output buffer (no per-step allocation of the result)', () => {
  const { policy } = make({});
  const o = stream(1, 2);
  assert.equal(policy.act(o[0]), policy.act(o[1]));
});

test('abcd layout: a [4, units] table per plastic matrix, units by sharing, in the rule group', () => {
  const nIn = OBS;
  const n = 32;
  const units = { synapse: [nIn * n, n * n], post: [n, n], layer: [1, 1] } as const;
  for (const ruleSharing of ['synapse', 'post', 'layer'] as const) {
    const { policy } = make({ rule: 'abcd', ruleSharing, modulation: 'none' });
    const byName = new Map(policy.layout().map((s) => [s.name, s.shape]));
    assert.deepEqual(byName.get('hidden0.rule.abcd_in'), [4, units[ruleSharing][0]]);
    assert.deepEqual(byName.get('hidden0.rule.abcd_rec'), [4, units[ruleSharing][1]]);
    assert.ok(byName.has('hidden0.rule.eta_raw'), 'the learning rate without modulation');
    assert.equal(genomeGroupOf('hidden0.rule.abcd_in'), 'rule');
  }
});

test('random weights per episode: no W in the layout, the same episode seed draws the same network, another seed another', () => {
  const over = { rule: 'abcd' as const, hidden: [16, 8], weights: 'random-per-episode' as const };
  const evolved = make({ ...over, weights: 'evolved' }).policy;
  const { policy, params, cfg } = make(over);
  const names = policy.layout().map((s) => s.name);
  assert.ok(!names.some((s) => /\.W_(in|rec)$/.test(s)), names.join(' '));
  assert.ok(names.includes('hidden0.b') && names.includes('readout.W') && names.includes('hidden1.alpha_rec'));
  assert.equal(policy.numParams, evolved.numParams - (OBS * 16 + 16 * 16) - (16 * 8 + 8 * 8));
  assert.throws(() => policy.reset(), /policy\.weights is "random-per-episode": reset needs the episode seed/);
  const obs = stream(4, 40);
  const episode = (p: Policy, seed: number) => {
    p.reset(seed);
    return run(p, obs);
  };
  // Another policy object (another worker) with the same genome and seed: the same episode.
  const other = createPolicy(cfg, OBS, ACT);
  other.setParams(params);
  const a = episode(policy, 77);
  assert.deepEqual(episode(other, 77), a);
  assert.deepEqual(episode(policy, 77), a, 'reset draws again: the same weights');
  assert.notDeepEqual(episode(policy, 78), a);
  const w = (p: Policy, seed: number) => {
    p.reset(seed);
    return (p as SnnPolicy).layers.map((l) => [l.Win.slice(), l.Wrec.slice()]);
  };
  assert.deepEqual(w(policy, 5), w(other, 5));
  assert.notDeepEqual(w(policy, 5), w(policy, 6));
  // Drawn with init.ts's distribution: layer 0's W_in ~ N(0, G_IN^2 / nIn).
  const w0 = (policy as SnnPolicy).layers[0].Win;
  const sd = Math.sqrt(w0.reduce((s, v) => s + v * v, 0) / w0.length);
  assert.ok(Math.abs(sd - INIT_GAINS.G_IN / Math.sqrt(OBS)) < 0.02, `std ${sd}`);
  // A new genome keeps the episode's weights (they are not in it).
  const before = (policy as SnnPolicy).layers[0].Win.slice();
  policy.setParams(params.map((v) => v + 0.01));
  assert.deepEqual((policy as SnnPolicy).layers[0].Win, before);
});
