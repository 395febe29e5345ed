/**
 * Stress reports of several policies side by side. The reports must come from one suite run on
 * the same episodes (seed, episode count, step limit), so every condition compares the policies
 * on common random numbers: each episode is the same draw for all of them, and the difference
 * between two policies is taken per episode (a paired interval).
 */
import { parseIn } from '../core/schema.ts';
import { readJsonFile } from './fsutil.ts';
import { mcnemarExact, meanCI, sideOfZero } from './stats.ts';
import { asStressReport, StressReportSchema } from './stress-report.ts';
import { collapsed, stopped, STOP_M, WALKS_AGAIN_M, type ConditionResult, type StressReport } from './stress.ts';

export interface LabelledReport {
  /** The column heading. */
  label: string;
  /** Where the report was read from (named in errors). */
  file: string;
  report: StressReport;
}

export interface ComparedCell {
  mean: number;
  ci95: number;
  /** Against the first report, per episode: this − first (null in the first column). */
  pairedMean: number | null;
  pairedCI95: number | null;
}

export interface ComparedCondition {
  name: string;
  /** One per report, in order. */
  cells: ComparedCell[];
  /** The report with the highest mean (ties: the first of them). */
  farthest: number;
}

export interface ComparedPolicy {
  label: string;
  file: string;
  source: string | null;
  nominal: number;
  /** Mean over the conditions after the first (nominal). */
  heldOutMean: number;
  /** Held-out conditions on which this report has the highest mean. */
  farthestOn: number;
  /** Against the first report, paired: held-out conditions with the interval of the difference above 0, and below 0 (null for the first). */
  ahead: number | null;
  behind: number | null;
  /** Held-out conditions with the adaptation index's interval above 0 and below 0 (null: no index in the report). */
  indexAbove: number | null;
  indexBelow: number | null;
  /** Held-out conditions with a speed recovery of 1 or more (null: no onsets). */
  recovered: number | null;
  /** Held-out conditions whose speed change after the onset (last third − first) is above / below 0, interval excluding 0 (null: reports without it). */
  speedUp: number | null;
  slowDown: number | null;
  /** Held-out episodes whose gait collapsed after the onset (`collapsed`), of how many (null: reports without per-episode thirds). */
  collapses: { episodes: number; asTrained: number; frozen: Paired | null } | null;
  /** Held-out episodes whose gait stopped after the onset, and of those how many walk again (`stopped`), as trained and frozen at the onset (null: reports without per-episode thirds). */
  stops: { episodes: number; stopped: number; walkAgain: number; frozen: { stopped: number; walkAgain: number } | null } | null;
}

/** The same episodes with plasticity frozen at the onset: collapses there, and the discordant pairs with McNemar's exact p. */
export interface Paired {
  collapses: number;
  onlyAsTrained: number;
  onlyFrozen: number;
  p: number;
}

export interface StressComparison {
  suite: string;
  episodes: number;
  seed: number;
  maxSteps: number;
  /** The distance after the onset (true) or over the whole episode (false: the suite has no onsets). */
  afterOnset: boolean;
  conditions: ComparedCondition[];
  policies: ComparedPolicy[];
}

/** Reads a stress report written by `propamine stress`; anything else is reported with the file and the field. */
export function readStressReport(path: string): StressReport {
  return asStressReport(parseIn(StressReportSchema, readJsonFile(path, 'stress report'), `stress report ${path}`));
}

/** The figure compared: the distance after the onset where the condition has one, else the whole episode's. */
function figure(c: ConditionResult): number[] {
  return c.onsetDistances ?? c.distances;
}

/** Throws unless every report ran the first's suite on the same episodes. */
function checkComparable(rs: readonly LabelledReport[]): void {
  const first = rs[0]!;
  const hint = 'compare reports of one suite run with the same --seed, --episodes and --max-steps';
  for (const r of rs.slice(1)) {
    const differs = (what: string, a: unknown, b: unknown) => new Error(`${r.file}: ${what} ${JSON.stringify(b)} differs from ${first.file}'s ${JSON.stringify(a)}: ${hint}`);
    const a = first.report;
    const b = r.report;
    if (a.suite !== b.suite) throw differs('suite', a.suite, b.suite);
    if (a.maxSteps !== b.maxSteps) throw differs('maxSteps', a.maxSteps, b.maxSteps);
    if (JSON.stringify(a.episodeSeeds) !== JSON.stringify(b.episodeSeeds)) throw differs('episodes (seed, count)', [a.seed, a.episodes], [b.seed, b.episodes]);
    const names = (x: StressReport) => x.conditions.map((c) => c.name);
    if (JSON.stringify(names(a)) !== JSON.stringify(names(b))) throw differs('conditions', names(a), names(b));
    a.conditions.forEach((c, i) => {
      const d = b.conditions[i]!;
      if ((c.onsetDistances === null) !== (d.onsetDistances === null)) throw differs(`condition "${c.name}"'s onset`, c.onsetStep, d.onsetStep);
    });
  }
}

