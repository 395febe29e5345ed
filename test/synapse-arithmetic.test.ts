/**
 * The synapse kernels' arithmetic as a run sees it: a config or policy file without the field
 * (every one saved before it) is float64, and stays so when a run's config.json is given to
 * `train --config`; new runs from the presets record float32. The kernels' bits in each
 * arithmetic are test/policy-kernels.test.ts's.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describePolicy, policyLayout, validatePolicyConfig, type PolicyConfig, type SnnPolicyConfig } from '../policies/index.ts';
import { checkBpttConfig } from '../policies/bptt-trace.ts';
import { resolveLearnConfig } from '../src/learn/config.ts';
import { resolveTrainConfig, validateTrainConfig, type PresetName } from '../src/train/config.ts';
import { loadPolicyFile } from '../src/train/policy-file.ts';
import { flagsToConfig } from '../src/cli/train.ts';

const RUNS = join(import.meta.dirname, '..', 'docs', 'runs', 'snn-learning');
const arithmetic = (p: PolicyConfig) => (p.type === 'snn' ? p.synapseArithmetic : undefined);

test('a policy config, run config or policy file without synapseArithmetic is "f64"; the presets\' SNNs are "f32"; the genome layout is the same; bad values name the field', () => {
  assert.equal(arithmetic(validatePolicyConfig({})), 'f64');
  const saved = JSON.parse(readFileSync(join(RUNS, 'pf41-s1', 'config.json'), 'utf8'));
  delete saved.digest;
  assert.equal(saved.policy.synapseArithmetic, undefined);
  assert.equal(arithmetic(validateTrainConfig(saved).policy), 'f64');
  assert.equal(arithmetic(loadPolicyFile(join(RUNS, 'pf41-s1', 'best.json')).policy), 'f64');
  for (const preset of ['quick', 'long', 'full'] as PresetName[]) assert.equal(arithmetic(resolveTrainConfig(preset).policy), 'f32', preset);
  assert.equal(arithmetic(resolveTrainConfig('quick', {}, { policy: { type: 'snn', rule: 'none' } }).policy), 'f32');
  assert.equal(arithmetic(resolveTrainConfig('quick', { policy: { rule: 'abcd', synapseArithmetic: 'f64' } }).policy), 'f64');
  assert.deepEqual(resolveTrainConfig('quick', {}, { policy: { type: 'mlp' } }).policy, validatePolicyConfig({ type: 'mlp' }));
  assert.throws(() => validatePolicyConfig({ synapseArithmetic: 'f16' }), /policy\.synapseArithmetic must be one of f64, f32 \(got "f16"\)/);
  assert.throws(() => validatePolicyConfig({ type: 'mlp', synapseArithmetic: 'f32' }), /policy\.synapseArithmetic is not a known field/);
  assert.equal(describePolicy(validatePolicyConfig({})), 'snn [64rp] oja/simple(per-neuron) x2 substeps, leaky readout');
  assert.equal(describePolicy(validatePolicyConfig({ synapseArithmetic: 'f32' })), 'snn [64rp] oja/simple(per-neuron) x2 substeps, leaky readout, f32 synapses');
  // The genome is the same whatever the arithmetic.
  for (const over of [{}, { rule: 'abcd', ruleSharing: 'synapse', modulation: 'retroactive' }] as const) {
    assert.deepEqual(policyLayout(validatePolicyConfig({ ...over, synapseArithmetic: 'f32' }), 27, 8), policyLayout(validatePolicyConfig(over), 27, 8));
  }
});

test('gradient training keeps float64 synapses: its default, and f32 refused', () => {
  assert.equal(resolveLearnConfig({}, {}).policy.synapseArithmetic, 'f64');
  const cfg = validatePolicyConfig({ hidden: [8], synapseArithmetic: 'f32' }) as SnnPolicyConfig;
  assert.throws(() => checkBpttConfig(cfg), /policy\.synapseArithmetic must be "f64" for gradient training \(got "f32"\)/);
  assert.throws(() => resolveLearnConfig({}, { policy: { hidden: [8], synapseArithmetic: 'f32' } }), /synapseArithmetic must be "f64" for gradient training/);
});

test('train --synapses sets the SNN\'s arithmetic, over the preset\'s; an MLP refuses it', () => {
  const config = (flags: Record<string, string>) => resolveTrainConfig('quick', {}, flagsToConfig(flags));
  assert.equal(arithmetic(config({ synapses: 'f64' }).policy), 'f64');
  assert.equal(arithmetic(config({ policy: 'static-snn', synapses: 'f64' }).policy), 'f64');
  assert.equal(arithmetic(config({ policy: 'static-snn' }).policy), 'f32');
  assert.throws(() => config({ synapses: 'f16' }), /policy\.synapseArithmetic must be one of f64, f32 \(got "f16"\)/);
  assert.throws(() => flagsToConfig({ policy: 'mlp', synapses: 'f32' }), /--synapses apply to --policy snn and static-snn only/);
});
