/**
 * The stress test: a trained policy on every condition of a suite, the same episode seeds
 * for each, reported as mean return and forward distance with 95% confidence intervals and
 * the degradation relative to nominal. Runs on the rollout backend, so the same seeds give
 * the same report whatever the number of workers.
 */
import { mixSeed } from '../core/rng.ts';
import { describeCondition, type Condition } from '../envs/conditions.ts';
import type { Suite } from '../envs/suites.ts';
import type { RolloutBackend } from '../workers/pool.ts';
import type { RolloutTask } from '../workers/types.ts';
import { ANT_IO, simOf, type PolicyFile } from './train/policy-file.ts';
import { simWorld } from '../envs/sim-settings.ts';
import { episodeFigures, meanCI, type EpisodeFigures } from './stats.ts';
import { hasPlasticity, isPlastic, policyLayout } from '../policies/index.ts';

export interface StressOptions {
  episodes: number;
  seed: number;
  maxSteps: number;
}

export interface ConditionResult extends EpisodeFigures {
  name: string;
  description: string;
  /** Episodes that ended by falling. */
  falls: number;
  /** The worst joint-limit violation of any episode (degrees past a joint's range), and the joint-steps more than 5° past one. */
  limitWorst: number;
  limitPast5: number;
  /** For a condition with `onset`: the distance covered after it struck, per episode and summarised. */
  onsetStep: number | [number, number] | null;
  onsetDistances: number[] | null;
  onsetDistanceMean: number | null;
  onsetDistanceCI95: number | null;
  /** Against nominal's distance over the same part of the episode (when nominal has the same onset). */
  onsetDistanceDegradationPct: number | null;
  /** (nominal − this) / |nominal| in percent; positive means worse. */
  returnDegradationPct: number | null;
  distanceDegradationPct: number | null;
  /** With an onset: mean distance (m) in each third of the steps from the onset to the step limit. */
  onsetThirdsMean?: [number, number, number] | null;
  /** Speed recovery: last third's distance over the first third's (1 = kept its speed after the onset). */
  speedRecovery?: number | null;
  /** With an onset: distance (m) in each third after it, per episode (absent in earlier reports). */
  onsetThirds?: [number, number, number][] | null;
  /** Last third's distance minus the first third's (m), over the episodes, with its 95% interval: above 0, the speed picked up after the onset. */
  speedChangeMean?: number | null;
  speedChangeCI95?: number | null;
  /** With an onset and a plastic policy: the same, with plasticity frozen at the onset. */
  frozen?: FrozenResult | null;
  /**
   * Adaptation index (m), per episode and summarised: (distance after the onset − the same
   * with plasticity frozen at the onset) on this condition, minus that difference on nominal
   * with the same onset and episode seed. Above 0: plasticity after the onset helps more on
   * this body than it does on the nominal body, i.e. the network adapts to the change.
   */
  adaptation?: number[] | null;
  adaptationMean?: number | null;
  adaptationCI95?: number | null;
}

export interface FrozenResult {
  onsetDistances: number[];
  onsetDistanceMean: number;
  onsetDistanceCI95: number;
  onsetThirdsMean: [number, number, number];
  speedRecovery: number | null;
  onsetThirds?: [number, number, number][];
  speedChangeMean?: number;
  speedChangeCI95?: number;
}

export interface StressReport {
  format: 'propamine-stress';
  version: 1;
  suite: string;
  policy: string;
  /** Which center of the run was evaluated (e.g. "the latest checkpoint's center, generation 60"); absent in earlier reports. */
  source?: string;
  episodes: number;
  seed: number;
  maxSteps: number;
  episodeSeeds: number[];
  conditions: ConditionResult[];
}

/** The episode seeds of a stress test: the same for every condition. */
export function stressSeeds(o: StressOptions): number[] {
  return Array.from({ length: o.episodes }, (_, e) => mixSeed(o.seed, 0x57e55, e));
}

const NOMINAL_NAME = 'nominal';

/** A condition that changes nothing (an onset alone changes nothing). */
function isNominal(c: Condition): boolean {
  const { onset: _, ...rest } = c;
  return describeCondition(rest) === 'nominal';
}

/** Nominal first: added when the suite lacks a condition without changes. */
export function withNominal(suite: Suite): Condition[] {
  const nominal = suite.conditions.find(isNominal);
  if (!nominal) return [{ name: NOMINAL_NAME }, ...suite.conditions];
  return [nominal, ...suite.conditions.filter((c) => c !== nominal)];
}

function degradation(nominal: number, v: number): number | null {
  if (!Number.isFinite(nominal) || Math.abs(nominal) < 1e-9) return null;
  return (100 * (nominal - v)) / Math.abs(nominal);
}

/**
 * A gait that collapsed after the onset: it covered more than 1 m in the first third after it,
 * and less than half of that in the last third (from an episode's thirds after the onset).
 */
export function collapsed([first, , last]: readonly number[]): boolean {
  return first! > 1 && last! < 0.5 * first!;
}

