/**
 * Policy scale: one generation of every strategy at D = 50,000 parameters and 64 members
 * runs, stays finite and reports its time (a figure, not a pass/fail limit; see
 * bench/es.bench.ts for a steadier measurement).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMaximizer, getStrategy, memberParams, strategyNames } from '../src/es/index.ts';
import { Rng } from '../core/rng.ts';

const D = 50_000;
const N = 64;

for (const name of strategyNames) {
  test(`${name}: one ask + tell at D=${D}, n=${N} stays finite`, (t) => {
    const es = createMaximizer(getStrategy(name), { popSize: N });
    const rng = new Rng(1);
    const fitness = Float64Array.from({ length: N }, () => rng.normal());
    let state = es.init(new Float64Array(D), 3);
    const t0 = performance.now();
    const asked = es.ask(state);
    const told = es.tell(asked.state, asked.population, fitness);
    const ms = performance.now() - t0;
    t.diagnostic(`${name} ask+tell D=${D} n=${N}: ${ms.toFixed(0)} ms (first generation, includes warm-up)`);
    state = told.state;
    assert.equal(asked.population.members.length, N);
    assert.ok(es.center(state).every(Number.isFinite));
    assert.ok(state.best.params !== null && state.best.params.length === D);
    const x = new Float32Array(D);
    memberParams(es.ask(state).population, N - 1, x);
    assert.ok(x.every(Number.isFinite));
  });
}
