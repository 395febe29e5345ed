import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRapier } from '../envs/rapier.ts';
import { DEFAULT_SIM, LEGACY_SIM, simWorld, type SimSettings } from '../envs/sim-settings.ts';
import { NOMINAL } from '../envs/conditions.ts';
import { BUILTIN_SUITES } from '../envs/suites.ts';
import { mixSeed } from '../core/rng.ts';
import { resolveSavedRunConfig, resolveTrainConfig, validateTrainConfig } from '../src/train/config.ts';
import { train } from '../src/train/run.ts';
import { RunDir } from '../src/train/run-dir.ts';
import { testEpisodes } from '../src/train/trainer.ts';
import { loadPolicyFile, savePolicyFile, simOf, type PolicyFile } from '../src/train/policy-file.ts';
import { loadPolicy } from '../src/policy-source.ts';
import { evaluatePolicy } from '../src/evaluate.ts';
import { runStress, stressSeeds } from '../src/stress.ts';
import { parseReplay } from '../envs/replay.ts';
import { recordEpisode } from '../workers/record.ts';
import { runRolloutTask } from '../workers/rollout.ts';
import { RolloutPool } from '../workers/pool.ts';
import type { TaskEpisode } from '../workers/types.ts';
import { main } from '../src/cli/main.ts';

const R = await loadRapier();
const tmp = mkdtempSync(join(tmpdir(), 'propamine-sim-'));
const RUNS = join(import.meta.dirname, '..', 'docs', 'runs', 'snn-learning');

/** Returns of a policy's episodes in a world built with `sim`, outside the code under test. */
function returnsUnder(p: PolicyFile, sim: SimSettings, episodes: TaskEpisode[], maxSteps: number): number[] {
  const r = runRolloutTask(R, {
    index: 0, runId: 'direct', generation: 0, center: p.params, scale: null, members: [{ seed: 0, sign: 0 }], policy: p.policy,
    world: { maxSteps, ...simWorld(sim) }, episodes, normalizer: p.normalizer, collectObsStats: false,
  });
  return Array.from(r.returns);
}

test('a config or policy file without sim means 2 × 16 without added inertia; new configs get the new default; bad values name the field', () => {
  const saved = JSON.parse(readFileSync(join(RUNS, 'pf41-s1', 'config.json'), 'utf8'));
  delete saved.digest;
  assert.equal(saved.sim, undefined);
  assert.deepEqual(validateTrainConfig(saved).sim, LEGACY_SIM);
  assert.deepEqual(LEGACY_SIM, { solverIterations: 2, pgsIterations: 16, limbInertia: 0 });
  assert.deepEqual(resolveTrainConfig('quick').sim, DEFAULT_SIM);
  assert.deepEqual(resolveTrainConfig('full', {}, { sim: { pgsIterations: 16 } }).sim, { ...DEFAULT_SIM, pgsIterations: 16 });
  assert.throws(() => resolveTrainConfig('quick', { sim: { pgsIterations: 0 } }), /^Error: config\.sim\.pgsIterations must be a whole number in \[1, 256\] \(got 0\)$/);
  assert.throws(() => resolveTrainConfig('quick', { sim: { substeps: 2 } }), /config\.sim\.substeps is not a known field/);
  assert.deepEqual(simOf(loadPolicyFile(join(RUNS, 'pf41-s1', 'best.json'))), LEGACY_SIM);
  const p = loadPolicyFile(join(RUNS, 'mlp-s1', 'best.json'));
  const file = join(tmp, 'bad-sim.json');
  savePolicyFile(file, { ...p, sim: { ...DEFAULT_SIM, limbInertia: -1 } });
  assert.throws(() => loadPolicyFile(file), /bad-sim\.json: sim\.limbInertia must be a number in \[0, 1\] \(got -1\)/);
});

