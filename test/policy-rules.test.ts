/**
 * Plasticity rules: Oja keeps a weight vector near unit norm (and finds the principal
 * direction), BCM's threshold tracks the mean squared activity and the sign of change
 * flips around it, Hebb with decay converges to the input correlation; the per-neuron
 * factorization the network uses equals each rule's reference step, and ABCD's kernels
 * equal its whole-matrix reference for every sharing.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.ts';
import { RULES, RULE_SHARINGS, createRuleState, sharedUnits } from '../policies/rules/index.ts';
import { abcdFused, affineFused } from '../policies/synapse-kernels.ts';
import { abcdDelta, bcmFromGenome, bcmStep, bcmToGenome, deltaFromFactors, hebbStep, ojaFromGenome, ojaStep } from './helpers/rule-reference.ts';

const norm = (w: ArrayLike<number>) => Math.sqrt(Array.from(w).reduce((a, x) => a + x * x, 0));

test('Oja keeps the weight norm bounded near 1 under correlated input and finds the main direction', () => {
  const rng = new Rng(7);
  const n = 4;
  const u = [0.5, 0.5, 0.5, 0.5]; // the principal direction (unit norm)
  let w: Float32Array = Float32Array.from({ length: n }, () => 0.1 * rng.normal());
  let maxNorm = 0;
  for (let t = 0; t < 6000; t++) {
    const z = 2 * rng.normal();
    const x = u.map((ui) => z * ui + 0.3 * rng.normal());
    const y = x.reduce((a, xi, i) => a + xi * w[i], 0);
    w = ojaStep({ eta: 0.005 }, x, [y], w).H;
    maxNorm = Math.max(maxNorm, norm(w));
  }
  assert.ok(Math.abs(norm(w) - 1) < 0.05, `norm ${norm(w)}`);
  assert.ok(maxNorm < 1.3, `max norm ${maxNorm}`);
  const cos = Math.abs(w.reduce((a, wi, i) => a + wi * u[i], 0)) / norm(w);
  assert.ok(cos > 0.98, `alignment ${cos}`);
});

test('plain Hebb without the Oja term is not bounded (the contrast the test above relies on)', () => {
  const rng = new Rng(7);
  let w = Float32Array.from([0.1, 0.1]);
  for (let t = 0; t < 2000; t++) {
    const z = rng.normal();
    const x = [z, z];
    const y = x[0] * w[0] + x[1] * w[1];
    w = w.map((wi, i) => wi + 0.005 * y * x[i]);
  }
  assert.ok(norm(w) > 10);
});

test('BCM threshold tracks the mean squared activity', () => {
  const rng = new Rng(3);
  const p = { eta: 0.01, tauTheta: 50 };
  let state: { theta: Float32Array } = { theta: new Float32Array(1) };
  let H: Float32Array = new Float32Array(1);
  let avg = 0;
  for (let t = 0; t < 6000; t++) {
    const post = rng.uniform(); // E[post^2] = 1/3
    const out = bcmStep(p, state, [1], [post], H);
    state = out.state;
    H = out.H;
    if (t >= 3000) avg += state.theta[0] / 3000;
  }
  assert.ok(Math.abs(avg - 1 / 3) < 0.02, `mean theta ${avg}`);
});

test('BCM: change is positive above the threshold, negative below, zero at it', () => {
  const state = { theta: new Float32Array([0.5, 0.5, 0.5]) };
  const { delta, H } = bcmStep({ eta: 0.1, tauTheta: 10 }, state, [1], [0.8, 0.3, 0.5], new Float32Array(3));
  assert.ok(delta[0] > 0 && H[0] > 0, 'above theta: potentiation');
  assert.ok(delta[1] < 0 && H[1] < 0, 'below theta: depression');
  assert.equal(delta[2], 0);
  // Exactly pre * post * (post - theta).
  assert.ok(Math.abs(delta[0] - 0.8 * 0.3) < 1e-7);
});

test('Hebb with decay converges to the input correlation E[post pre]', () => {
  const rng = new Rng(11);
  let H: Float32Array = new Float32Array(4); // pre 2 x post 2
  for (let t = 0; t < 30000; t++) {
    const a = rng.normal();
    const b = rng.normal();
    const pre = [a, b];
    const post = [0.8 * a + 0.2 * rng.normal(), -0.5 * b + 0.3 * a];
    H = hebbStep({ eta: 0.001 }, pre, post, H).H;
  }
  // E[post_j pre_i], pre-major: [E[p0 a], E[p1 a], E[p0 b], E[p1 b]] = [0.8, 0.3, 0, -0.5].
  const expected = [0.8, 0.3, 0, -0.5];
  for (let q = 0; q < 4; q++) assert.ok(Math.abs(H[q] - expected[q]) < 0.1, `H[${q}] = ${H[q]}, expected ${expected[q]}`);
});

test('each rule factorizes as delta_ij = d_j H_ij + k_j pre_i, matching its reference step', () => {
  const rng = new Rng(5);
  const nPre = 3;
  const nPost = 4;
  const pre = Float32Array.from({ length: nPre }, () => rng.normal());
  const post = Float32Array.from({ length: nPost }, () => rng.uniform());
  const H = Float32Array.from({ length: nPre * nPost }, () => rng.normal());
  const theta = Float32Array.from({ length: nPost }, () => rng.uniform());
  const refs = {
    hebb: hebbStep({ eta: 0.1 }, pre, post, H).delta,
    oja: ojaStep({ eta: 0.1 }, pre, post, H).delta,
    bcm: bcmStep({ eta: 0.1, tauTheta: 5 }, { theta }, pre, post, H).delta,
  };
  for (const rule of Object.values(RULES)) {
    if (rule.name === 'abcd') continue; // factors from its coefficient table: tested below
    const st = createRuleState(rule, nPost);
    st.theta.set(rule.hasTheta ? theta : []);
    const d = new Float32Array(nPost);
    const k = new Float32Array(nPost);
    rule.factors({ eta: 0.1, tauTheta: 5 }, st, post, d, k);
    const delta = deltaFromFactors(pre, H, d, k);
    const ref = refs[rule.name];
    for (let q = 0; q < ref.length; q++) assert.ok(Math.abs(delta[q] - ref[q]) < 1e-5, `${rule.name} delta[${q}]`);
  }
});

test('BCM advance moves theta by (post^2 - theta) / tau', () => {
  const st = createRuleState(RULES.bcm, 2);
  RULES.bcm.advance({ eta: 0, tauTheta: 4 }, st, Float32Array.from([1, 0.5]));
  assert.deepEqual(Array.from(st.theta), [0.25, 0.0625]);
});

test('genome reparametrization: any real value gives valid coefficients, and round-trips', () => {
  for (const raw of [-50, -3, 0, 3, 50]) {
    const o = ojaFromGenome(raw);
    assert.ok(o.eta >= 0 && o.eta <= 1 && Number.isFinite(o.eta));
    const b = bcmFromGenome(raw, raw);
    assert.ok(b.tauTheta >= 1 && Number.isFinite(b.tauTheta));
  }
  const [e, t] = bcmToGenome({ eta: 0.05, tauTheta: 50 });
  const back = bcmFromGenome(e, t);
  assert.ok(Math.abs(back.eta - 0.05) < 1e-12 && Math.abs(back.tauTheta - 50) < 1e-9);
});

test('ABCD: every sharing, plain and retroactive, updates H (and E) and propagates as the whole-matrix reference', () => {
  const rng = new Rng(9);
  const nPre = 5;
  const n = 4;
  const c = 0.6;
  const etaE = 0.2;
  const table = RULES.abcd.table!;
  const vec = (len: number, s = 1) => Float32Array.from({ length: len }, () => s * rng.normal());
  for (const sharing of RULE_SHARINGS) {
    for (const retro of [false, true]) {
      const units = sharedUnits(sharing, nPre, n);
      const T = vec(4 * units, 0.5);
      const pre = vec(nPre);
      const post = Float32Array.from({ length: n }, () => rng.uniform());
      const m = vec(n, 0.3);
      const W = vec(nPre * n);
      const alpha = vec(nPre * n);
      const x = Float32Array.from({ length: nPre }, (_, i) => (i % 2 === 0 ? 1 : 0));
      const H0 = vec(nPre * n, 0.5);
      const E0 = vec(nPre * n, 0.5);
      // Reference: delta over the whole matrix, then H <- clip(H + m_j delta) or through E.
      const delta = abcdDelta(T, sharing, pre, post);
      const Eref = E0.map((e, q) => (1 - etaE) * e + etaE * delta[q]);
      const Href = H0.map((h, q) => Math.max(-c, Math.min(c, h + m[q % n] * (retro ? Eref[q] : delta[q]))));
      const outRef = new Float64Array(n);
      for (let i = 0; i < nPre; i++) for (let j = 0; j < n; j++) outRef[j] += x[i] * (W[i * n + j] + alpha[i * n + j] * Href[i * n + j]);
      // The network's way: the per-synapse kernel, or the table's factors with the affine kernel.
      const H = H0.slice();
      const E = retro ? E0.slice() : null;
      const out = new Float32Array(n);
      if (sharing === 'synapse') {
        abcdFused(H, E, W, alpha, T, pre, post, x, out, nPre, n, m, etaE, c);
      } else {
        const [d, k, cst] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
        table.factors(T, units, post, d, k, cst);
        if (!retro) for (let j = 0; j < n; j++) [d[j], k[j], cst[j]] = [1 + m[j] * d[j], m[j] * k[j], m[j] * cst[j]];
        affineFused(H, E, W, alpha, pre, x, out, nPre, n, d, k, cst, m, etaE, c);
      }
      const what = `${sharing}${retro ? ' retroactive' : ''}`;
      for (let q = 0; q < H.length; q++) assert.ok(Math.abs(H[q] - Href[q]) < 1e-5, `${what}: H[${q}] ${H[q]} vs ${Href[q]}`);
      if (E) for (let q = 0; q < E.length; q++) assert.ok(Math.abs(E[q] - Eref[q]) < 1e-5, `${what}: E[${q}]`);
      for (let j = 0; j < n; j++) assert.ok(Math.abs(out[j] - outRef[j]) < 1e-4, `${what}: out[${j}]`);
      assert.ok(Href.some((h) => Math.abs(h) === Math.fround(c)) && Href.some((h) => Math.abs(h) < Math.fround(c)), `${what}: the case reaches the clip and stays inside it`);
    }
  }
});

test('ABCD shared per neuron or per matrix factorizes as d_j = 0, k_j = A_j post_j + B_j, c_j = C_j post_j + D_j', () => {
  const post = Float32Array.from([0.2, 0.5]);
  const d = new Float32Array(2);
  const k = new Float32Array(2);
  const cst = new Float32Array(2);
  RULES.abcd.table!.factors(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 2, post, d, k, cst);
  assert.deepEqual([...d], [0, 0]);
  assert.deepEqual([...k].map((v) => +v.toFixed(6)), [1 * 0.2 + 3, 2 * 0.5 + 4]);
  assert.deepEqual([...cst].map((v) => +v.toFixed(6)), [5 * 0.2 + 7, 6 * 0.5 + 8]);
  RULES.abcd.table!.factors(Float32Array.from([1, 2, 3, 4]), 1, post, d, k, cst);
  assert.deepEqual([...k].map((v) => +v.toFixed(6)), [1 * 0.2 + 2, 1 * 0.5 + 2]);
  assert.deepEqual([...cst].map((v) => +v.toFixed(6)), [3 * 0.2 + 4, 3 * 0.5 + 4]);
  assert.equal(RULES.abcd.differentiable, false);
});
