/**
 * Every registered strategy solves sphere (D=20), Rosenbrock (D=5) and Rastrigin (D=5)
 * within a stated budget of member evaluations; the settings live in es-benchmarks.ts and
 * each test name states the start, tolerance and budget.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategyNames } from '../src/es/index.ts';
import { benchmarks, problems } from './es-benchmarks.ts';
import { runUntil } from './es-problems.ts';

for (const name of strategyNames) {
  test(`${name} has benchmark settings for sphere, rosenbrock and rastrigin`, () => {
    const cases = benchmarks[name] ?? [];
    assert.deepEqual(cases.map((c) => c.problem).sort(), ['rastrigin', 'rosenbrock', 'sphere']);
  });
  for (const c of benchmarks[name] ?? []) {
    const title = `${name} solves ${c.problem} D=${c.dim} from x=${c.start}: ${c.tolerance} within ${c.maxEvals} evals`;
    test(title, (t) => {
      const x0 = new Float64Array(c.dim).fill(c.start);
      const r = runUntil(name, c.params, problems[c.problem], x0, c.target, c.maxEvals, 1);
      t.diagnostic(`${r.evals} evals, ${r.generations} generations, center f = ${r.centerFitness.toExponential(3)}`);
      assert.ok(r.reached, `not reached: center f = ${r.centerFitness} after ${r.evals} evals`);
      assert.ok(r.bestSoFar !== null && Number.isFinite(r.bestSoFar));
    });
  }
}
