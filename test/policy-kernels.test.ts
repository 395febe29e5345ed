/**
 * The WebAssembly synapse kernels against the JavaScript ones, bit for bit, in both
 * arithmetics (float64 and float32): each kernel on random inputs that reach the clip, the
 * eligibility flush, zero and odd-sized rows; the whole policy for every rule x modulation x
 * sharing and the other switches that change which kernel runs; and the committed module's
 * stamp against its source. Then the arithmetic itself: a config without it is float64, and
 * float32 gives other bits, close to float64's.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.ts';
import {
  MODULATION_NAMES,
  RULE_NAMES,
  RULE_SHARINGS,
  createPolicy,
  initParams,
  validatePolicyConfig,
  type PolicyConfigInput,
  type SnnPolicy,
} from '../policies/index.ts';
import { jsKernelsFor, SYNAPSE_ARITHMETICS, type SynapseKernels } from '../policies/synapse-kernels.ts';
import { WasmKernels } from '../policies/wasm/wasm-kernels.ts';
import { kernelsStamp } from '../policies/wasm/build-kernels.ts';
import { SYNAPSE_KERNELS_STAMP } from '../policies/wasm/synapse-kernels.wasm.ts';

const OBS = 27;
const ACT = 8;

/** Float32 arrays as their bit patterns, so that -0 and NaN payloads count too. */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function assertSameBits(a: Float32Array, b: Float32Array, what: string): void {
  const [x, y] = [bits(a), bits(b)];
  const q = x.findIndex((v, i) => v !== y[i]);
  assert.ok(q < 0 && x.length === y.length, `${what}: [${q}] ${a[q]} (wasm) vs ${b[q]} (js)`);
}

/** Values that exercise the kernels' corners: exact zeros of both signs, tiny, around the clip c = 1. */
function corner(rng: Rng, scale: number): number {
  const u = rng.uniform();
  if (u < 0.05) return 0;
  if (u < 0.08) return -0;
  if (u < 0.12) return 1e-32 * rng.normal();
  if (u < 0.2) return (rng.uniform() < 0.5 ? -1 : 1) * (1 + 0.01 * rng.normal());
  return scale * rng.normal();
}

type KernelName = 'propagate' | 'propagatePlastic' | 'plasticFused' | 'plasticFusedRetro' | 'affineFused' | 'abcdFused';
const KERNELS: KernelName[] = ['propagate', 'propagatePlastic', 'plasticFused', 'plasticFusedRetro', 'affineFused', 'abcdFused'];

/** The arrays of one kernel call, in `k`'s memory. */
function operands(k: SynapseKernels, nPre: number, n: number) {
  return {
    H: k.alloc(nPre * n), E: k.alloc(nPre * n), W: k.alloc(nPre * n), A: k.alloc(nPre * n), T: k.alloc(4 * nPre * n),
    pre: k.alloc(nPre), post: k.alloc(n), x: k.alloc(nPre), out: k.alloc(n),
    a: k.alloc(n), kk: k.alloc(n), cst: k.alloc(n), m: k.alloc(n),
  };
}
type Operands = ReturnType<typeof operands>;

function call(k: SynapseKernels, name: KernelName, o: Operands, nPre: number, n: number, x: 'none' | 'spikes' | 'dense', retro: boolean, etaE: number, c: number): void {
  const xs = x === 'none' ? null : o.x;
  const E = retro ? o.E : null;
  switch (name) {
    case 'propagate': return k.propagate(o.W, o.x, o.out, nPre, n);
    case 'propagatePlastic': return k.propagatePlastic(o.W, o.A, o.H, o.x, o.out, nPre, n);
    case 'plasticFused': return k.plasticFused(o.H, o.W, o.A, o.pre, xs, o.out, nPre, n, o.a, o.kk, c);
    case 'plasticFusedRetro': return k.plasticFusedRetro(o.H, o.E, o.W, o.A, o.pre, xs, o.out, nPre, n, o.a, o.kk, o.m, etaE, c);
    case 'affineFused': return k.affineFused(o.H, E, o.W, o.A, o.pre, xs, o.out, nPre, n, o.a, o.kk, o.cst, o.m, etaE, c);
    case 'abcdFused': return k.abcdFused(o.H, E, o.W, o.A, o.T, o.pre, o.post, xs, o.out, nPre, n, o.m, etaE, c);
  }
}

