/**
 * Times one generation (ask + tell) of every registered strategy at policy scale:
 * D = 50,000 parameters, 64 members. Member evaluation is left out (the fitness is a fixed
 * pseudo-random vector): this measures the strategy's own cost, which the trainer pays on
 * the main thread while the workers wait. Run: node --import tsx bench/es.bench.ts [D] [n] [reps]
 */

import { Rng } from '../core/rng.ts';
import { createMaximizer, fillNoise, strategyNames, getStrategy } from '../src/es/index.ts';

const dim = Number(process.argv[2] ?? 50_000);
const popSize = Number(process.argv[3] ?? 64);
const reps = Number(process.argv[4] ?? 5);

const rng = new Rng(7);
const fitness = new Float64Array(popSize);
for (let i = 0; i < popSize; i++) fitness[i] = rng.normal();

{
  const z = new Float64Array(dim);
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) fillNoise(r, z);
  console.log(`fillNoise D=${dim}: ${((performance.now() - t0) / reps).toFixed(2)} ms per vector`);
}

for (const name of strategyNames) {
  const es = createMaximizer(getStrategy(name), { popSize });
  let state = es.init(new Float64Array(dim), 1);
  const times: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    const asked = es.ask(state);
    state = es.tell(asked.state, asked.population, fitness).state;
    // The first generation includes JIT warm-up; report the rest.
    if (r > 0) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(11)} D=${dim} n=${popSize}: ask+tell median ${times[times.length >> 1].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)})`);
}
