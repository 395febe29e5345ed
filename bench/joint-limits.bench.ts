/**
 * Joint limits under Rapier settings: per setting, the worst joint-limit violation and the
 * joint-steps more than 5° past a limit over the stability test's episodes of uniformly
 * random full-scale actions (test/ant-stability.test.ts: seed 2024, 20 ants per world), and
 * over trained gaits: 1000-step nominal episodes (`propamine eval`'s seeds by default) and a
 * few held-out conditions (2 episodes each, `propamine stress`'s seeds by default). Prints figures; asserts
 * nothing. The speed of the same settings: `bench/mujoco.bench.ts --worlds` with the same JSON.
 *
 * A setting is AntWorldConfig fields (`physics` merged into the default), plus `lever`: what
 * the env does not expose, applied to every freshly built world of this process (AntWorld's
 * reset is wrapped here): Rapier's contact natural frequency, normalized allowed linear error
 * and prediction distance; extra solver iterations or PGS iterations on some bodies only (body
 * indices of BODY_NAMES). Added inertia on the limbs is `physics.limbInertia`.
 *
 *   node --import tsx bench/joint-limits.bench.ts [--worlds '{"2x4, 0.003": {"pgsIterations": 4, "physics": {"limbInertia": 0.003}}}']
 *     [--episodes 200] [--gaits a/best.json,b/best.json] [--gait-episodes 10] [--stress-episodes 2]
 *     [--eval-seed 12345] [--stress-seed 777]
 */
import { parseArgs } from 'node:util';
import { basename, dirname, join } from 'node:path';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld, DEFAULT_WORLD, type AntWorldConfig } from '../envs/ant-world.ts';
import { NUM_JOINTS } from '../envs/ant-model.ts';
import { BUILTIN_SUITES } from '../envs/suites.ts';
import type { Condition } from '../envs/conditions.ts';
import { Rng, mixSeed } from '../core/rng.ts';
import { runRolloutTask } from '../workers/rollout.ts';
import { loadPolicyFile } from '../src/train/policy-file.ts';
import { stressSeeds } from '../src/stress.ts';
import type RAPIER_NS from '@dimforge/rapier3d-compat';
import { randomActionEpisodes } from '../envs/random-actions.ts';

interface Lever {
  contactNaturalFrequency?: number;
  allowedLinearError?: number;
  predictionDistance?: number;
  extraSolverIterations?: { bodies: number[]; n: number };
  extraPgsIterations?: { bodies: number[]; n: number };
}
type Setting = Partial<Omit<AntWorldConfig, 'physics'>> & { physics?: Partial<AntWorldConfig['physics']>; lever?: Lever };

const RUNS = join(import.meta.dirname, '..', 'docs', 'runs', 'snn-learning');
const DEFAULT_GAITS = ['pf41-s1', 'static-react-s1', 'mlp-s1'].map((r) => join(RUNS, r, 'best.json')).join(',');
const { values } = parseArgs({
  options: {
    worlds: { type: 'string', default: '{"default": {}}' }, episodes: { type: 'string', default: '200' }, gaits: { type: 'string', default: DEFAULT_GAITS },
    'gait-episodes': { type: 'string', default: '10' }, 'stress-episodes': { type: 'string', default: '2' },
    'eval-seed': { type: 'string', default: '12345' }, 'stress-seed': { type: 'string', default: '777' },
  },
});
const worlds = JSON.parse(values.worlds) as Record<string, Setting>;
const gaits = values.gaits ? values.gaits.split(',') : [];
const STRESS = new Set(['disabled ankle_1', 'low friction (×0.3)', 'high gravity (×1.4)', 'heavy + slippery']);
const stressConditions = BUILTIN_SUITES.heldout!.conditions.filter((c) => STRESS.has(c.name!));

const reset = AntWorld.prototype.reset;
AntWorld.prototype.reset = function (episodes) {
  const obs = reset.call(this, episodes);
  const lever = (this.config as Setting).lever;
  if (lever) applyLever((this as unknown as { world: RAPIER_NS.World }).world, this, lever);
  return obs;
};