/** The reports side by side: per condition, per policy, and the first against each other, paired by episode. */
export function compareStress(rs: readonly LabelledReport[]): StressComparison {
  if (rs.length < 2) throw new Error('a comparison needs two stress reports or more');
  checkComparable(rs);
  const first = rs[0]!.report;
  const conditions: ComparedCondition[] = first.conditions.map((c0, ci) => {
    const base = figure(c0);
    const cells = rs.map((r, k): ComparedCell => {
      const xs = figure(r.report.conditions[ci]!);
      const s = meanCI(xs);
      if (k === 0) return { mean: s.mean, ci95: s.ci95, pairedMean: null, pairedCI95: null };
      const d = meanCI(xs.map((x, e) => x - base[e]!));
      return { mean: s.mean, ci95: s.ci95, pairedMean: d.mean, pairedCI95: d.ci95 };
    });
    let farthest = 0;
    cells.forEach((c, k) => { if (c.mean > cells[farthest]!.mean) farthest = k; });
    return { name: c0.name, cells, farthest };
  });
  const held = conditions.slice(1);
  const policies = rs.map((r, k): ComparedPolicy => {
    const hc = r.report.conditions.slice(1);
    const withIndex = hc.filter((c) => typeof c.adaptationMean === 'number' && typeof c.adaptationCI95 === 'number');
    const withRecovery = hc.filter((c) => typeof c.speedRecovery === 'number');
    const withChange = hc.filter((c) => typeof c.speedChangeMean === 'number' && typeof c.speedChangeCI95 === 'number');
    const paired = held.map((c) => c.cells[k]!);
    const [ahead, behind] = k === 0 ? [null, null] : bySide(paired.map((c) => [c.pairedMean!, c.pairedCI95!]));
    const [indexAbove, indexBelow] = withIndex.length ? bySide(withIndex.map((c) => [c.adaptationMean!, c.adaptationCI95!])) : [null, null];
    const [speedUp, slowDown] = withChange.length ? bySide(withChange.map((c) => [c.speedChangeMean!, c.speedChangeCI95!])) : [null, null];
    return {
      label: r.label, file: r.file, source: r.report.source ?? null,
      nominal: conditions[0]!.cells[k]!.mean,
      heldOutMean: held.length ? held.reduce((a, c) => a + c.cells[k]!.mean, 0) / held.length : NaN,
      farthestOn: held.filter((c) => c.farthest === k).length,
      ahead, behind, indexAbove, indexBelow,
      recovered: withRecovery.length ? withRecovery.filter((c) => c.speedRecovery! >= 1).length : null,
      speedUp, slowDown,
      collapses: collapseCounts(hc),
      stops: stopCounts(hc),
    };
  });
  return {
    suite: first.suite, episodes: first.episodes, seed: first.seed, maxSteps: first.maxSteps,
    afterOnset: first.conditions.some((c) => c.onsetDistances !== null), conditions, policies,
  };
}

/** How many intervals (mean, ci95) lie above 0, and how many below. */
function bySide(intervals: readonly (readonly [number, number])[]): [number, number] {
  const sides = intervals.map(([mean, ci95]) => sideOfZero(mean, ci95));
  return [sides.filter((x) => x === 1).length, sides.filter((x) => x === -1).length];
}

/** Stops and restarts over the held-out conditions' episodes (`stopped`), as trained and, when every condition has them, frozen at the onset. */
export function stopCounts(held: readonly ConditionResult[]): ComparedPolicy['stops'] {
  if (held.length === 0 || !held.every((c) => c.onsetThirds)) return null;
  const tally = (thirds: readonly (readonly number[])[]) => {
    const kinds = thirds.map(stopped);
    return { stopped: kinds.filter((k) => k !== 'walking').length, walkAgain: kinds.filter((k) => k === 'walks again').length };
  };
  const live = tally(held.flatMap((c) => c.onsetThirds!));
  const frozen = held.every((c) => c.frozen?.onsetThirds) ? tally(held.flatMap((c) => c.frozen!.onsetThirds!)) : null;
  return { episodes: held.reduce((n, c) => n + c.onsetThirds!.length, 0), ...live, frozen };
}

/** Collapses over the held-out conditions' episodes, and against the frozen runs episode by episode when every condition has them. */
function collapseCounts(held: readonly ConditionResult[]): ComparedPolicy['collapses'] {
  if (held.length === 0 || !held.every((c) => c.onsetThirds)) return null;
  const live = held.flatMap((c) => c.onsetThirds!.map(collapsed));
  const asTrained = live.filter(Boolean).length;
  if (!held.every((c) => c.frozen?.onsetThirds)) return { episodes: live.length, asTrained, frozen: null };
  const frozen = held.flatMap((c) => c.frozen!.onsetThirds!.map(collapsed));
  const onlyAsTrained = live.filter((x, e) => x && !frozen[e]).length;
  const onlyFrozen = frozen.filter((y, e) => y && !live[e]).length;
  return { episodes: live.length, asTrained, frozen: { collapses: frozen.filter(Boolean).length, onlyAsTrained, onlyFrozen, p: mcnemarExact(onlyAsTrained, onlyFrozen) } };
}

