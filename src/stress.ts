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
import type { PolicyFile } from './train/policy-file.ts';
import { episodeFigures, meanCI, type EpisodeFigures } from './stats.ts';

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
}

export interface StressReport {
  format: 'propamine-stress';
  version: 1;
  suite: string;
  policy: string;
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

export async function runStress(policy: PolicyFile, policyName: string, suite: Suite, o: StressOptions, backend: RolloutBackend): Promise<StressReport> {
  const seeds = stressSeeds(o);
  const conditions = withNominal(suite);
  const tasks: RolloutTask[] = conditions.map((condition, index) => ({
    index, runId: 'stress', generation: 0, center: policy.params, scale: null, members: [{ seed: 0, sign: 0 }],
    policy: policy.policy, world: { maxSteps: o.maxSteps }, episodes: seeds.map((seed) => ({ seed, condition })),
    normalizer: policy.normalizer, collectObsStats: false,
  }));
  const results = await backend.runAll(tasks);
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
  }
  return { format: 'propamine-stress', version: 1, suite: suite.name, policy: policyName, episodes: o.episodes, seed: o.seed, maxSteps: o.maxSteps, episodeSeeds: seeds, conditions: rows };
}

const f = (v: number | null, d = 1) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(d));

/** The report as a Markdown table (also what the CLI prints). */
export function stressMarkdown(r: StressReport): string {
  const onset = r.conditions.some((c) => c.onsetDistanceMean !== null);
  const after = (c: ConditionResult) => (c.onsetDistanceMean === null
    ? ' — | — |'
    : ` ${f(c.onsetDistanceMean, 2)} ± ${f(c.onsetDistanceCI95, 2)} | ${f(c.onsetDistanceDegradationPct)}% |`);
  const lines = [
    `Stress test of ${r.policy} on suite "${r.suite}": ${r.episodes} episodes per condition, ${r.maxSteps} steps, seed ${r.seed}.`,
    '',
    `| condition | return (± 95% CI) | distance m (± 95% CI) | return degradation | distance degradation |${onset ? ' distance after onset m (± 95% CI) | its degradation |' : ''} falls | worst joint-limit violation (joint-steps past 5°) |`,
    `|---|---|---|---|---|${onset ? '---|---|' : ''}---|---|`,
    ...r.conditions.map((c) => `| ${c.name} | ${f(c.returnMean)} ± ${f(c.returnCI95)} | ${f(c.distanceMean, 2)} ± ${f(c.distanceCI95, 2)} | ${f(c.returnDegradationPct)}% | ${f(c.distanceDegradationPct)}% |${onset ? after(c) : ''} ${c.falls}/${c.returns.length} | ${f(c.limitWorst, 2)}° (${c.limitPast5}) |`),
  ];
  return lines.join('\n') + '\n';
}
