import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicy, genomeGroupOf, initParams, policyLayout, validatePolicyConfig, type PolicyConfigInput } from '../policies/index.ts';
import { Rng } from '../core/rng.ts';

const OBS = 6;
const ACT = 3;

function trace(config: PolicyConfigInput, genome: Float32Array, steps = 40): number[] {
  const p = createPolicy(config, OBS, ACT);
  p.setParams(genome);
  p.reset();
  const rng = new Rng(5);
  const out: number[] = [];
  const obs = new Float32Array(OBS);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < OBS; i++) obs[i] = rng.normal();
    out.push(...p.act(obs));
  }
  return out;
}

test('genome scale: every SNN and MLP slice has a group', () => {
  const snn = validatePolicyConfig({ hidden: [4, 3], rule: 'bcm', modulation: 'retroactive', learnNeuronParams: true });
  const groups = new Map(policyLayout(snn, OBS, ACT).map((s) => [s.name, genomeGroupOf(s.name)]));
  assert.equal(groups.get('hidden0.W_in'), 'weights');
  assert.equal(groups.get('hidden1.W_rec'), 'weights');
  assert.equal(groups.get('hidden0.b'), 'weights');
  assert.equal(groups.get('hidden0.alpha_rec'), 'alpha');
  assert.equal(groups.get('hidden1.rule.tau_raw'), 'rule');
  assert.equal(groups.get('hidden0.mod.eligibility_raw'), 'mod');
  assert.equal(groups.get('hidden0.mod.w'), 'mod');
  assert.equal(groups.get('hidden0.threshold_raw'), 'neuron');
  assert.equal(groups.get('readout.leak_raw'), 'neuron');
  assert.equal(groups.get('readout.W'), 'readout');
  const mlp = validatePolicyConfig({ type: 'mlp', hidden: [4] });
  assert.deepEqual(policyLayout(mlp, OBS, ACT).map((s) => genomeGroupOf(s.name)), ['weights', 'weights', 'readout', 'readout']);
});

test('genome scale: the initial network is the same whatever the scales, and the genome is scaled down', () => {
  for (const base of [{ hidden: [8], rule: 'oja', modulation: 'simple' }, { type: 'mlp', hidden: [8] }] as PolicyConfigInput[]) {
    const scaled = { ...base, genomeScale: { weights: 0.5, alpha: 0.25, mod: 0.2, readout: 2 } } as PolicyConfigInput;
    const g1 = initParams(validatePolicyConfig(base), OBS, ACT, new Rng(3));
    const g2 = initParams(validatePolicyConfig(scaled), OBS, ACT, new Rng(3));
    assert.notDeepEqual(g1, g2);
    const a = trace(base, g1);
    const b = trace(scaled, g2);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-5, `step output ${i}: ${a[i]} vs ${b[i]}`);
  }
});

test('genome scale: a perturbation of the genome moves a group by scale x the perturbation', () => {
  const cfg = validatePolicyConfig({ hidden: [4], rule: 'hebb', modulation: 'simple', genomeScale: { alpha: 0.25 } });
  const slices = policyLayout(cfg, OBS, ACT);
  const genome = new Float32Array(slices[slices.length - 1]!.offset + slices[slices.length - 1]!.length).fill(1);
  const p = createPolicy(cfg, OBS, ACT) as ReturnType<typeof createPolicy> & { getParams(): Float32Array };
  p.setParams(genome);
  const params = p.getParams();
  for (const s of slices) {
    const want = s.name.includes('alpha') ? 0.25 : 1;
    for (let j = s.offset; j < s.offset + s.length; j++) assert.equal(params[j], want, s.name);
  }
});

test('genome scale: bad scales name the field', () => {
  assert.throws(() => validatePolicyConfig({ genomeScale: { alpha: 0 } }), /policy\.genomeScale\.alpha must be a number in \(0, 100\]/);
  assert.throws(() => validatePolicyConfig({ genomeScale: { alfa: 1 } } as never), /policy\.genomeScale\.alfa is not a known field/);
  assert.throws(() => validatePolicyConfig({ type: 'mlp', genomeScale: 2 } as never), /policy\.genomeScale must be an object/);
});