for (const arithmetic of SYNAPSE_ARITHMETICS) {
  test(`each WebAssembly kernel gives the JavaScript kernel's bits on random inputs, ${arithmetic} (odd and even sizes, spikes, dense and no input, with and without E)`, () => {
    const rng = new Rng(11);
    const shapes: [number, number][] = [[1, 1], [3, 2], [27, 7], [16, 16], [5, 33], [27, 64], [4, 6], [7, 5]];
    const jsKernels = jsKernelsFor(arithmetic);
    let cases = 0;
    for (const name of KERNELS) {
      for (const [nPre, n] of shapes) {
        for (const x of ['none', 'spikes', 'dense'] as const) {
          for (const retro of [false, true]) {
            const propagates = name === 'propagate' || name === 'propagatePlastic';
            if ((propagates && x === 'none') || (name === 'plasticFusedRetro' && !retro) || (name === 'plasticFused' && retro)) continue;
            const wasm = new WasmKernels(4 * 13 * (nPre * n + n + nPre) + 16 * 16, arithmetic);
            const w = operands(wasm, nPre, n);
            const j = operands(jsKernels, nPre, n);
            for (const key of Object.keys(w) as (keyof Operands)[]) {
              const scale = key === 'H' || key === 'pre' || key === 'post' ? 1 : key === 'E' ? 0.05 : 0.5;
              for (let q = 0; q < w[key].length; q++) w[key][q] = corner(rng, scale);
              j[key].set(w[key]);
            }
            const etaE = 0.05 + 0.5 * rng.uniform();
            const c = 1;
            const what = `${name} ${nPre}x${n} x ${x}${retro ? ' E' : ''}`;
            for (let step = 0; step < 4; step++) {
              // New activity each step, as the layer has: spikes (0/1) or a dense observation.
              for (let i = 0; i < nPre; i++) w.x[i] = x === 'dense' ? rng.normal() : rng.uniform() < 0.3 ? 1 : 0;
              j.x.set(w.x);
              call(wasm, name, w, nPre, n, x, retro, etaE, c);
              call(jsKernels, name, j, nPre, n, x, retro, etaE, c);
              for (const key of ['H', 'E', 'out'] as const) assertSameBits(w[key], j[key], `${what} step ${step} ${key}`);
            }
            cases++;
          }
        }
      }
    }
    assert.ok(cases > 200, `${cases} cases`);
  });
}