function applyLever(w: RAPIER_NS.World, world: AntWorld, l: Lever): void {
  const ip = w.integrationParameters;
  if (l.contactNaturalFrequency !== undefined) ip.contact_natural_frequency = l.contactNaturalFrequency;
  if (l.allowedLinearError !== undefined) ip.normalizedAllowedLinearError = l.allowedLinearError;
  if (l.predictionDistance !== undefined) ip.normalizedPredictionDistance = l.predictionDistance;
  for (const ant of world.ants) {
    const b = ant.handles.bodies;
    for (const i of l.extraSolverIterations?.bodies ?? []) b[i]!.setAdditionalSolverIterations(l.extraSolverIterations!.n);
    for (const i of l.extraPgsIterations?.bodies ?? []) b[i]!.setAdditionalPgsIterations(l.extraPgsIterations!.n);
  }
}

function worldConfig(s: Setting, maxSteps?: number): Partial<AntWorldConfig> {
  return { ...s, physics: { ...DEFAULT_WORLD.physics, ...s.physics }, ...(maxSteps ? { maxSteps } : {}) } as Partial<AntWorldConfig>;
}

interface Limits { worst: number; past5: number; jointSteps: number }
const pct = (l: Limits) => `${l.worst.toFixed(2)}°, ${l.past5} past 5° (${((100 * l.past5) / Math.max(1, l.jointSteps)).toFixed(3)}%)`;

const R = await loadRapier();

/** The stability test's episodes; a joint-step counts while the ant is running or on the step its episode ends. */
function randomActions(s: Setting, episodes: number): Limits & { terminated: number } {
  const BATCH = 20;
  const world = new AntWorld(R, worldConfig(s));
  const rng = new Rng(2024);
  const l = { worst: 0, past5: 0, jointSteps: 0, terminated: 0 };
  l.terminated = randomActionEpisodes(world, episodes, BATCH, rng, (ant) => {
    for (let j = 0; j < NUM_JOINTS; j++) {
      const v = ant.limitViolation(j);
      if (!(v <= l.worst)) l.worst = v;
      if (!(v <= 5)) l.past5++;
      l.jointSteps++;
    }
  });
  world.close();
  return l;
}

function gait(s: Setting, path: string, condition: Condition, seeds: number[]): Limits & { distance: number; falls: number } {
  const p = loadPolicyFile(path);
  const r = runRolloutTask(R, {
    index: 0, runId: 'bench', generation: 0, center: p.params, scale: null, members: [{ seed: 0, sign: 0 }], policy: p.policy,
    world: worldConfig(s, 1000), episodes: seeds.map((seed) => ({ seed, condition })), normalizer: p.normalizer, collectObsStats: false,
  });
  const steps = Array.from(r.steps);
  return {
    worst: Math.max(...r.limitWorst), past5: r.limitPast5.reduce((a, b) => a + b, 0), jointSteps: NUM_JOINTS * steps.reduce((a, b) => a + b, 0),
    distance: r.distances.reduce((a, b) => a + b, 0) / seeds.length, falls: steps.filter((n) => n < 1000).length,
  };
}

const nRandom = Number(values.episodes);
const evalSeeds = Array.from({ length: Number(values['gait-episodes']) }, (_, i) => mixSeed(Number(values['eval-seed']), i));
const stressSeedList = stressSeeds({ episodes: Number(values['stress-episodes']), seed: Number(values['stress-seed']), maxSteps: 1000 });
console.log(`joint limits: ${nRandom} random-action episodes; gaits over ${evalSeeds.length} nominal 1000-step episodes and ${stressSeedList.length} per condition (${[...STRESS].join(', ')})`);
for (const [name, s] of Object.entries(worlds)) {
  if (nRandom > 0) {
    const r = randomActions(s, nRandom);
    console.log(`${name}: random actions ${pct(r)}, ${r.terminated}/${nRandom} episodes terminated`);
  }
  for (const path of gaits) {
    const g = basename(dirname(path)) || path;
    const nominal = gait(s, path, {}, evalSeeds);
    const rows = stressConditions.map((c) => ({ c, r: gait(s, path, c, stressSeedList) }));
    const all: Limits = { worst: Math.max(...rows.map((x) => x.r.worst)), past5: rows.reduce((a, x) => a + x.r.past5, 0), jointSteps: rows.reduce((a, x) => a + x.r.jointSteps, 0) };
    console.log(`${name}: ${g} nominal ${pct(nominal)}, ${nominal.distance.toFixed(1)} m, ${nominal.falls} falls; conditions ${pct(all)} (${rows.map((x) => `${x.c.name} ${x.r.worst.toFixed(2)}°/${x.r.past5}`).join(', ')})`);
  }
}
