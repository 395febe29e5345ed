/**
 * Policy configuration: documented defaults, validation errors that name the field,
 * parameter-length errors that name expected and got, and the one-line description.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createPolicy,
  defaultMlpConfig,
  defaultPolicyConfig,
  defaultSnnConfig,
  describePolicy,
  validatePolicyConfig,
} from '../policies/index.ts';

test('defaults: an empty object is the default plastic SNN; JSON round-trips', () => {
  const c = validatePolicyConfig({});
  assert.deepEqual(c, defaultSnnConfig);
  assert.deepEqual(defaultPolicyConfig, defaultSnnConfig);
  assert.deepEqual(validatePolicyConfig(JSON.parse(JSON.stringify(c))), c);
  assert.deepEqual(validatePolicyConfig({ type: 'mlp' }), defaultMlpConfig);
  assert.equal(defaultSnnConfig.rule, 'oja');
  assert.equal(defaultSnnConfig.modulation, 'simple');
  assert.deepEqual(defaultSnnConfig.hidden, [64]);
  assert.equal(defaultSnnConfig.substeps, 2);
});

test('validation does not modify its input and fills only missing fields', () => {
  const input = { rule: 'bcm', hidden: [8, 4] };
  const c = validatePolicyConfig(input);
  assert.deepEqual(input, { rule: 'bcm', hidden: [8, 4] });
  assert.equal(c.type, 'snn');
  assert.ok(c.type === 'snn' && c.rule === 'bcm' && c.recurrent === true);
});

const bad: [unknown, RegExp][] = [
  [{ rule: 'foo' }, /^Error: policy\.rule must be one of none, hebb, oja, bcm, abcd \(got "foo"\)$/],
  [{ hidden: [-3] }, /^Error: policy\.hidden\[0\] must be a positive integer \(got -3\)$/],
  [{ hidden: [64, 0] }, /policy\.hidden\[1\] must be a positive integer \(got 0\)/],
  [{ hidden: [1.5] }, /policy\.hidden\[0\] must be a positive integer/],
  [{ hidden: [] }, /policy\.hidden must name at least one layer/],
  [{ hidden: 64 }, /policy\.hidden must be an array/],
  [{ modulation: 'dopamine' }, /policy\.modulation must be one of none, simple, retroactive \(got "dopamine"\)/],
  [{ type: 'rnn' }, /policy\.type must be one of snn, mlp \(got "rnn"\)/],
  [{ substeps: 0 }, /policy\.substeps must be a positive integer/],
  [{ leak: 1.5 }, /policy\.leak must be a number in \(0, 1\)/],
  [{ threshold: -1 }, /policy\.threshold must be a number in \(0, inf\)/],
  [{ clip: 0 }, /policy\.clip must be a number/],
  [{ recurrent: 'yes' }, /policy\.recurrent must be true or false/],
  [{ readout: 'spikes' }, /policy\.readout must be one of leaky, trace/],
  [{ plasticLayers: [1] }, /policy\.plasticLayers\[0\] must be a hidden-layer index in \[0, 0\] \(got 1\)/],
  [{ plasticLayers: 'some' }, /policy\.plasticLayers must be "all" or an array/],
  [{ hiden: [64] }, /policy\.hiden is not a known field/],
  [{ type: 'mlp', rule: 'oja' }, /policy\.rule is not a known field/],
  [{ type: 'mlp', hidden: [0] }, /policy\.hidden\[0\] must be a positive integer/],
  [null, /policy must be an object/],
];

for (const [input, message] of bad) {
  test(`rejects ${JSON.stringify(input)} naming the field`, () => {
    assert.throws(() => validatePolicyConfig(input), (e: unknown) => {
      assert.match(String(e), message);
      return true;
    });
  });
}

test('createPolicy validates the config and the sizes', () => {
  assert.throws(() => createPolicy({ rule: 'foo' } as never, 27, 8), /policy\.rule must be one of/);
  assert.throws(() => createPolicy(defaultSnnConfig, 0, 8), /obsSize must be a positive integer/);
  assert.throws(() => createPolicy(defaultSnnConfig, 27, -1), /actSize must be a positive integer/);
});

test('a parameter vector of the wrong length is refused, naming expected and got', () => {
  for (const cfg of [defaultSnnConfig, defaultMlpConfig]) {
    const p = createPolicy(cfg, 27, 8);
    assert.throws(
      () => p.setParams(new Float32Array(p.numParams - 1)),
      new RegExp(`params must have length ${p.numParams} \\(expected ${p.numParams}, got ${p.numParams - 1}\\)`),
    );
  }
});

test('describePolicy gives one line', () => {
  assert.equal(describePolicy(defaultSnnConfig), 'snn [64rp] oja/simple(per-neuron) x2 substeps, leaky readout');
  assert.equal(describePolicy(validatePolicyConfig({ rule: 'none', recurrent: false })), 'snn [64] static x2 substeps, leaky readout');
  assert.equal(describePolicy(defaultMlpConfig, 27, 8), 'mlp 27-[64,64]-8 tanh');
});

test('abcd sharing and random weights: defaults an old config gets, and errors naming the field', () => {
  assert.equal(defaultSnnConfig.ruleSharing, 'post');
  assert.equal(defaultSnnConfig.weights, 'evolved');
  // A config.json written before these fields existed loads with their defaults.
  const old = { type: 'snn', hidden: [32], rule: 'oja', modulation: 'simple', substeps: 4 };
  const c = validatePolicyConfig(old);
  assert.ok(c.type === 'snn' && c.ruleSharing === 'post' && c.weights === 'evolved');
  assert.throws(() => validatePolicyConfig({ rule: 'abcd', ruleSharing: 'neuron' }), /^Error: policy\.ruleSharing must be one of synapse, post, layer \(got "neuron"\)$/);
  assert.throws(() => validatePolicyConfig({ weights: 'random' }), /^Error: policy\.weights must be one of evolved, random-per-episode \(got "random"\)$/);
  assert.throws(() => validatePolicyConfig({ rule: 'none', weights: 'random-per-episode' }), /^Error: policy\.rule must not be "none" with weights "random-per-episode" \(random weights need plastic synapses\)$/);
  assert.throws(
    () => validatePolicyConfig({ hidden: [8, 8], plasticLayers: [1], weights: 'random-per-episode' }),
    /^Error: policy\.plasticLayers must be "all" or name every hidden layer with weights "random-per-episode"/,
  );
  assert.doesNotThrow(() => validatePolicyConfig({ hidden: [8, 8], plasticLayers: [1, 0], weights: 'random-per-episode' }));
});

test('describePolicy shows the abcd sharing and random weights', () => {
  assert.equal(
    describePolicy(validatePolicyConfig({ rule: 'abcd', ruleSharing: 'synapse', weights: 'random-per-episode' }), 27, 8),
    'snn 27-[64rp]-8 abcd(synapse)/simple(per-neuron) x2 substeps, leaky readout, random W per episode',
  );
  assert.equal(describePolicy(validatePolicyConfig({ rule: 'abcd', modulation: 'none' })), 'snn [64rp] abcd(post)/none x2 substeps, leaky readout');
});
