/**
 * Rollout throughput of the trainer with 1 and 2 worker threads, measured side by side in
 * one process on the same generations, and the share of wall time the trainer spends
 * outside rollouts (ask, tell, merging statistics). Prints figures; asserts nothing.
 *
 *   node --import tsx bench/train.bench.ts [--generations 3] [--pop 32] [--max-steps 300]
 */
import { parseArgs } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTrainConfig } from '../src/train/config.ts';
import { Trainer } from '../src/train/trainer.ts';
import { RolloutPool } from '../workers/pool.ts';
import { getBuiltinSuite } from '../envs/suites.ts';

const { values } = parseArgs({ options: { generations: { type: 'string', default: '3' }, pop: { type: 'string', default: '32' }, 'max-steps': { type: 'string', default: '300' }, policy: { type: 'string', default: 'snn' } } });
const out = mkdtempSync(join(tmpdir(), 'propamine-bench-'));

for (const workers of [1, 2]) {
  const config = resolveTrainConfig('quick', {
    outDir: out, name: `w${workers}`, workers, generations: Number(values.generations), maxSteps: Number(values['max-steps']), testEvery: 0,
    strategy: { name: 'openai-es', popSize: Number(values.pop) }, policy: { type: values.policy },
  });
  const pool = new RolloutPool({ threads: workers });
  const t = new Trainer(config, getBuiltinSuite(config.conditions), pool, 'bench');
  await t.step(); // warm-up: thread start and WebAssembly compilation
  let steps = 0;
  let wall = 0;
  let overhead = 0;
  for (let g = 0; g < config.generations; g++) {
    const r = await t.step();
    steps += r.steps;
    wall += r.steps / r.stepsPerSec;
    overhead += r.overheadFraction * (r.steps / r.stepsPerSec);
  }
  await pool.close();
  console.log(`${workers} worker${workers > 1 ? 's' : ' '}: ${(steps / wall).toFixed(0)} control steps/s (${((5 * steps) / wall).toFixed(0)} physics steps/s), trainer overhead ${((100 * overhead) / wall).toFixed(2)}% of wall time, ${t.numParams} parameters, ${config.strategy.popSize} members × ${config.maxSteps} steps`);
}
