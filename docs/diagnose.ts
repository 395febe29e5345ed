/**
 * Why does (or doesn't) plasticity help? For each run of the adaptation experiment, runs its
 * best policy on the held-out suite twice on the same episodes: as trained, and with
 * plasticity ablated (every alpha set to 0, so W_eff = W and H has no effect), and reports:
 *
 *  - forward distance as trained and ablated (what plasticity contributes, per condition);
 *  - hidden firing rate (spikes per neuron per SNN step) and the share of silent neurons;
 *  - the plastic term's size: mean |alpha ⊙ H| / mean |W| at the end of episodes, and the
 *    share of H entries at the clip;
 *  - the modulator M_t: mean, standard deviation over the episode, share of steps with |M| > 0.01;
 *  - within-episode adaptation: forward speed in windows of 50 control steps, as trained and
 *    ablated, averaged over the damaged-body conditions.
 *
 * Static SNNs and MLPs get the distances and speed curves without the ablation. With
 * `--suite heldout-onset` the conditions strike at step 100, so the speed curves show the
 * gait before the damage, the drop, and any recovery; and plastic networks run a third
 * time with plasticity frozen at the onset (H held at the values it had when the damage
 * struck). If plasticity adapts the gait to the damage, the frozen network loses more
 * after the onset on damaged bodies than on the nominal one.
 *
 *   node --import tsx docs/diagnose.ts [runs/experiment] [--episodes 3] [--max-steps 300] [--suite heldout] > docs/diagnosis.md
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { ACT_SIZE, OBS_SIZE } from '../envs/ant-sim.ts';
import { getBuiltinSuite } from '../envs/suites.ts';
import { createPolicy } from '../policies/index.ts';
import { SnnPolicy } from '../policies/snn.ts';
import { loadPolicyFile, simOf } from '../src/train/policy-file.ts';
import { simWorld, type SimSettings } from '../envs/sim-settings.ts';
import { normalizeObs } from '../workers/rollout.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { suite: { type: 'string', default: 'heldout' }, episodes: { type: 'string', default: '3' }, 'max-steps': { type: 'string', default: '300' }, window: { type: 'string', default: '50' } } });
const root = positionals[0] ?? 'runs/experiment';
const episodes = Number(values.episodes);
const maxSteps = Number(values['max-steps']);
const win = Number(values.window);
const R = await loadRapier();
const suite = getBuiltinSuite(values.suite);
const damaged = new Set(suite.conditions.filter((c) => c.massScale || c.legLength || c.jointDamage).map((c) => c.name));
if (damaged.size === 0) throw new Error(`suite ${suite.name} has no damaged-body condition to draw speed curves for`);

interface EpisodeStats { distance: number; afterOnset: number; curve: number[]; rate: number; silent: number; plasticRatio: number; atClip: number; mMean: number; mStd: number; mActive: number }

function runEpisode(policy: ReturnType<typeof createPolicy>, norm: Parameters<typeof normalizeObs>[1], sim: SimSettings, condition: (typeof suite.conditions)[number], seed: number, freezeAtOnset = false): EpisodeStats {
  const world = new AntWorld(R, { maxSteps, ...simWorld(sim) });
  const normObs = new Float64Array(OBS_SIZE);
  const actions = new Float64Array(ACT_SIZE);
  policy.reset();
  let obs = world.reset([{ seed, condition }]);
  const curve: number[] = [];
  let lastX = 0;
  let step = 0;
  let mSum = 0, mSq = 0, mActive = 0;
  const snn = policy instanceof SnnPolicy ? policy : null;
  try {
    while (!world.done[0]) {
      if (freezeAtOnset && snn && step === world.ants[0]!.onset) snn.freezePlasticity();
      normalizeObs(obs.subarray(0, OBS_SIZE), norm, normObs);
      actions.set(policy.act(normObs));
      world.step(actions);
      obs = world.obs;
      step++;
      if (snn) {
        const M = snn.layers[0]!.M;
        mSum += M;
        mSq += M * M;
        if (Math.abs(M) > 0.01) mActive++;
      }
      if (step % win === 0) {
        const x = world.ants[0]!.distance();
        curve.push((x - lastX) / (win * 0.05));
        lastX = x;
      }
    }
    const distance = world.ants[0]!.distance();
    const afterOnset = world.ants[0]!.distanceSinceOnset();
    let rate = 0, silent = 0, plasticRatio = 0, atClip = 0;
    if (snn) {
      const layer = snn.layers[0]!;
      layer.flushPending();
      rate = layer.spikeCount / Math.max(1, layer.steps * layer.n);
      // Silent neurons need per-neuron counts; the layer's spike trace r stays 0 for them.
      silent = 0;
      for (let i = 0; i < layer.n; i++) if (layer.lif.r[i]! < 1e-6) silent++;
      silent /= layer.n;
      if (layer.plastic) {
        let ah = 0, w = 0, clip = 0, count = 0;
        const pairs: [Float32Array, Float32Array, Float32Array][] = [[layer.Hin, layer.alphaIn, layer.Win], [layer.Hrec, layer.alphaRec, layer.Wrec]];
        for (const [H, alpha, W] of pairs) {
          for (let k = 0; k < H.length; k++) {
            ah += Math.abs(alpha[k]! * H[k]!);
            w += Math.abs(W[k]!);
            if (Math.abs(H[k]!) >= layer.clip * 0.999) clip++;
          }
          count += H.length;
        }
        plasticRatio = ah / Math.max(1e-12, w);
        atClip = clip / Math.max(1, count);
      }
    }
    const n = Math.max(1, step);
    return { distance, afterOnset, curve, rate, silent, plasticRatio, atClip, mMean: mSum / n, mStd: Math.sqrt(Math.max(0, mSq / n - (mSum / n) ** 2)), mActive: mActive / n };
  } finally {
    world.close();
  }
}

const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);
const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const runs = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'best.json'))).sort() : [];
const out: string[] = [];
const summary: string[] = ['| run | firing rate | silent neurons | \\|αH\\|/\\|W\\| | H at clip | M mean ± std | steps with \\|M\\|>0.01 | distance trained (m) | distance ablated (m) | plasticity adds |', '|---|---|---|---|---|---|---|---|---|---|'];
const curves: string[] = [];
const nominalCurves: string[] = [];
const frozenRows: string[] = [];
const perCondition: string[] = [];
for (const run of runs) {
  const file = loadPolicyFile(join(root, run, 'best.json'));
  const policy = createPolicy(file.policy, OBS_SIZE, ACT_SIZE);
  const params = Float64Array.from(file.params);
  const ablated = Float64Array.from(params);
  let plasticNumbers = 0;
  for (const s of policy.layout()) {
    if (/\.alpha_(in|rec)$/.test(s.name)) {
      ablated.fill(0, s.offset, s.offset + s.length);
      plasticNumbers += s.length;
    }
  }
  const stats: { cond: string; a: EpisodeStats; b: EpisodeStats; frozen: EpisodeStats | null }[] = [];
  for (const condition of suite.conditions) {
    for (let e = 0; e < episodes; e++) {
      policy.setParams(params);
      const a = runEpisode(policy, file.normalizer, simOf(file), condition, 5000 + e);
      let b = a;
      let frozen: EpisodeStats | null = null;
      if (plasticNumbers) {
        policy.setParams(ablated);
        b = runEpisode(policy, file.normalizer, simOf(file), condition, 5000 + e);
        if (condition.onset !== undefined) {
          policy.setParams(params);
          frozen = runEpisode(policy, file.normalizer, simOf(file), condition, 5000 + e, true);
        }
      }
      stats.push({ cond: condition.name!, a, b, frozen });
    }
  }
  const A = stats.map((s) => s.a);
  const dA = mean(A.map((s) => s.distance));
  const dB = mean(stats.map((s) => s.b.distance));
  const snnCell = (text: string) => (file.policy.type === 'snn' ? text : '—');
  summary.push(`| ${run} | ${snnCell(f(mean(A.map((s) => s.rate)), 3))} | ${snnCell(`${f(100 * mean(A.map((s) => s.silent)), 0)}%`)} | ${plasticNumbers ? f(mean(A.map((s) => s.plasticRatio)), 3) : '—'} | ${plasticNumbers ? `${f(100 * mean(A.map((s) => s.atClip)), 0)}%` : '—'} | ${snnCell(`${f(mean(A.map((s) => s.mMean)), 3)} ± ${f(mean(A.map((s) => s.mStd)), 3)}`)} | ${snnCell(`${f(100 * mean(A.map((s) => s.mActive)), 0)}%`)} | ${f(dA)} | ${plasticNumbers ? f(dB) : '—'} | ${plasticNumbers ? `${f(dA - dB)} m` : '—'} |`);
  const pair = (a: number, b: number) => (plasticNumbers ? `${f(a)} / ${f(b)}` : f(a));
  const cells = suite.conditions.map((c) => {
    const s = stats.filter((x) => x.cond === c.name);
    return pair(mean(s.map((x) => x.a.distance)), mean(s.map((x) => x.b.distance)));
  });
  perCondition.push(`| ${run} | ${cells.join(' | ')} |`);
  const dmg = stats.filter((x) => damaged.has(x.cond));
  // Curves are cut to the shortest episode (one that fell ends early), on both bodies alike.
  const nominal = stats.filter((x) => x.cond === suite.conditions[0]!.name);
  const len = Math.min(...[...dmg, ...nominal].map((x) => Math.min(x.a.curve.length, x.b.curve.length)));
  const ca = Array.from({ length: len }, (_, i) => mean(dmg.map((x) => x.a.curve[i]!)));
  const cb = Array.from({ length: len }, (_, i) => mean(dmg.map((x) => x.b.curve[i]!)));
  const cn = Array.from({ length: len }, (_, i) => mean(nominal.map((x) => x.a.curve[i]!)));
  curves.push(`| ${run} | ${ca.map((v, i) => pair(v, cb[i]!)).join(' | ')} |`);
  if (stats.some((x) => x.frozen)) {
    // Distance after the onset: plastic throughout vs frozen at the onset, nominal vs damaged bodies vs all held-out.
    const avg = (xs: typeof stats, get: (x: (typeof stats)[number]) => number) => mean(xs.map(get));
    const held = stats.filter((x) => x.cond !== suite.conditions[0]!.name);
    const nP = avg(nominal, (x) => x.a.afterOnset), nF = avg(nominal, (x) => x.frozen!.afterOnset);
    const dP = avg(dmg, (x) => x.a.afterOnset), dF = avg(dmg, (x) => x.frozen!.afterOnset);
    const hP = avg(held, (x) => x.a.afterOnset), hF = avg(held, (x) => x.frozen!.afterOnset);
    const pct = (v: number, ref: number) => (ref > 0.5 ? `${f((100 * v) / ref, 0)}%` : '—');
    frozenRows.push(`| ${run} | ${f(nP)} / ${f(nF)} | ${f(dP)} / ${f(dF)} | ${f(hP)} / ${f(hF)} | ${pct(dP, nP)} / ${pct(dF, nF)} | ${pct(hP, nP)} / ${pct(hF, nF)} |`);
  }
  nominalCurves.push(`| ${run} | ${cn.map((v) => f(v)).join(' | ')} |`);
}
out.push(`Suite ${suite.name}, ${episodes} episodes of ${maxSteps} control steps per condition, same seeds for trained and ablated (all alpha = 0).`, '');
out.push(...summary, '');
out.push('Forward distance per condition, trained / ablated for plastic networks (m):', '');
out.push(`| run | ${suite.conditions.map((c) => c.name).join(' | ')} |`, `|---|${suite.conditions.map(() => '---').join('|')}|`, ...perCondition, '');
const nWin = Math.floor(maxSteps / win);
const header = [`| run | ${Array.from({ length: nWin }, (_, i) => `steps ${i * win}-${(i + 1) * win}`).join(' | ')} |`, `|---|${Array.from({ length: nWin }, () => '---').join('|')}|`];
out.push(`Within-episode forward speed on the damaged-body conditions, per ${win}-step window, trained / ablated for plastic networks (m/s):`, '');
out.push(...header, ...curves, '');
out.push(`The same on the nominal body (m/s):`, '');
out.push(...header, ...nominalCurves);
if (frozenRows.length) {
  out.push('', 'Distance after the onset (m), plastic throughout / plasticity frozen at the onset, and the share of the nominal distance kept:', '');
  out.push('| run | nominal | damaged bodies | all held-out | kept on damaged bodies | kept over all held-out |', '|---|---|---|---|---|---|', ...frozenRows);
}
console.log(out.join('\n'));