test('WasmKernels: an array from outside its memory is refused, and alloc stops at the memory\'s end', () => {
  const k = new WasmKernels(64);
  const inside = k.alloc(4);
  assert.throws(() => k.propagate(new Float32Array(4), inside, inside, 1, 4), /outside the kernels' memory/);
  assert.throws(() => k.alloc(1 << 20), /do not fit/);
});

/** Every switch that changes which kernel runs or what it is given. */
const policyCases: PolicyConfigInput[] = [
  ...RULE_NAMES.flatMap((rule) =>
    MODULATION_NAMES.flatMap((modulation) => (rule === 'abcd' ? RULE_SHARINGS : (['post'] as const)).map((ruleSharing) => ({ rule, modulation, ruleSharing }))),
  ),
  { rule: 'abcd', ruleSharing: 'synapse', modulation: 'retroactive', weights: 'random-per-episode' },
  { rule: 'oja', modulation: 'retroactive', weights: 'random-per-episode' },
  { rule: 'bcm', modulation: 'retroactive', hidden: [12, 7] },
  { rule: 'abcd', modulation: 'simple', ruleSharing: 'synapse', hidden: [9, 6] },
  { rule: 'hebb', modulation: 'simple', recurrent: false, perNeuronModulation: false },
  { rule: 'none', hidden: [12, 7] },
  { rule: 'oja', modulation: 'retroactive', learnNeuronParams: true, readout: 'trace', modInputs: ['reward', 'action'] },
  { rule: 'hebb', modulation: 'none', plasticLayers: [1], hidden: [10, 5] },
  { rule: 'oja', modulation: 'retroactive', plasticityEvery: 3, activityDecay: 0.8 },
  { rule: 'abcd', ruleSharing: 'synapse', modulation: 'simple', activityDecay: 0.9 },
  { rule: 'abcd', ruleSharing: 'post', modulation: 'none', weights: 'random-per-episode', plasticityEvery: 4, activityDecay: 0.5 },
];

for (const synapseArithmetic of SYNAPSE_ARITHMETICS) {
  test(`the policy with WebAssembly kernels acts and learns exactly as with the JavaScript kernels, ${synapseArithmetic}, for every rule x modulation x sharing`, () => {
    for (const over of policyCases) {
      const cfg = validatePolicyConfig({ hidden: [13], ...over, synapseArithmetic });
      const what = JSON.stringify(over);
      const params = initParams(cfg, OBS, ACT, new Rng(3));
      // A wider spread than at initialization, so that H reaches the clip within the run.
      for (let q = 0; q < params.length; q++) params[q] *= 1 + 2 * ((q * 7919) % 13) / 13;
      const [w, j] = (['wasm', 'js'] as const).map((kernels) => {
        const p = createPolicy(cfg, OBS, ACT, { kernels }) as SnnPolicy;
        p.setParams(params);
        p.reset(42);
        return p;
      });
      const rng = new Rng(5);
      for (let t = 0; t < 150; t++) {
        const obs = Float32Array.from({ length: OBS }, () => 2 * rng.normal());
        w.observeReward(t % 7);
        j.observeReward(t % 7);
        if (t === 100) for (const p of [w, j]) p.freezePlasticity();
        if (t === 120) for (const p of [w, j]) p.reset(43);
        assertSameBits(w.act(obs), j.act(obs), `${what} step ${t}: actions`);
      }
      for (let l = 0; l < cfg.hidden.length; l++) {
        const [sw, sj] = [w.plasticState(l), j.plasticState(l)];
        for (const key of ['Hin', 'Hrec', 'Ein', 'Erec'] as const) assertSameBits(sw[key], sj[key], `${what} layer ${l} ${key}`);
        if (sw.Hrec.length > 0) assert.ok(sw.Hrec.some((h) => h !== 0), `${what}: H moved`);
      }
    }
  });
}

test('the committed WebAssembly module was built from synapse-kernels.as.ts as it stands (else: npm run build:kernels)', () => {
  assert.equal(SYNAPSE_KERNELS_STAMP, kernelsStamp());
});

type SnnConfigInput = Exclude<PolicyConfigInput, { type: 'mlp' }>;

/** A policy of `cfgInput` with the initial genome of seed 3, reset for episode 42. */
function initialPolicy(cfgInput: SnnConfigInput): SnnPolicy {
  const cfg = validatePolicyConfig(cfgInput);
  const p = createPolicy(cfg, OBS, ACT) as SnnPolicy;
  p.setParams(initParams(cfg, OBS, ACT, new Rng(3)));
  p.reset(42);
  return p;
}

/** The plastic variants whose kernels differ: every modulation, the table rules' sharings, and the static SNN. */
const arithmeticCases: SnnConfigInput[] = [
  { rule: 'oja', modulation: 'simple' },
  { rule: 'hebb', modulation: 'retroactive' },
  { rule: 'bcm', modulation: 'none' },
  { rule: 'abcd', ruleSharing: 'post', modulation: 'retroactive' },
  { rule: 'abcd', ruleSharing: 'synapse', modulation: 'simple', weights: 'random-per-episode' },
  { rule: 'none' },
];

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((d, x, q) => Math.max(d, Math.abs(x - b[q])), 0);

test('a policy config without synapseArithmetic computes in float64: the same actions, bit for bit, as an explicit "f64"', () => {
  const cfg = validatePolicyConfig({});
  assert.equal(cfg.type === 'snn' && cfg.synapseArithmetic, 'f64');
  for (const over of arithmeticCases) {
    const [implicit, explicit] = [initialPolicy({ hidden: [13], ...over }), initialPolicy({ hidden: [13], ...over, synapseArithmetic: 'f64' })];
    const rng = new Rng(5);
    for (let t = 0; t < 60; t++) {
      const obs = Float32Array.from({ length: OBS }, () => 2 * rng.normal());
      assertSameBits(implicit.act(obs), explicit.act(obs), `${JSON.stringify(over)} step ${t}`);
    }
  }
});

test('synapseArithmetic "f32" computes other bits than "f64": membranes and H within 1e-4 over 30 steps, and the same actions within 1e-3 over the first 10', () => {
  for (const over of arithmeticCases) {
    const what = JSON.stringify(over);
    const [p64, p32] = (['f64', 'f32'] as const).map((synapseArithmetic) => initialPolicy({ hidden: [32], ...over, synapseArithmetic }));
    const rng = new Rng(5);
    let differs = false;
    for (let t = 0; t < 30; t++) {
      const obs = Float32Array.from({ length: OBS }, () => 2 * rng.normal());
      const [a64, a32] = [p64.act(obs), p32.act(obs)];
      if (t < 10) assert.ok(maxAbsDiff(a64, a32) < 1e-3, `${what} step ${t}: actions ${a64} (f64) vs ${a32} (f32)`);
      const [v64, v32] = [p64.neuronState(0).v, p32.neuronState(0).v];
      const [s64, s32] = [p64.plasticState(0), p32.plasticState(0)];
      assert.ok(maxAbsDiff(v64, v32) < 1e-4, `${what} step ${t}: membranes differ by ${maxAbsDiff(v64, v32)}`);
      for (const key of ['Hin', 'Hrec'] as const) assert.ok(maxAbsDiff(s64[key], s32[key]) < 1e-4, `${what} step ${t}: ${key} differs by ${maxAbsDiff(s64[key], s32[key])}`);
      differs ||= bits(v64).some((b, q) => b !== bits(v32)[q]);
    }
    assert.ok(differs, `${what}: f32 gave f64's membranes`);
  }
});
