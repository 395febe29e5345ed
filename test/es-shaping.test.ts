/**
 * Fitness shaping: exact values on small inputs, ties, invariance to monotone transforms,
 * and non-finite fitness ranked as the worst.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centeredRank, getShaping, identity, nesUtility, nonFiniteToWorst, shapingNames, zScore } from '../src/es/index.ts';

const f64 = (...v: number[]) => Float64Array.from(v);
const close = (a: Float64Array, b: number[], tol = 1e-12) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} != ${b[i]}`);
};

test('centered rank: exact values in [-0.5, 0.5], best gets 0.5', () => {
  assert.deepEqual(Array.from(centeredRank(f64(3, 1, 2))), [0.5, -0.5, 0]);
  assert.deepEqual(Array.from(centeredRank(f64(10, -4, 7, 0, 2))), [0.5, -0.5, 0.25, -0.25, 0]);
  assert.deepEqual(Array.from(centeredRank(f64(5))), [0]);
  assert.deepEqual(Array.from(centeredRank(f64())), []);
});

test('centered rank: ties share the average rank, independent of member order', () => {
  assert.deepEqual(Array.from(centeredRank(f64(1, 2, 2, 3))), [-0.5, 0, 0, 0.5]);
  assert.deepEqual(Array.from(centeredRank(f64(2, 3, 1, 2))), [0, 0.5, -0.5, 0]);
  assert.deepEqual(Array.from(centeredRank(f64(4, 4, 4))), [0, 0, 0]);
});

test('z-score: exact values; constant fitness gives zeros', () => {
  const s = Math.sqrt(2 / 3);
  close(zScore(f64(1, 2, 3)), [-1 / s, 0, 1 / s]);
  assert.deepEqual(Array.from(zScore(f64(7, 7))), [0, 0]);
});

test('identity copies', () => {
  const f = f64(1, -2);
  const g = identity(f);
  assert.deepEqual(Array.from(g), [1, -2]);
  assert.notEqual(g, f);
});

test('NES utility: exact values for n = 4, sums to 0, best gets the most', () => {
  const raw = [Math.log(3), Math.log(3) - Math.log(2), 0, 0];
  const sum = raw[0] + raw[1];
  const u = raw.map((v) => v / sum - 0.25);
  close(nesUtility(f64(4, 3, 2, 1)), u);
  close(nesUtility(f64(1, 4, 2, 3)), [u[3], u[0], u[2], u[1]]);
  const big = nesUtility(Float64Array.from({ length: 50 }, (_, i) => Math.sin(i)));
  assert.ok(Math.abs(big.reduce((a, b) => a + b, 0)) < 1e-12);
});

test('NES utility: tied members share the mean of their utilities', () => {
  const base = nesUtility(f64(4, 3, 2, 1));
  close(nesUtility(f64(4, 4, 2, 1)), [(base[0] + base[1]) / 2, (base[0] + base[1]) / 2, base[2], base[3]]);
});

test('rank shapes are invariant to strictly increasing transforms; z-score to positive affine ones', () => {
  const f = f64(0.3, -2, 5, 1.5, 0.31, -7, 2);
  const g = f.map((v) => Math.exp(v) * 3 + v ** 3);
  assert.deepEqual(Array.from(centeredRank(g)), Array.from(centeredRank(f)));
  assert.deepEqual(Array.from(nesUtility(g)), Array.from(nesUtility(f)));
  close(zScore(f.map((v) => 4 * v - 9)), Array.from(zScore(f)), 1e-12);
});

test('non-finite fitness ranks below every finite value and never yields NaN', () => {
  assert.deepEqual(Array.from(centeredRank(f64(1, NaN, 3))), [0, -0.5, 0.5]);
  // +-Infinity count as failures too (a diverged rollout), tied with each other.
  close(centeredRank(f64(1, Infinity, -Infinity, 3)), [1 / 6, -1 / 3, -1 / 3, 0.5]);
  for (const name of shapingNames) {
    const out = getShaping(name)(f64(2, NaN, -1, NaN));
    assert.ok(out.every(Number.isFinite), name);
    assert.ok(out[1] < out[2] && out[1] === out[3], `${name}: NaN must be the worst`);
    assert.ok(getShaping(name)(f64(NaN, NaN)).every((v) => v === 0), `${name}: all-NaN gives zeros`);
  }
  const w = nonFiniteToWorst(f64(5, NaN, 1));
  assert.ok(w[1] < 1);
});

test('getShaping rejects unknown names, naming the choices', () => {
  assert.throws(() => getShaping('rank'), /shaping must be one of centered-rank, z-score, identity, nes-utility \(got "rank"\)/);
});
