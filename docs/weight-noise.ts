/**
 * How flat is a trained gait? Runs each policy on nominal episodes with every hidden weight
 * multiplied by (1 + eps N(0, 1)), a fresh draw of the noise per repeat, and prints the distance
 * kept (% of the unperturbed network's on the same episodes). The readout is left as trained,
 * so SNNs and MLPs are perturbed alike: their hidden weight matrices (W_in and W_rec of an SNN,
 * every hidden layer's W of an MLP), multiplicatively, so the noise is the same relative size
 * in networks of other weight scales. With `RUN:no-alpha` a plastic network runs with every
 * alpha at 0 (its weights without plasticity).
 *
 *   node --import tsx docs/weight-noise.ts RUN[:no-alpha] ... [--eps 0.1,0.2,0.3] [--draws 5] [--episodes 4] [--max-steps 1000] [--best]
 */
import { parseArgs } from 'node:util';
import { ACT_SIZE, OBS_SIZE } from '../envs/ant-sim.ts';
import { Rng } from '../core/rng.ts';
import { policyLayout, withoutPlasticity } from '../policies/index.ts';
import { evaluatePolicy } from '../src/evaluate.ts';
import { loadPolicy } from '../src/policy-source.ts';
import { meanCI } from '../src/stats.ts';
import { RolloutPool } from '../workers/pool.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    eps: { type: 'string', default: '0.1,0.2,0.3' },
    draws: { type: 'string', default: '5' },
    episodes: { type: 'string', default: '4' },
    'max-steps': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '5' },
    workers: { type: 'string', default: '0' },
    best: { type: 'boolean', default: false },
  },
});
const levels = values.eps.split(',').map(Number);
const draws = Number(values.draws);
const episodes = Number(values.episodes);
const maxSteps = Number(values['max-steps']);
const seed = Number(values.seed);
if (positionals.length === 0) throw new Error('usage: docs/weight-noise.ts RUN[:no-alpha] ... (see the header)');
if (levels.some((e) => !(e >= 0)) || !(draws >= 1) || !(episodes >= 1) || !(maxSteps >= 1)) throw new Error('--eps must be numbers >= 0; --draws, --episodes, --max-steps whole numbers >= 1');

/** The hidden weight matrices: what the noise perturbs. */
const isHiddenWeight = (name: string) => /^hidden\d+\.W_(in|rec)$/.test(name) || /^layer\d+\.W$/.test(name);

const pool = new RolloutPool({ threads: Number(values.workers) });
console.log(`Distance kept under multiplicative noise on the hidden weights: ${episodes} nominal episodes of ${maxSteps} steps (seed ${seed}), ${draws} draws per level; mean over draws ± 95% interval, % of the unperturbed distance.\n`);
console.log(`| policy | unperturbed (m) | ${levels.map((e) => `eps ${e}`).join(' | ')} |`);
console.log(`|---|---|${levels.map(() => '---').join('|')}|`);
try {
  for (const arg of positionals) {
    const [path, mode] = arg.split(':') as [string, string | undefined];
    if (mode !== undefined && mode !== 'no-alpha') throw new Error(`${arg}: the only mode is :no-alpha`);
    const policy = loadPolicy(path, { checkpoint: !values.best });
    const slices = policyLayout(policy.policy, OBS_SIZE, ACT_SIZE);
    let base: Float64Array;
    try {
      base = mode === 'no-alpha' ? withoutPlasticity(slices, policy.params) : Float64Array.from(policy.params);
    } catch (e) {
      throw new Error(`${arg}: ${(e as Error).message}`);
    }
    const distance = async (params: Float64Array) => (await evaluatePolicy({ ...policy, params }, { episodes, maxSteps, seed }, pool)).distanceMean;
    const clean = await distance(base);
    const cells: string[] = [];
    for (const eps of levels) {
      const kept: number[] = [];
      for (let d = 0; d < draws; d++) {
        const rng = new Rng(seed * 1000 + d);
        const q = Float64Array.from(base);
        for (const s of slices) if (isHiddenWeight(s.name)) for (let i = s.offset; i < s.offset + s.length; i++) q[i] = q[i]! * (1 + eps * rng.normal());
        kept.push((100 * (await distance(q))) / clean);
      }
      const s = meanCI(kept);
      cells.push(`${s.mean.toFixed(0)} ± ${s.ci95.toFixed(0)}`);
    }
    console.log(`| ${arg} | ${clean.toFixed(1)} | ${cells.join(' | ')} |`);
  }
} finally {
  await pool.close();
}
