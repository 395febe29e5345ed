/**
 * The gradient route's gradients: the hand-written BPTT against central finite differences
 * (with the spike swapped for a smooth sigmoid and the reset kept in the gradient, so the
 * forward pass is differentiable and the backward pass is its exact derivative), and against
 * TensorFlow.js's autodiff of the independent tensor form (relative error <= 1e-4), with the
 * surrogate spike gradient. The tf engine leaks no tensors over many steps.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.ts';
import { initParams, validatePolicyConfig, type SnnPolicyConfig } from '../policies/index.ts';
import { SnnBptt } from '../policies/bptt.ts';
import { createTask } from '../envs/tasks/index.ts';
import { resolveLearnConfig } from '../src/learn/config.ts';
import { JsEngine } from '../src/learn/engine.ts';
import { TfEngine } from '../src/learn/engine-tf.ts';
import { initLearnParams } from '../src/learn/init.ts';
import { trainingBatch } from '../src/learn/learner.ts';

const variants: Partial<SnnPolicyConfig>[] = [
  { rule: 'hebb', modulation: 'simple' },
  { rule: 'oja', modulation: 'none', substeps: 2 },
  { rule: 'bcm', modulation: 'retroactive', perNeuronModulation: false },
  { rule: 'bcm', modulation: 'simple' },
  { rule: 'hebb', modulation: 'retroactive', recurrent: false },
  { rule: 'none' },
];

test('hand-written BPTT equals finite differences of a smooth network, for every rule and modulation', () => {
  const NIN = 4, NOUT = 2, STEPS = 7;
  for (const over of variants) {
    // A large clip keeps H off its kink, so the loss is smooth in every parameter.
    const cfg = validatePolicyConfig({ hidden: [5], clip: 10, ...over }) as SnnPolicyConfig;
    const rng = new Rng(5);
    const params = initParams(cfg, NIN, NOUT, rng);
    for (let i = 0; i < params.length; i++) params[i] += 0.3 * rng.normal();
    const input = Float32Array.from({ length: STEPS * NIN }, () => rng.normal());
    const c = Float64Array.from({ length: STEPS * NOUT }, () => rng.normal());
    const bp = new SnnBptt(cfg, NIN, NOUT, STEPS, { spike: 'smooth', slope: 2, detachReset: false });
    const loss = (p: Float32Array) => {
      bp.setParams(p);
      const u = bp.forward(input);
      return u.reduce((a, ui, i) => a + c[i] * ui, 0);
    };
    loss(params);
    const grad = new Float64Array(params.length);
    bp.backward(c, null, grad);
    const eps = 1e-2;
    let worst = 0;
    let norm = 0;
    for (let i = 0; i < params.length; i++) {
      const p = params.slice();
      p[i] += eps;
      const up = loss(p);
      p[i] -= 2 * eps;
      const fd = (up - loss(p)) / (2 * eps);
      // Float32 state limits finite differences to about 1e-3 of the larger magnitude.
      worst = Math.max(worst, Math.abs(fd - grad[i]) / Math.max(1e-2, Math.abs(fd) + Math.abs(grad[i])));
      norm += grad[i] * grad[i];
    }
    assert.ok(worst < 1e-2, `${JSON.stringify(over)}: worst relative error ${worst}`);
    assert.ok(Math.sqrt(norm) > 1e-2, `${JSON.stringify(over)}: vacuous gradient`);
  }
});

test('hand-written BPTT equals TensorFlow.js autodiff (wasm) within 1e-4 (surrogate spike gradient)', async () => {
  for (const over of variants) {
    const c = resolveLearnConfig({}, { policy: { hidden: [12], ...over }, task: { name: 'cue-reward', options: { cues: 2, bits: 4, delay: 1 } }, rateTarget: 0.02 });
    const task = createTask(c.task);
    const js = new JsEngine(c, task);
    const tf = await TfEngine.create(c, task, { native: false });
    const params = initLearnParams(c.policy, c.init, task.inputSize, task.outputSize, new Rng(3));
    // Larger weights: more spikes and a visible rate penalty.
    for (let i = 0; i < params.length; i++) params[i] *= 3;
    const batch = trainingBatch(task, 1, 0, 3);
    const g1 = new Float64Array(js.numParams);
    const g2 = new Float64Array(js.numParams);
    const a = js.lossAndGrad(params, batch, g1);
    const b = tf.lossAndGrad(params, batch, g2);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-5 * Math.abs(a.loss), `${JSON.stringify(over)}: loss ${a.loss} vs ${b.loss}`);
    assert.ok(a.rateLoss > 0 && a.rate > 0.05, `${JSON.stringify(over)}: the rate penalty is active`);
    let num = 0;
    let den = 0;
    for (let i = 0; i < g1.length; i++) {
      num += (g1[i] - g2[i]) ** 2;
      den += g2[i] ** 2;
    }
    assert.ok(den > 1e-4, 'vacuous gradient');
    assert.ok(Math.sqrt(num / den) <= 1e-4, `${JSON.stringify(over)}: relative error ${Math.sqrt(num / den)}`);
  }
});

test('the tf engine leaks no tensors over many steps', async () => {
  const c = resolveLearnConfig({}, { policy: { hidden: [8], rule: 'oja', modulation: 'retroactive' }, task: { name: 'pair-recall', options: { pairs: 2, keyBits: 4, valueBits: 2, delay: 1 } } });
  const task = createTask(c.task);
  const tf = await TfEngine.create(c, task, { native: false });
  const params = initLearnParams(c.policy, c.init, task.inputSize, task.outputSize, new Rng(1));
  const grad = new Float64Array(tf.numParams);
  tf.lossAndGrad(params, trainingBatch(task, 1, 0, 2), grad);
  const before = tf.tf.memory().numTensors;
  for (let k = 1; k <= 25; k++) {
    tf.lossAndGrad(params, trainingBatch(task, 1, k, 2), grad);
    tf.evaluate(params, trainingBatch(task, 2, k, 2));
  }
  assert.equal(tf.tf.memory().numTensors, before);
});
