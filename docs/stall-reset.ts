/**
 * Is a stall after damage a state of the network or of the body? Replays a `heldout-onset`
 * stress report's damaged episodes (its policy's latest center, its episode seeds) twice: as
 * they ran, and identically but with the policy's state reset as the last third after the onset
 * begins (membranes, traces, H, modulator: what `policy.reset()` zeroes at an episode's start;
 * the body is left as it is). Counts the episodes that stalled in the middle third (at most 1 m
 * forward) and, of those, how many walk again (5 m or more) in the last third, either way. An
 * MLP has no state to reset: its two runs are the same, a check of the replay.
 *
 * With `--swap OTHER --condition NAME`: on that condition only, the last third is run by
 * another trained policy instead (its center and observation statistics, from a fresh state),
 * e.g. a network trained on that damaged body from the reset: whether the ant can walk out of
 * the stall at all, given other weights.
 *
 * With `--alpha-scale X` (a plastic policy): instead of a reset, every alpha times X as the last
 * third begins, the network's state kept: whether stronger plasticity, acting from there on the
 * H the stall has built, frees it.
 *
 * The runs as they ran must give the report's thirds: checked, episode by episode.
 *
 *   node --import tsx docs/stall-reset.ts RUN RUN/stress/heldout-onset.json
 *   node --import tsx docs/stall-reset.ts RUN REPORT.json --swap CEILING_RUN --condition 'heavy leg (front_left ×3)'
 */
import { parseArgs } from 'node:util';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { ACT_SIZE, OBS_SIZE } from '../envs/ant-sim.ts';
import { getBuiltinSuite } from '../envs/suites.ts';
import { createPolicy, policyLayout } from '../policies/index.ts';
import { simWorld } from '../envs/sim-settings.ts';
import { normalizeObs } from '../workers/rollout.ts';
import { RunDir } from '../src/train/run-dir.ts';
import { readStressReport } from '../src/stress-compare.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { swap: { type: 'string' }, condition: { type: 'string' }, 'alpha-scale': { type: 'string' } } });
const [runPath, reportPath] = positionals;
if (!runPath || !reportPath || (values.swap === undefined) !== (values.condition === undefined)) throw new Error('usage: docs/stall-reset.ts RUN REPORT.json [--swap OTHER_RUN --condition NAME]');
const report = readStressReport(reportPath);
const dir = RunDir.open(runPath);
const config = dir.readConfig();
const file = dir.loadCenterPolicy();
const suite = getBuiltinSuite(report.suite);
const R = await loadRapier();
const policy = createPolicy(file.policy, OBS_SIZE, ACT_SIZE);
policy.setParams(file.params);
const swapFile = values.swap === undefined ? null : RunDir.open(values.swap).loadCenterPolicy();
const swapPolicy = swapFile && createPolicy(swapFile.policy, OBS_SIZE, ACT_SIZE);
swapPolicy?.setParams(swapFile!.params);
const alphaScale = values['alpha-scale'] === undefined ? null : Number(values['alpha-scale']);
if (alphaScale !== null && !(alphaScale >= 0)) throw new Error(`--alpha-scale must be a number >= 0 (got ${values['alpha-scale']})`);
// The genome with every alpha times X (genome scales are linear, so the decoded alpha scales alike).
const scaledParams = Float64Array.from(file.params);
if (alphaScale !== null) {
  const alphas = policyLayout(file.policy, OBS_SIZE, ACT_SIZE).filter((sl) => /\.alpha_(in|rec)$/.test(sl.name));
  if (!alphas.length) throw new Error(`--alpha-scale: ${runPath} has no plasticity`);
  for (const sl of alphas) for (let i = sl.offset; i < sl.offset + sl.length; i++) scaledParams[i]! *= alphaScale;
}

/** The thirds after the onset of one episode; with `resetAtLastThird`, the policy's state is zeroed as the last third begins. */
function thirds(condition: (typeof suite.conditions)[number], seed: number, resetAtLastThird: boolean): [number, number, number] {
  const world = new AntWorld(R, { maxSteps: report.maxSteps, ...simWorld(config.sim) });
  const normObs = new Float64Array(OBS_SIZE);
  try {
    let [acting, norm] = [policy, file.normalizer];
    acting.setParams(file.params);
    acting.reset(seed);
    let obs = world.reset([{ seed, condition }]);
    const ant = world.ants[0]!;
    const span = report.maxSteps - ant.onset;
    const ends = [ant.onset + Math.floor(span / 3), ant.onset + Math.floor((2 * span) / 3)];
    const at: number[] = [];
    while (!world.done[0]) {
      if (resetAtLastThird && world.steps === ends[1]) {
        if (alphaScale !== null) acting.setParams(scaledParams);
        else {
          if (swapPolicy) [acting, norm] = [swapPolicy, swapFile!.normalizer];
          acting.reset(seed);
        }
      }
      normalizeObs(obs.subarray(0, OBS_SIZE), norm, normObs);
      world.step(acting.act(normObs).subarray(0, ACT_SIZE));
      acting.observeReward?.(world.rewards[0]!);
      obs = world.obs;
      if (ends.includes(world.steps)) at.push(ant.distanceSinceOnset());
    }
    const after = ant.distanceSinceOnset();
    const [a = after, b = after] = at;
    return [a, b - a, after - b];
  } finally {
    world.close();
  }
}

let stalled = 0;
let again = 0;
let againReset = 0;
let episodes = 0;
const rows: string[] = [];
for (const c of report.conditions) {
  if (c.name === 'nominal' || (values.condition !== undefined && c.name !== values.condition)) continue;
  const condition = suite.conditions.find((x) => x.name === c.name);
  if (!condition) throw new Error(`${reportPath}: condition ${c.name} is not in the suite ${suite.name}`);
  let s = 0, a = 0, ar = 0;
  report.episodeSeeds.forEach((seed, e) => {
    const asRan = thirds(condition, seed, false);
    const expected = c.onsetThirds![e]!;
    if (asRan.some((x, i) => Math.abs(x - expected[i]!) > 1e-6)) throw new Error(`${c.name} episode ${e}: thirds ${asRan.join(', ')} but the report has ${expected.join(', ')}`);
    episodes++;
    if (asRan[1] > 1) return;
    s++;
    if (asRan[2] >= 5) a++;
    if (thirds(condition, seed, true)[2] >= 5) ar++;
  });
  stalled += s;
  again += a;
  againReset += ar;
  rows.push(`| ${c.name} | ${s} | ${a} | ${ar} |`);
}
const other = alphaScale !== null ? `alpha × ${alphaScale}` : values.swap === undefined ? "the policy's state reset" : `${values.swap} taking over`;
console.log(`${report.policy} (${reportPath}): ${episodes} damaged episodes, ${stalled} stalled in the middle third after the onset; walking again in the last third: ${again} as they ran, ${againReset} with ${other} as it begins`);
console.log(`| condition | stalled | walk again | walk again, ${other} |`);
console.log('|---|---|---|---|');
for (const r of rows) console.log(r);
