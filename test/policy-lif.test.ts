/**
 * LIF dynamics: golden membrane and trace sequences for a fixed input, exact one-step
 * checks of the update equations, shapes, and the subnormal flush of decayed traces.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLifParams, createLifState, lifStep, resetLifState } from '../policies/lif.ts';

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-6, what = 'value'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}] = ${actual[i]}, expected ${expected[i]}`);
  }
}

test('golden trace: constant sub-threshold-ish input 0.6 (beta 0.5, v_th 1, lambda 0.5)', () => {
  const p = createLifParams(1, 0.5, 1, 0.5);
  const st = createLifState(1);
  const I = new Float32Array([0.6]);
  const v: number[] = [];
  const s: number[] = [];
  const xbar: number[] = [];
  for (let t = 0; t < 8; t++) {
    lifStep(p, st, I);
    v.push(st.v[0]);
    s.push(st.s[0]);
    xbar.push(st.xbar[0]);
  }
  close(v, [0.6, 0.9, 1.05, 0.125, 0.6625, 0.93125, 1.065625, 0.1328125], 1e-6, 'v');
  assert.deepEqual(s, [0, 0, 1, 0, 0, 0, 1, 0]);
  close(xbar, [0, 0, 1, 0.5, 0.25, 0.125, 1.0625, 0.53125], 1e-6, 'xbar');
});

test('golden trace: strong input 1.5 fires every step, reset by subtraction keeps the excess', () => {
  const p = createLifParams(1, 0.5, 1, 0.5);
  const st = createLifState(1);
  const I = new Float32Array([1.5]);
  const v: number[] = [];
  for (let t = 0; t < 5; t++) {
    lifStep(p, st, I);
    v.push(st.v[0]);
    assert.equal(st.s[0], 1, `spike at step ${t}`);
  }
  // v_t = 0.5 v_{t-1} + 1.5 - 1 after the first spike: 1.5, 1.25, 1.125, 1.0625, 1.03125.
  close(v, [1.5, 1.25, 1.125, 1.0625, 1.03125], 1e-6, 'v');
  // Trace of a neuron firing every step: xbar = 1, 1.5, 1.75, ...; r = (1 - lambda) xbar.
  close([st.xbar[0], st.r[0]], [1.9375, 0.96875], 1e-6, 'xbar, r');
});

test('one step: v = beta v + I - s_prev v_th with per-neuron coefficients', () => {
  const p = {
    beta: new Float32Array([0.9, 0.5, 0.2]),
    threshold: new Float32Array([1, 0.5, 2]),
    traceDecay: new Float32Array([0.8, 0.5, 0.9]),
  };
  const st = createLifState(3);
  st.v.set([0.5, 0.7, 1.0]);
  st.s.set([0, 1, 1]);
  st.xbar.set([0.3, 1, 2]);
  const spikes = lifStep(p, st, new Float32Array([0.6, -0.1, 0.5]));
  // 0.45 + 0.6 = 1.05 >= 1; 0.35 - 0.1 - 0.5 = -0.25; 0.2 + 0.5 - 2 = -1.3.
  close(st.v, [1.05, -0.25, -1.3], 1e-6, 'v');
  assert.deepEqual(Array.from(st.s), [1, 0, 0]);
  assert.equal(spikes, 1);
  close(st.xbar, [0.8 * 0.3 + 1, 0.5, 1.8], 1e-6, 'xbar');
  close(st.r, [0.2 * 1.24, 0.25, 0.1 * 1.8], 1e-6, 'r');
});

test('threshold is inclusive: v == v_th spikes', () => {
  const st = createLifState(1);
  lifStep(createLifParams(1, 0.5, 1, 0.5), st, new Float32Array([1]));
  assert.equal(st.s[0], 1);
});

test('shapes, reset, and decayed traces flushed to exactly zero', () => {
  const n = 5;
  const st = createLifState(n);
  for (const a of [st.v, st.s, st.xbar, st.r]) assert.equal(a.length, n);
  const p = createLifParams(n, 0.9, 1, 0.8);
  lifStep(p, st, new Float32Array(n).fill(2));
  assert.ok(st.xbar.every((x) => x === 1));
  const zero = new Float32Array(n).fill(-1);
  for (let t = 0; t < 400; t++) lifStep(p, st, zero);
  // 0.8^400 would be a float32 subnormal; it is flushed so silent neurons cost nothing extra.
  assert.ok(st.xbar.every((x) => x === 0), 'trace flushed');
  resetLifState(st);
  for (const a of [st.v, st.s, st.xbar, st.r]) assert.ok(a.every((x) => x === 0));
});