/** At most this many metres forward in a third after the onset: the gait stopped (`stopped`). */
export const STOP_M = 1;
/** At least this many metres forward in a later third: it walks again (`stopped`). */
export const WALKS_AGAIN_M = 5;

/**
 * Whether an episode's gait stopped after the onset (a third covering at most STOP_M forward),
 * and if so whether it walks again (a later third covering WALKS_AGAIN_M or more), from its
 * thirds after the onset: 'walking' when no third stops.
 */
export function stopped(thirds: readonly number[]): 'walking' | 'stopped' | 'walks again' {
  const first = thirds.findIndex((d) => d <= STOP_M);
  if (first < 0) return 'walking';
  return thirds.slice(first + 1).some((d) => d >= WALKS_AGAIN_M) ? 'walks again' : 'stopped';
}

/**
 * The report's fields for the thirds after the onset: the mean distance per third, the last third
 * over the first (null unless the first went forward), the thirds per episode, and the last third
 * minus the first, per episode, summarised.
 */
function thirds(flat: ArrayLike<number>): Pick<FrozenResult, 'onsetThirdsMean' | 'speedRecovery'> & Required<Pick<FrozenResult, 'onsetThirds' | 'speedChangeMean' | 'speedChangeCI95'>> {
  const n = flat.length / 3;
  const onsetThirds = Array.from({ length: n }, (_, e): [number, number, number] => [flat[3 * e]!, flat[3 * e + 1]!, flat[3 * e + 2]!]);
  const m: [number, number, number] = [0, 0, 0];
  for (const ep of onsetThirds) for (let t = 0; t < 3; t++) m[t] += ep[t]! / n;
  const change = meanCI(onsetThirds.map(([a, , c]) => c - a));
  return { onsetThirdsMean: m, speedRecovery: m[0] > 1e-9 ? m[2] / m[0] : null, onsetThirds, speedChangeMean: change.mean, speedChangeCI95: change.ci95 };
}

export async function runStress(policy: PolicyFile, policyName: string, suite: Suite, o: StressOptions, backend: RolloutBackend, source?: string): Promise<StressReport> {
  const seeds = stressSeeds(o);
  const conditions = withNominal(suite);
  const task = (condition: Condition, index: number, freezeAtOnset: boolean): RolloutTask => ({
    index, runId: 'stress', generation: 0, center: policy.params, scale: null, members: [{ seed: 0, sign: 0 }],
    policy: policy.policy, world: { maxSteps: o.maxSteps, ...simWorld(simOf(policy)) }, episodes: seeds.map((seed) => ({ seed, condition })),
    normalizer: policy.normalizer, collectObsStats: false, ...(freezeAtOnset ? { freezeAtOnset } : {}),
  });
  // A plastic policy also runs every condition with an onset with its plasticity frozen there
  // (not one whose every alpha is 0: frozen or not, it is the same network).
  const plastic = isPlastic(policy.policy) && hasPlasticity(policyLayout(policy.policy, ANT_IO.obsSize, ANT_IO.actSize), policy.params);
  const frozenOf = plastic ? conditions.map((c, i) => (c.onset === undefined ? -1 : i)).filter((i) => i >= 0) : [];
  const tasks = [...conditions.map((c, i) => task(c, i, false)), ...frozenOf.map((ci, k) => task(conditions[ci]!, conditions.length + k, true))];
  const all = await backend.runAll(tasks);
  const results = all.slice(0, conditions.length);
  const frozenResults = new Map(frozenOf.map((ci, k) => [ci, all[conditions.length + k]!]));
  const rows = results.map((r, i) => {
    const c = conditions[i]!;
    const returns = Array.from(r.returns);
    const distances = Array.from(r.distances);
    const steps = Array.from(r.steps);
    const onsetDistances = c.onset === undefined ? null : Array.from(r.onsetDistances);
    const after = onsetDistances ? meanCI(onsetDistances) : null;
    const row: ConditionResult = {
      name: c.name ?? describeCondition(c), description: describeCondition(c), ...episodeFigures(returns, distances, steps),
      falls: steps.filter((s) => s < o.maxSteps).length, limitWorst: Math.max(0, ...r.limitWorst), limitPast5: r.limitPast5.reduce((a, b) => a + b, 0), returnDegradationPct: null, distanceDegradationPct: null,
      onsetStep: c.onset ?? null, onsetDistances, onsetDistanceMean: after?.mean ?? null, onsetDistanceCI95: after?.ci95 ?? null, onsetDistanceDegradationPct: null,
    };
    if (c.onset !== undefined) {
      Object.assign(row, thirds(r.onsetThirds));
      const fr = frozenResults.get(i);
      if (fr) {
        const d = Array.from(fr.onsetDistances);
        const s = meanCI(d);
        row.frozen = { onsetDistances: d, onsetDistanceMean: s.mean, onsetDistanceCI95: s.ci95, ...thirds(fr.onsetThirds) };
      } else row.frozen = null;
    }
    return row;
  });
  const nominal = rows[0]!;
  for (const row of rows) {
    row.returnDegradationPct = degradation(nominal.returnMean, row.returnMean);
    row.distanceDegradationPct = degradation(nominal.distanceMean, row.distanceMean);
    const sameOnset = JSON.stringify(row.onsetStep) === JSON.stringify(nominal.onsetStep);
    if (row.onsetDistanceMean !== null && nominal.onsetDistanceMean !== null && sameOnset) {
      row.onsetDistanceDegradationPct = degradation(nominal.onsetDistanceMean, row.onsetDistanceMean);
    }
    if (row.frozen && nominal.frozen && sameOnset) {
      const gain = (x: ConditionResult, e: number) => x.onsetDistances![e]! - x.frozen!.onsetDistances[e]!;
      row.adaptation = seeds.map((_, e) => gain(row, e) - gain(nominal, e));
      const a = meanCI(row.adaptation);
      row.adaptationMean = a.mean;
      row.adaptationCI95 = a.ci95;
    } else if (row.onsetStep !== null) {
      row.adaptation = null;
      row.adaptationMean = null;
      row.adaptationCI95 = null;
    }
  }
  return { format: 'propamine-stress', version: 1, suite: suite.name, policy: policyName, ...(source !== undefined ? { source } : {}), episodes: o.episodes, seed: o.seed, maxSteps: o.maxSteps, episodeSeeds: seeds, conditions: rows };
}

