/**
 * Learning curves of the runs chosen in the run list, overlaid: one metric (mean, best or
 * test return, test distance) against generations, environment steps or wall time. Runs
 * that differ only by seed can be drawn as one curve: their mean with the band from their
 * lowest to their highest value. One run alone is drawn as before: mean and best per
 * generation and the center's test returns.
 */
import type { MetricsRecord, RunSummary } from './data.ts';
import { createPlot, type LineSeries, type Plot } from './plot.ts';

export type XAxis = 'generation' | 'steps' | 'time';
export type Metric = 'returnMean' | 'returnMax' | 'testReturn' | 'testDistance';

export const METRIC_LABELS: Record<Metric, string> = { returnMean: 'mean return', returnMax: 'best return', testReturn: 'test return (center)', testDistance: 'test distance (m)' };
const X_LABELS: Record<XAxis, string> = { generation: 'generation', steps: 'environment steps', time: 'wall time (s)' };

export const PALETTE = ['#1971c2', '#e8590c', '#2f9e44', '#7b3fa0', '#c2255c', '#0c8599', '#a0522d', '#5f3dc4', '#868e96', '#d9480f', '#087f5b', '#364fc7'];

export interface CurveRun {
  run: RunSummary;
  records: MetricsRecord[];
}

function xOf(r: MetricsRecord, axis: XAxis): number {
  if (axis === 'generation') return r.generation;
  if (axis === 'steps') return r.totalSteps ?? NaN;
  return r.wallTime ?? NaN;
}

function yOf(r: MetricsRecord, m: Metric): number {
  const v = r[m];
  return typeof v === 'number' ? v : NaN;
}

/** The config without what differs between seeds of one setting: a group key. */
export function settingKey(config: Record<string, unknown> | null, path: string): string {
  if (!config) return `run:${path}`;
  const { name: _n, seed: _s, outDir: _o, workers: _w, membersPerTask: _m, init: _i, ...rest } = config;
  return JSON.stringify(rest);
}

/** A series with NaN where a run has no value, interpolated onto `grid` inside the run's own x range. */
function onGrid(xs: number[], ys: number[], grid: number[]): number[] {
  const pts = xs.map((x, i) => [x, ys[i]!] as [number, number]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const out: number[] = [];
  let j = 0;
  for (const g of grid) {
    while (j < pts.length - 1 && pts[j + 1]![0] < g) j++;
    const a = pts[j];
    const b = pts[j + 1];
    if (!a || g < pts[0]![0] || g > pts[pts.length - 1]![0]) out.push(NaN);
    else if (!b || a[0] === g || b[0] === a[0]) out.push(a[0] === g || !b ? a[1] : b[1]);
    else out.push(a[1] + ((b[1] - a[1]) * (g - a[0])) / (b[0] - a[0]));
  }
  return out;
}

/** Mean and spread of runs of one setting, on a common x grid. */
export function aggregate(curves: CurveRun[], axis: XAxis, metric: Metric): { x: number[]; mean: number[]; lo: number[]; hi: number[] } {
  const series = curves.map((c) => {
    // Sparse metrics (tests every few generations) are aggregated over the generations that have them.
    const recs = c.records.filter((r) => Number.isFinite(yOf(r, metric)));
    return { xs: recs.map((r) => xOf(r, axis)), ys: recs.map((r) => yOf(r, metric)) };
  });
  let grid: number[];
  if (axis === 'generation') grid = [...new Set(series.flatMap((s) => s.xs))].sort((a, b) => a - b);
  else {
    const all = series.flatMap((s) => s.xs).filter(Number.isFinite);
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const n = 200;
    grid = all.length ? Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1)) : [];
  }
  const cols = series.map((s) => (axis === 'generation' ? grid.map((g) => {
    const i = s.xs.indexOf(g);
    return i < 0 ? NaN : s.ys[i]!;
  }) : onGrid(s.xs, s.ys, grid)));
  const mean: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  grid.forEach((_, i) => {
    const vals = cols.map((c) => c[i]!).filter(Number.isFinite);
    // Where only some seeds reach (a run still training), the mean would jump: show only where all have a value.
    if (vals.length < cols.length || vals.length === 0) {
      mean.push(NaN);
      lo.push(NaN);
      hi.push(NaN);
      return;
    }
    mean.push(vals.reduce((a, b) => a + b, 0) / vals.length);
    lo.push(Math.min(...vals));
    hi.push(Math.max(...vals));
  });
  return { x: grid, mean, lo, hi };
}

