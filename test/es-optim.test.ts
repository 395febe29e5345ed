/**
 * Optimizers: exact first steps, momentum, ClipUp's normalization and speed limit, and
 * that no step mutates the state it was given.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adamInit, adamStep, clipUpInit, clipUpStep, norm, sgdInit, sgdStep } from '../src/es/index.ts';

const f64 = (...v: number[]) => Float64Array.from(v);

test('Adam: the first step is lr * g / (|g| + eps) after bias correction; state is not mutated', () => {
  const s0 = adamInit(3);
  const p = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const g = f64(2, -0.5, 0);
  const { state, step } = adamStep(s0, g, p);
  assert.ok(Math.abs(step[0] - 0.1 * 2 / (2 + 1e-8)) < 1e-15);
  assert.ok(Math.abs(step[1] + 0.1 * 0.5 / (0.5 + 1e-8)) < 1e-15);
  assert.equal(step[2], 0);
  assert.equal(state.t, 1);
  assert.deepEqual(Array.from(s0.m), [0, 0, 0]);
  assert.equal(s0.t, 0);
  // A constant gradient keeps the step at lr per coordinate.
  let s = state;
  let last = step;
  for (let i = 0; i < 20; i++) ({ state: s, step: last } = adamStep(s, g, p));
  assert.ok(Math.abs(last[0] - 0.1) < 1e-6);
});

test('SGD with momentum: u <- mu u + g, step = lr u', () => {
  const p = { lr: 0.5, momentum: 0.9 };
  const a = sgdStep(sgdInit(1), f64(1), p);
  const b = sgdStep(a.state, f64(1), p);
  assert.deepEqual(Array.from(a.step), [0.5]);
  assert.ok(Math.abs(b.step[0] - 0.95) < 1e-15);
});

test('ClipUp: the first step has length stepSize whatever the gradient scale', () => {
  const p = { stepSize: 0.1, momentum: 0.9, maxSpeed: 0.2 };
  for (const scale of [1e-6, 1, 1e6]) {
    const { step } = clipUpStep(clipUpInit(2), f64(3 * scale, 4 * scale), p);
    assert.ok(Math.abs(step[0] - 0.06) < 1e-15 && Math.abs(step[1] - 0.08) < 1e-15);
  }
});

test('ClipUp: momentum builds speed up to maxSpeed and no further; a zero gradient coasts', () => {
  const p = { stepSize: 0.1, momentum: 0.9, maxSpeed: 0.25 };
  let s = clipUpInit(2);
  const speeds: number[] = [];
  for (let i = 0; i < 10; i++) {
    const r = clipUpStep(s, f64(1, 1), p);
    s = r.state;
    speeds.push(norm(r.step));
  }
  assert.ok(Math.abs(speeds[1] - 0.19) < 1e-12);
  assert.ok(Math.abs(speeds[9] - 0.25) < 1e-12);
  assert.ok(speeds.every((v) => v <= 0.25 + 1e-12));
  const coast = clipUpStep(s, f64(0, 0), p);
  assert.ok(Math.abs(norm(coast.step) - 0.9 * 0.25) < 1e-12);
  assert.throws(() => clipUpStep(s, f64(1), p), /gradient has length 1, state has 2/);
});