const f = (v: number | null, d = 1) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(d));

/** The report as a Markdown table (also what the CLI prints). */
export function stressMarkdown(r: StressReport): string {
  const onset = r.conditions.some((c) => c.onsetDistanceMean !== null);
  const after = (c: ConditionResult) => (c.onsetDistanceMean === null
    ? ' — | — |'
    : ` ${f(c.onsetDistanceMean, 2)} ± ${f(c.onsetDistanceCI95, 2)} | ${f(c.onsetDistanceDegradationPct)}% |`);
  const lines = [
    `Stress test of ${r.policy}${r.source !== undefined ? ` (${r.source})` : ''} on suite "${r.suite}": ${r.episodes} episodes per condition, ${r.maxSteps} steps, seed ${r.seed}.`,
    '',
    `| condition | return (± 95% CI) | distance m (± 95% CI) | return degradation | distance degradation |${onset ? ' distance after onset m (± 95% CI) | its degradation |' : ''} falls | worst joint-limit violation (joint-steps past 5°) |`,
    `|---|---|---|---|---|${onset ? '---|---|' : ''}---|---|`,
    ...r.conditions.map((c) => `| ${c.name} | ${f(c.returnMean)} ± ${f(c.returnCI95)} | ${f(c.distanceMean, 2)} ± ${f(c.distanceCI95, 2)} | ${f(c.returnDegradationPct)}% | ${f(c.distanceDegradationPct)}% |${onset ? after(c) : ''} ${c.falls}/${c.returns.length} | ${f(c.limitWorst, 2)}° (${c.limitPast5}) |`),
  ];
  const rec = r.conditions.filter((c) => c.onsetThirdsMean);
  if (rec.length > 0) {
    const plastic = rec.some((c) => c.frozen);
    const thirdsOf = (t: readonly number[]) => t.map((v) => f(v, 2)).join(' / ');
    lines.push(
      '',
      `After the onset${plastic ? ', as trained and with plasticity frozen at the onset' : ''}: distance (m) per third of the remaining steps, speed recovery (last third / first third) and speed change (last third − first third per episode, m, ± 95% CI; above 0: faster at the end)${plastic ? '; adaptation index = (as trained − frozen) on the condition − the same on nominal, per episode (m, ± 95% CI; above 0: plasticity helps more on this body than on the nominal one)' : ''}.`,
      '',
      `| condition | thirds after onset (m) | speed recovery | speed change (m, ± 95% CI) |${plastic ? ' frozen: distance after onset (m) | frozen: thirds (m) | frozen: speed recovery | adaptation index (m, ± 95% CI) |' : ''}`,
      `|---|---|---|---|${plastic ? '---|---|---|---|' : ''}`,
      ...rec.map((c) => {
        const change = typeof c.speedChangeMean === 'number' ? `${f(c.speedChangeMean, 2)} ± ${f(c.speedChangeCI95 ?? null, 2)}` : '—';
        const base = `| ${c.name} | ${thirdsOf(c.onsetThirdsMean!)} | ${f(c.speedRecovery ?? null, 2)} | ${change} |`;
        if (!plastic) return base;
        const fr = c.frozen;
        const idx = c.adaptationMean === null || c.adaptationMean === undefined ? '—' : `${f(c.adaptationMean, 2)} ± ${f(c.adaptationCI95 ?? null, 2)}`;
        return fr ? `${base} ${f(fr.onsetDistanceMean, 2)} ± ${f(fr.onsetDistanceCI95, 2)} | ${thirdsOf(fr.onsetThirdsMean)} | ${f(fr.speedRecovery, 2)} | ${idx} |` : `${base} — | — | — | — |`;
      }),
    );
  }
  return lines.join('\n') + '\n';
}