export interface TrainingOptions {
  axis: XAxis;
  metric: Metric;
  groupSeeds: boolean;
}

/** The lines of the training chart for the chosen runs. */
export function trainingLines(curves: CurveRun[], o: TrainingOptions): LineSeries[] {
  if (curves.length === 1) {
    const { records } = curves[0]!;
    const x = records.map((r) => xOf(r, o.axis));
    return [
      { label: 'mean', color: '#1971c2', width: 2, x, y: records.map((r) => r.returnMean) },
      { label: 'max', color: '#2f9e44', width: 1.5, x, y: records.map((r) => r.returnMax) },
      { label: 'test', color: '#e8590c', points: true, x, y: records.map((r) => yOf(r, 'testReturn')) },
    ];
  }
  const groups = new Map<string, CurveRun[]>();
  for (const c of curves) {
    const key = o.groupSeeds ? settingKey(c.run.config, c.run.path) : c.run.path;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const lines: LineSeries[] = [];
  let k = 0;
  for (const members of groups.values()) {
    const color = PALETTE[k++ % PALETTE.length]!;
    const sparse = o.metric === 'testReturn' || o.metric === 'testDistance';
    if (members.length === 1) {
      const recs = members[0]!.records.filter((r) => !sparse || Number.isFinite(yOf(r, o.metric)));
      lines.push({ label: members[0]!.run.name, color, width: 1.5, x: recs.map((r) => xOf(r, o.axis)), y: recs.map((r) => yOf(r, o.metric)) });
      continue;
    }
    const agg = aggregate(members, o.axis, o.metric);
    const base = members[0]!.run.name.replace(/[-_]?s\d+$/, '') || members[0]!.run.name;
    lines.push({ label: `${base} ×${members.length} seeds (band: min–max)`, color, width: 2, x: agg.x, y: agg.mean, band: { lo: agg.lo, hi: agg.hi } });
  }
  return lines;
}

export class TrainingChart {
  private plot: Plot | null = null;
  private curves: CurveRun[] = [];
  readonly options: TrainingOptions = { axis: 'generation', metric: 'returnMean', groupSeeds: true };

  constructor(
    private readonly host: HTMLElement,
    /** The generation to mark (replay A's), when its run is on the chart. */
    private readonly marker: () => { run: string; generation: number } | null,
    private readonly onExport: (name: string, blob: Blob) => void,
  ) {}

  setCurves(curves: CurveRun[]): void {
    this.curves = curves;
    this.render();
  }

  get lineCount(): number {
    return this.plot?.spec().lines?.length ?? 0;
  }

  yTicks(): string[] {
    return this.plot?.yTicks() ?? [];
  }

  render(): void {
    const withData = this.curves.filter((c) => c.records.length > 0);
    if (withData.length === 0) {
      this.plot?.destroy();
      this.plot = null;
      return;
    }
    const o = this.options;
    const single = withData.length === 1;
    const m = this.marker();
    const markerGen = m && o.axis === 'generation' && withData.some((c) => c.run.path === m.run) ? m.generation : null;
    const lines = trainingLines(withData, o);
    const spec = {
      title: single ? `Training: return per ${X_LABELS[o.axis]}` : `Training: ${METRIC_LABELS[o.metric]}, ${withData.length} runs`,
      xLabel: X_LABELS[o.axis],
      yLabel: single ? 'return' : METRIC_LABELS[o.metric],
      lines,
      marker: markerGen,
      markerLabel: markerGen !== null ? 'A' : undefined,
      height: single ? 180 : 240,
    };
    if (this.plot) this.plot.update(spec);
    else this.plot = createPlot(this.host, spec, this.onExport);
  }
}
