/**
 * Environment throughput and memory, with uniformly random actions (one core):
 * control steps per second and physics steps per second for one ant per world and for N
 * ants sharing a world, then memory across many resets (every reset builds and frees a
 * Rapier world). Prints figures; it asserts nothing.
 *
 *   node --import tsx bench/env.bench.ts [--seconds 4] [--episodes 10000]
 */
import { parseArgs } from 'node:util';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { Rng } from '../core/rng.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '4' }, episodes: { type: 'string', default: '10000' } } });
const seconds = Number(values.seconds);
const R = await loadRapier();

function run(n: number, budgetS: number): { ctrlPerS: number; physPerS: number; stepUs: number } {
  const world = new AntWorld(R);
  const rng = new Rng(1);
  const actions = new Float64Array(8 * n);
  let ctrl = 0;
  let ep = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < budgetS * 1000) {
    world.reset(Array.from({ length: n }, (_, i) => ({ seed: ep * 1000 + i, condition: {} })));
    ep++;
    for (let t = 0; t < 200; t++) {
      for (let i = 0; i < actions.length; i++) actions[i] = rng.range(-1, 1);
      const running = world.step(actions);
      ctrl += running;
      if (running === 0) break;
    }
  }
  const s = (performance.now() - t0) / 1000;
  world.close();
  const ctrlPerS = ctrl / s;
  return { ctrlPerS, physPerS: ctrlPerS * world.config.frameSkip, stepUs: 1e6 / ctrlPerS };
}

// Rapier's WebAssembly runs slower for the first seconds of a process while it compiles.
run(1, 3);

console.log(`ant env, random actions, one core (Rapier ${R.version()}, ${seconds}s per row)`);
console.log('ants/world  control steps/s  physics steps/s  µs per ant-step');
for (const n of [1, 4, 16, 64]) {
  const r = run(n, seconds);
  console.log(`${String(n).padStart(10)}  ${r.ctrlPerS.toFixed(0).padStart(15)}  ${r.physPerS.toFixed(0).padStart(15)}  ${r.stepUs.toFixed(1).padStart(15)}`);
}

// Memory: many short episodes, each a fresh world that is freed again.
const episodes = Number(values.episodes);
const world = new AntWorld(R, { maxSteps: 10 });
const zero = new Float64Array(8);
const mem = () => {
  const m = process.memoryUsage();
  const wasm = (R as unknown as { wasm?: { memory?: { buffer: ArrayBuffer } } }).wasm?.memory?.buffer.byteLength;
  return { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20, wasm: wasm === undefined ? NaN : wasm / 2 ** 20 };
};
const marks: string[] = [];
const t0 = performance.now();
for (let e = 0; e <= episodes; e++) {
  if (e % (episodes / 5) === 0) {
    const m = mem();
    marks.push(`  after ${String(e).padStart(6)} episodes: rss ${m.rss.toFixed(1)} MiB, js heap ${m.heap.toFixed(1)} MiB${Number.isNaN(m.wasm) ? '' : `, wasm ${m.wasm.toFixed(1)} MiB`}`);
  }
  if (e === episodes) break;
  world.reset([{ seed: e, condition: {} }]);
  while (!world.done[0]) world.step(zero);
}
world.close();
console.log(`memory over ${episodes} resets (10 steps each, ${((performance.now() - t0) / 1000).toFixed(1)} s):`);
for (const m of marks) console.log(m);