const f = (v: number | null, d = 1) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(d));
const signed = (v: number, d = 1) => (v >= 0 ? '+' : '') + v.toFixed(d);

/** The comparison as Markdown (what `propamine stress --compare` prints). */
export function comparisonMarkdown(c: StressComparison): string {
  const head = `| condition | ${c.policies.map((p) => p.label).join(' | ')} |`;
  const rule = `|---|${c.policies.map(() => '---|').join('')}`;
  const n = c.conditions.length - 1;
  const what = c.afterOnset ? 'distance after the onset' : 'distance';
  const cell = (x: ComparedCell, k: number, best: boolean) => {
    const v = `${f(x.mean)} ± ${f(x.ci95)}`;
    const paired = k === 0 || x.pairedMean === null ? '' : ` (${signed(x.pairedMean)} ± ${f(x.pairedCI95)})`;
    return best ? `**${v}**${paired}` : `${v}${paired}`;
  };
  const row = (label: string, values: string[]) => `| ${label} | ${values.join(' | ')} |`;
  const count = (v: number | null) => (v === null ? '—' : `${v} of ${n}`);
  const lines = [
    `Stress reports compared on suite "${c.suite}": ${c.episodes} episodes per condition, ${c.maxSteps} steps, seed ${c.seed}, the same episodes for every policy.`,
    `Per condition: ${what} (m, ± 95% CI), bold the farthest; in brackets, the difference from ${c.policies[0]!.label} on the same episodes (± 95% CI).`,
    '',
    head,
    rule,
    ...c.conditions.map((x) => row(x.name, x.cells.map((y, k) => cell(y, k, k === x.farthest)))),
    '',
    `| over the ${n} conditions after ${c.conditions[0]!.name} | ${c.policies.map((p) => p.label).join(' | ')} |`,
    rule,
    row(`mean ${what} (m)`, c.policies.map((p) => f(p.heldOutMean))),
    row('farthest on', c.policies.map((p) => `${p.farthestOn} of ${n}`)),
    row(`against ${c.policies[0]!.label}: ahead / behind (interval excludes 0)`, c.policies.map((p) => (p.ahead === null ? '—' : `${p.ahead} / ${p.behind}`))),
  ];
  if (c.policies.some((p) => p.indexAbove !== null)) {
    lines.push(row('adaptation index above 0 / below 0', c.policies.map((p) => (p.indexAbove === null ? '—' : `${p.indexAbove} / ${p.indexBelow}`))));
  }
  if (c.policies.some((p) => p.recovered !== null)) lines.push(row('speed recovery 1 or more', c.policies.map((p) => count(p.recovered))));
  if (c.policies.some((p) => p.speedUp !== null)) lines.push(row('speed change after the onset above 0 / below 0 (last third − first, interval excludes 0)', c.policies.map((p) => (p.speedUp === null ? '—' : `${p.speedUp} / ${p.slowDown}`))));
  if (c.policies.some((p) => p.collapses !== null)) {
    lines.push(row('episodes whose gait collapses after the onset (last third under half the first)', c.policies.map((p) => (p.collapses === null ? '—' : `${p.collapses.asTrained} of ${p.collapses.episodes}`))));
    if (c.policies.some((p) => p.collapses?.frozen)) {
      lines.push(row('the same with plasticity frozen at the onset; only as trained / only frozen (McNemar exact p)', c.policies.map((p) => {
        const z = p.collapses?.frozen;
        return z ? `${z.collapses}; ${z.onlyAsTrained} / ${z.onlyFrozen} (p ${z.p.toPrecision(2)})` : '—';
      })));
    }
  }
  if (c.policies.some((p) => p.stops !== null)) {
    lines.push(row(`episodes whose gait stops after the onset (a third of ${STOP_M} m or less), and of those walk again (a later third of ${WALKS_AGAIN_M} m or more)`, c.policies.map((p) => (p.stops === null ? '—' : `${p.stops.stopped} of ${p.stops.episodes}, ${p.stops.walkAgain}`))));
    if (c.policies.some((p) => p.stops?.frozen)) lines.push(row('the same with plasticity frozen at the onset', c.policies.map((p) => (p.stops?.frozen ? `${p.stops.frozen.stopped}, ${p.stops.frozen.walkAgain}` : '—'))));
  }
  lines.push('', ...c.policies.map((p) => `- ${p.label}: ${p.file}${p.source !== null ? `, ${p.source}` : ''}`));
  return lines.join('\n') + '\n';
}
