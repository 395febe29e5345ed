/**
 * Checkpoints: serialize -> JSON -> restore of every strategy's state after a few
 * generations continues bit for bit like the uninterrupted run; special numbers and typed
 * arrays round-trip exactly; malformed checkpoints fail naming the field.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMaximizer, deserializeState, memberParams, serializeState, strategyNames, getStrategy, type Population } from '../src/es/index.ts';
import { rosenbrock } from './es-problems.ts';

function evaluate(pop: Population): Float64Array {
  const x = new Float64Array(pop.mean.length);
  return Float64Array.from(pop.members, (_, i) => {
    memberParams(pop, i, x);
    // A NaN now and then, as a diverged rollout would give.
    return i === 3 ? NaN : rosenbrock(x);
  });
}

for (const name of strategyNames) {
  test(`${name}: serialize -> JSON -> restore after 4 generations continues bit for bit for 5 more`, () => {
    const es = createMaximizer(getStrategy(name), { popSize: 12 });
    const step = (s: ReturnType<typeof es.init>) => {
      const asked = es.ask(s);
      return es.tell(asked.state, asked.population, evaluate(asked.population)).state;
    };
    let state = es.init(Float64Array.from([0.3, -1, 2, 0.5, 0, 1.5, -0.2]), 11);
    for (let g = 0; g < 4; g++) state = step(state);

    const text = JSON.stringify(es.serialize(state));
    let resumed = es.restore(JSON.parse(text));
    assert.equal(JSON.stringify(es.serialize(resumed)), text);
    assert.notEqual(resumed.core.mean, state.core.mean);

    let straight = state;
    for (let g = 0; g < 5; g++) {
      straight = step(straight);
      resumed = step(resumed);
    }
    assert.equal(JSON.stringify(es.serialize(resumed)), JSON.stringify(es.serialize(straight)));
    assert.deepEqual(es.ask(resumed).population.members, es.ask(straight).population.members);
    assert.equal(resumed.core.generation, 9);
  });
}

test('serializeState round-trips typed arrays and special numbers exactly through JSON', () => {
  const value = {
    a: Float64Array.from([0.1, -0, NaN, Infinity, -Infinity, 5e-324, 1.7976931348623157e308]),
    b: Float32Array.from([1.5, -2.25]),
    c: Int32Array.from([-7, 2 ** 31 - 1]),
    d: Uint32Array.from([0, 2 ** 32 - 1]),
    n: [NaN, -0, -Infinity, 3],
    nested: { s: 'x', t: true, u: null, empty: new Float64Array(0) },
  };
  const back = deserializeState(JSON.parse(JSON.stringify(serializeState(value)))) as typeof value;
  assert.ok(back.a instanceof Float64Array && back.b instanceof Float32Array && back.c instanceof Int32Array && back.d instanceof Uint32Array);
  assert.deepEqual(Buffer.from(back.a.buffer), Buffer.from(value.a.buffer));
  assert.ok(Object.is(back.a[1], -0));
  assert.deepEqual(Array.from(back.b), [1.5, -2.25]);
  assert.deepEqual(Array.from(back.c), [-7, 2 ** 31 - 1]);
  assert.deepEqual(Array.from(back.d), [0, 2 ** 32 - 1]);
  assert.ok(Number.isNaN(back.n[0]) && Object.is(back.n[1], -0) && back.n[2] === -Infinity && back.n[3] === 3);
  assert.deepEqual(back.nested.s, 'x');
  assert.equal(back.nested.empty.length, 0);
});

test('serializeState refuses what it cannot restore, naming the field', () => {
  assert.throws(() => serializeState({ a: { when: new Date(0) } }), /state\.a\.when: cannot serialize an instance of Date/);
  assert.throws(() => serializeState({ f: () => 1 }), /state\.f: cannot serialize a value of type function/);
  assert.throws(() => serializeState({ x: [1, undefined] }), /state\.x\[1\]: cannot serialize a value of type undefined/);
  assert.throws(() => serializeState({ $f64: 'AAAA' }), /state\.\$f64: keys starting with "\$" are reserved/);
  assert.throws(() => serializeState({ u8: new Uint8Array(2) }), /state\.u8: cannot serialize a Uint8Array/);
});

test('restore rejects malformed checkpoints with the field that is wrong', () => {
  const es = createMaximizer(getStrategy('openai-es'), { popSize: 4 });
  const asked = es.ask(es.init(new Float64Array(3), 1));
  const good = es.serialize(es.tell(asked.state, asked.population, Float64Array.from([1, 2, 3, 4])).state);
  const edit = (fn: (j: any) => void) => {
    const j = JSON.parse(JSON.stringify(good));
    fn(j);
    return j;
  };
  const cases: [(j: any) => void, RegExp][] = [
    [(j) => (j.core.mean = { $f64: 'not base64!' }), /state\.core\.mean: malformed \$f64 \(expected a base64 string\)/],
    [(j) => (j.core.mean = { $f64: 'AAAAAAAA' }), /state\.core\.mean: malformed \$f64 \(6 bytes is not a multiple of 8\)/],
    [(j) => (j.core.adam.m = serializeState(new Float64Array(2))), /state\.core\.adam\.m must have length 3 \(got 2\)/],
    [(j) => delete j.core.adam.v, /state\.core\.adam\.v must be a Float64Array/],
    [(j) => (j.core.sigma = 'x'), /state\.core\.sigma must be a number/],
    [(j) => (j.core.generation = 1.5), /state\.core\.generation must be an integer/],
    [(j) => (j.core.rng.s = [1, 2, 3]), /state\.core\.rng\.s must be four unsigned 32-bit integers/],
    [(j) => (j.core.sigma = { $num: 'big' }), /state\.core\.sigma: malformed \$num/],
    [(j) => (j.core.mean = { $f16: '' }), /state\.core\.mean: unknown tag \$f16/],
    [(j) => (j.best.params = null), /state\.best\.fitness must be -Infinity exactly when state\.best\.params is null/],
    [(j) => (j.strategy = 'pgpe'), /state\.strategy is "pgpe" but this run uses "openai-es"/],
    [(j) => (j.core = 3), /state\.core must be an object/],
    [(j) => (j.core.mean = serializeState(Float64Array.from([0, NaN, 0]))), /^Error: state\.core\.mean\[1\] is NaN \(must be finite\)$/],
    [(j) => (j.core.adam.v = serializeState(Float64Array.from([0, 0, -Infinity]))), /state\.core\.adam\.v\[2\] is -Infinity/],
    [(j) => (j.best.params = serializeState(Float64Array.from([NaN, 0, 0]))), /state\.best\.params\[0\] is NaN/],
  ];
  for (const [fn, re] of cases) assert.throws(() => es.restore(edit(fn)), re);
  assert.doesNotThrow(() => es.restore(good));
});
