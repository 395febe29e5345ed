/**
 * Contract tests that loop over the strategy registry: sampling (mirrored pairs, seeds,
 * memberParams), the direction of the update (we maximise), NaN fitness, and errors that
 * name the field.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createMaximizer,
  fillNoise,
  getStrategy,
  memberParams,
  strategies,
  strategyNames,
  type AnyStrategy,
  type Population,
} from '../src/es/index.ts';
import { sphere } from './es-problems.ts';

const mirrored = new Set(['openai-es', 'pgpe']);

function evaluate(pop: Population, f: (x: Float64Array) => number): Float64Array {
  const x = new Float64Array(pop.mean.length);
  const z = new Float64Array(pop.mean.length);
  return Float64Array.from(pop.members, (_, i) => {
    memberParams(pop, i, x, z);
    return f(x);
  });
}

function norm(x: Float64Array): number {
  return Math.sqrt(x.reduce((s, v) => s + v * v, 0));
}

test('the registry holds the four strategies and names them in its error', () => {
  assert.deepEqual(strategyNames, ['openai-es', 'pgpe', 'snes', 'sep-cma-es']);
  for (const name of strategyNames) assert.equal(getStrategy(name).name, name);
  assert.throws(() => getStrategy('x'), { message: 'strategy.name must be one of openai-es, pgpe, snes, sep-cma-es (got "x")' });
});

for (const name of strategyNames) {
  const strategy: AnyStrategy = strategies[name];

  test(`${name}: the same seed gives the same population, another seed another`, () => {
    const es = createMaximizer(strategy, { popSize: 8 });
    const mean = Float64Array.from({ length: 6 }, (_, j) => j - 2);
    const a = es.ask(es.init(mean, 42)).population;
    const b = es.ask(es.init(mean, 42)).population;
    const c = es.ask(es.init(mean, 43)).population;
    assert.deepEqual(a.members, b.members);
    assert.deepEqual(Array.from(a.scale), Array.from(b.scale));
    assert.notDeepEqual(a.members, c.members);
    assert.equal(a.members.length, 8);
  });

  test(`${name}: memberParams is mean + sign * scale ⊙ z(seed)${mirrored.has(name) ? '; mirrored pairs (seed,+1),(seed,-1) are symmetric around the mean' : '; members are unmirrored with distinct seeds'}`, () => {
    const es = createMaximizer(strategy, { popSize: 6 });
    const d = 9;
    const pop = es.ask(es.init(Float64Array.from({ length: d }, (_, j) => 0.5 * j), 3)).population;
    const z = new Float64Array(d);
    const x = new Float64Array(d);
    pop.members.forEach((m, i) => {
      fillNoise(m.seed, z);
      memberParams(pop, i, x);
      for (let j = 0; j < d; j++) assert.equal(x[j], pop.mean[j] + m.sign * pop.scale[j] * z[j]);
    });
    if (mirrored.has(name)) {
      const xm = new Float64Array(d);
      for (let i = 0; i < pop.members.length; i += 2) {
        assert.deepEqual(pop.members[i + 1], { seed: pop.members[i].seed, sign: -1 });
        assert.equal(pop.members[i].sign, 1);
        memberParams(pop, i, x);
        memberParams(pop, i + 1, xm);
        for (let j = 0; j < d; j++) assert.ok(Math.abs(x[j] - pop.mean[j] + (xm[j] - pop.mean[j])) < 1e-12);
      }
    } else {
      assert.ok(pop.members.every((m) => m.sign === 1));
      assert.equal(new Set(pop.members.map((m) => m.seed)).size, pop.members.length);
    }
    const x32 = new Float32Array(d);
    memberParams(pop, 0, x32);
    memberParams(pop, 0, x);
    assert.deepEqual(Array.from(x32), Array.from(Float32Array.from(x)));
  });

  test(`${name}: maximises (on -|x|^2 the center moves toward 0, on +|x|^2 away)`, () => {
    const start = new Float64Array(10).fill(1);
    for (const [f, towardZero] of [[sphere, true], [(x: Float64Array) => -sphere(x), false]] as const) {
      const es = createMaximizer(strategy, {});
      let state = es.init(start, 5);
      for (let g = 0; g < 30; g++) {
        const asked = es.ask(state);
        state = es.tell(asked.state, asked.population, evaluate(asked.population, f)).state;
      }
      const r = norm(es.center(state));
      if (towardZero) assert.ok(r < 0.9 * norm(start), `|center| = ${r}`);
      else assert.ok(r > 1.1 * norm(start), `|center| = ${r}`);
    }
  });

  test(`${name}: a NaN fitness is never best and does not make the mean NaN`, () => {
    const es = createMaximizer(strategy, { popSize: 10 });
    let state = es.init(new Float64Array(5).fill(2), 9);
    for (let g = 0; g < 15; g++) {
      const asked = es.ask(state);
      const f = evaluate(asked.population, sphere);
      // The true best member of every generation returns NaN, another +Infinity.
      let top = 0;
      for (let i = 1; i < f.length; i++) if (f[i] > f[top]) top = i;
      const trueTop = f[top];
      f[top] = NaN;
      f[(top + 1) % f.length] = Infinity;
      const told = es.tell(asked.state, asked.population, f);
      state = told.state;
      assert.equal(told.metrics.nonFinite, 2);
      assert.ok(told.metrics.fitnessMax! < trueTop);
      assert.ok(es.center(state).every(Number.isFinite), `generation ${g}: mean has NaN`);
      assert.ok(Number.isFinite(state.best.fitness));
      assert.ok(state.best.params!.every(Number.isFinite));
      assert.equal(sphere(state.best.params!), state.best.fitness);
    }
    // A generation where every rollout diverged is counted but moves nothing.
    const asked = es.ask(state);
    const told = es.tell(asked.state, asked.population, new Float64Array(10).fill(NaN));
    assert.deepEqual(es.center(told.state), es.center(state));
    assert.equal(told.state.core.generation, state.core.generation + 1);
    assert.equal(told.state.best, state.best);
    assert.equal(told.metrics.fitnessMax, null);
    assert.equal(told.metrics.nonFinite, 10);
  });

  test(`${name}: tell rejects a fitness vector of the wrong length`, () => {
    const es = createMaximizer(strategy, { popSize: 4 });
    const asked = es.ask(es.init(new Float64Array(3), 1));
    assert.throws(() => es.tell(asked.state, asked.population, new Float64Array(3)), /fitness has 3 entries but the population has 4 members/);
  });

  test(`${name}: unknown and bad hyper-parameters get errors naming the field`, () => {
    assert.throws(() => strategy.resolveParams({ sigmaa: 1 }), new RegExp(`strategy\\.sigmaa is not a parameter of ${name}`));
    assert.throws(() => strategy.resolveParams({ popSize: 1 }), /strategy\.popSize must be/);
    assert.throws(() => strategy.resolveParams({ popSize: 2.5 }), /strategy\.popSize must be/);
    assert.throws(() => createMaximizer(strategy, { popSize: 0 }), /strategy\.popSize must be/);
    assert.throws(() => createMaximizer(strategy, {}, { shaping: 'best' as never }), /shaping must be one of/);
    assert.deepEqual(strategy.resolveParams(), { ...strategy.defaults });
  });
}

test('strategy-specific hyper-parameter errors name the field', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['openai-es', { sigma: -1 }, /^Error: strategy\.sigma must be > 0 \(got -1\)$/],
    ['openai-es', { sigma: 'big' }, /strategy\.sigma must be a finite number \(got "big"\)/],
    ['openai-es', { popSize: 7 }, /strategy\.popSize must be even for mirrored sampling \(got 7\)/],
    ['openai-es', { lr: 0 }, /strategy\.lr must be > 0/],
    ['openai-es', { beta1: 1 }, /strategy\.beta1 must be in \[0, 1\)/],
    ['openai-es', { sigmaDecay: 1.5 }, /strategy\.sigmaDecay must be in \(0, 1\]/],
    ['openai-es', { l2: -0.1 }, /strategy\.l2 must be >= 0/],
    ['pgpe', { sigmaInit: 0 }, /strategy\.sigmaInit must be > 0/],
    ['pgpe', { popSize: 9 }, /strategy\.popSize must be even/],
    ['pgpe', { maxSpeed: -1 }, /strategy\.maxSpeed must be > 0/],
    ['pgpe', { sigmaMaxChange: 1 }, /strategy\.sigmaMaxChange must be in \[0, 1\)/],
    ['pgpe', { momentum: NaN }, /strategy\.momentum must be a finite number/],
    ['snes', { lrSigma: 'fast' }, /strategy\.lrSigma must be "auto" or a number > 0 \(got "fast"\)/],
    ['snes', { lrMean: -1 }, /strategy\.lrMean must be > 0/],
    ['sep-cma-es', { sigmaInit: Infinity }, /strategy\.sigmaInit must be a finite number/],
    ['sep-cma-es', { popSize: 'many' }, /strategy\.popSize must be "auto" or an integer >= 2/],
  ];
  for (const [name, input, re] of cases) {
    assert.throws(() => getStrategy(name).resolveParams(input), (e: Error) => re.test(String(e)), `${name} ${JSON.stringify(input)}`);
  }
});

test('init rejects a NaN starting point, naming the index', () => {
  for (const name of strategyNames) {
    const es = createMaximizer(getStrategy(name));
    assert.throws(() => es.init(Float64Array.from([0, NaN]), 1), new RegExp(`${name}\\.init: mean\\[1\\] is NaN`));
  }
});