test("a run's config.json, given to train --config, is read as that run trained (2 × 16, return, f64, plastic from 1); a hand-written config gets the presets'", async () => {
  // react-s1 was saved before runs recorded sim, fitness, plasticFrom and synapseArithmetic.
  const old = join(tmp, 'old-run');
  mkdirSync(old, { recursive: true });
  for (const f of ['config.json', 'metrics.jsonl']) cpSync(join(RUNS, 'react-s1', f), join(old, f));
  const saved = JSON.parse(readFileSync(join(old, 'config.json'), 'utf8')) as Record<string, unknown>;
  for (const k of ['sim', 'fitness', 'plasticFrom']) assert.equal(saved[k], undefined, k);
  const hand = join(tmp, 'hand.json');
  writeFileSync(hand, JSON.stringify({ policy: { hidden: [8] } }));
  const quiet = { out: () => {}, err: () => {} };
  const args = ['--generations', '1', '--pop', '4', '--max-steps', '20', '--workers', '0', '--out', tmp, '--quiet'];
  assert.equal(await main(['train', '--config', join(old, 'config.json'), '--name', 'from-old', ...args], quiet), 0);
  assert.equal(await main(['train', '--config', hand, '--name', 'from-hand', ...args], quiet), 0);
  const fromOld = new RunDir(join(tmp, 'from-old')).readConfig();
  const fromHand = new RunDir(join(tmp, 'from-hand')).readConfig();
  assert.deepEqual([fromOld.sim, fromOld.fitness, fromOld.plasticFrom, (fromOld.policy as { synapseArithmetic?: string }).synapseArithmetic], [LEGACY_SIM, 'return', 1, 'f64']);
  assert.deepEqual([fromHand.sim, fromHand.fitness, fromHand.plasticFrom, (fromHand.policy as { synapseArithmetic?: string }).synapseArithmetic], [DEFAULT_SIM, 'distance', 1, 'f32']);
  // The library reads it the same way, overrides on top.
  const lib = resolveSavedRunConfig(saved, { name: 'from-old', outDir: tmp, generations: 1, workers: 0, maxSteps: 20, strategy: { popSize: 4 } });
  assert.deepEqual(lib, fromOld);
  // A saved run's config is complete by itself: a preset has nothing to add.
  const err: string[] = [];
  assert.equal(await main(['train', '--preset', 'long', '--config', join(old, 'config.json'), ...args], { out: () => {}, err: (s: string) => err.push(s) }), 2);
  assert.match(err.join(''), /config\.json is a run's config\.json, complete by itself; drop --preset/);
  // A run's config.json copied elsewhere is still recognised, by its digest.
  const copy = join(tmp, 'copied.json');
  cpSync(join(RUNS, '..', 'quick3', 'snn32-s1', 'config.json'), copy);
  const err2: string[] = [];
  assert.equal(await main(['train', '--preset', 'quick', '--config', copy, ...args], { out: () => {}, err: (s: string) => err2.push(s) }), 2);
  assert.match(err2.join(''), /copied\.json is a run's config\.json, complete by itself; drop --preset/);
});

// Each committed run's first eval episode (`propamine eval RUN --episodes 1 --max-steps 200`),
// as computed before solver settings were recorded: its return, bit for bit.
const COMMITTED = { 'pf41-s1': 370.79601333346545, 'static-react-s1': 308.54722066404616, 'mlp-s1': 346.63031458903515 };

test('committed runs (no sim in their files) re-evaluate bit for bit as before solver settings were recorded', async () => {
  const pool = new RolloutPool({ threads: 0 });
  try {
    for (const [run, ret] of Object.entries(COMMITTED)) {
      const r = await evaluatePolicy(loadPolicy(join(RUNS, run)), { episodes: 1, maxSteps: 200 }, pool);
      assert.equal(r.returns[0], ret, run);
    }
  } finally {
    await pool.close();
  }
});

test("a run's rollouts, tests, best.json, replays, eval and stress all use the solver settings in its config", async () => {
  const sim: SimSettings = { solverIterations: 2, pgsIterations: 6, limbInertia: 0.002 };
  const config = resolveTrainConfig('quick', {
    outDir: tmp, name: 'sim', generations: 2, maxSteps: 60, testEvery: 1, testEpisodes: 1, replayEvery: 2, workers: 0,
    strategy: { name: 'openai-es', popSize: 4 }, policy: { type: 'mlp', hidden: [8] }, sim,
  });
  const run = await train({ config, quiet: true, log: () => {} });
  const dir = new RunDir(run.runDir);
  assert.deepEqual(dir.readConfig().sim, sim);
  const best = loadPolicy(run.runDir);
  assert.deepEqual(best.sim, sim);
  // The trainer's test of best.json's center, repeated in a world built with the run's settings (and not with 2 × 16).
  const test1 = testEpisodes(config);
  assert.equal(returnsUnder(best, sim, test1, 60)[0], best.meta.testReturn);
  assert.notEqual(returnsUnder(best, LEGACY_SIM, test1, 60)[0], best.meta.testReturn);
  // The last replay: the latest center, recorded with the run's settings.
  const center = dir.loadCenterPolicy();
  assert.deepEqual(center.sim, sim);
  const replay = parseReplay(readFileSync(join(run.runDir, 'replays', 'gen00002-nominal.json'), 'utf8'));
  const again = recordEpisode(R, { policy: center.policy, params: center.params, normalizer: center.normalizer, episode: test1[0]!, world: { maxSteps: 60, ...simWorld(sim) } });
  assert.equal(replay.summary.return, again.summary.return);
  // eval and stress of the run.
  const pool = new RolloutPool({ threads: 0 });
  try {
    const e = await evaluatePolicy(best, { episodes: 2, maxSteps: 60 }, pool);
    const evalEpisodes = [0, 1].map((i) => ({ seed: mixSeed(12345, i), condition: NOMINAL }));
    assert.deepEqual(e.returns, [...returnsUnder(best, sim, evalEpisodes.slice(0, 1), 60), ...returnsUnder(best, sim, evalEpisodes.slice(1), 60)]);
    const o = { episodes: 2, seed: 5, maxSteps: 60 };
    const s = await runStress(best, 'sim', BUILTIN_SUITES.nominal!, o, pool);
    assert.deepEqual(s.conditions[0]!.returns, returnsUnder(best, sim, stressSeeds(o).map((seed) => ({ seed, condition: NOMINAL })), 60));
  } finally {
    await pool.close();
  }
  // A policy file written without sim (as before it was recorded) is simulated under 2 × 16.
  const { sim: _, ...old } = best;
  savePolicyFile(join(tmp, 'old.json'), old);
  const pool2 = new RolloutPool({ threads: 0 });
  try {
    const e = await evaluatePolicy(loadPolicyFile(join(tmp, 'old.json')), { episodes: 1, maxSteps: 60 }, pool2);
    assert.deepEqual(e.returns, returnsUnder(best, LEGACY_SIM, [{ seed: mixSeed(12345, 0), condition: NOMINAL }], 60));
  } finally {
    await pool2.close();
  }
});
