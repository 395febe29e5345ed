/**
 * The side panel's episode part: a table of the replays on stage (condition, return,
 * distance, and the values at the frame shown) and two charts over the episode (reward
 * terms, forward distance and speed) with a marker at the frame shown and a dashed line at
 * the onset of a condition that strikes mid-episode.
 */
import type uPlot from 'uplot';
import type { Replay } from '../../envs/replay.ts';
import { createChart, type Chart } from './charts.ts';
import { forwardProgress } from './data.ts';

export const ANT_COLORS = ['#2563b8', '#7b3fa0'];
const TERM_COLORS: Record<string, string> = { healthy: '#2f9e44', forward: '#1971c2', ctrl: '#868e96', contact: '#a0522d' };

/** Per-replay series derived once per selection. */
export interface Derived {
  total: Float64Array;
  cumulative: Float64Array;
  distance: Float64Array;
  speed: Float64Array;
}

export function derive(r: Replay): Derived {
  const total = new Float64Array(r.frames);
  for (const v of Object.values(r.terms)) for (let f = 0; f < r.frames; f++) total[f]! += v[f]!;
  const cumulative = new Float64Array(r.frames);
  for (let f = 1; f < r.frames; f++) cumulative[f] = cumulative[f - 1]! + total[f]!;
  return { total, cumulative, ...forwardProgress(r) };
}

export function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

function padded(a: ArrayLike<number>, n: number): (number | null)[] {
  const out: (number | null)[] = new Array(n).fill(null);
  for (let i = 0; i < Math.min(n, a.length); i++) out[i] = a[i]!;
  return out;
}

/**
 * One line per distinct onset of the replays on stage, at the first frame under the
 * condition (labelled with the replays it belongs to when A and B differ).
 */
export function onsetLines(replays: Replay[], dt: number): Array<{ x: number; label: string }> {
  const at = replays.map((r) => r.onsetFrame);
  const distinct = [...new Set(at.filter((f): f is number => f !== undefined))];
  return distinct.map((f) => ({ x: f * dt, label: distinct.length > 1 ? `onset ${at.map((g, i) => (g === f ? 'AB'[i] : '')).join('')}` : 'onset' }));
}

type Row = [name: string, get: (r: Replay, d: Derived, f: number, i: number) => string, big?: boolean];

const ROWS: Row[] = [
  ['condition', (r) => r.conditionText],
  ['generation · seed', (r) => `${r.meta.generation ?? '–'} · ${r.meta.episodeSeed}`],
  ['return', (r) => fmt(r.summary.return, 1), true],
  ['forward distance', (r) => `${fmt(r.summary.distance)} m`],
  ['steps', (r) => `${r.summary.steps}${r.summary.terminated ? ' (fell)' : ''}`],
  ['return so far', (_r, d, f) => fmt(d.cumulative[Math.min(f, d.cumulative.length - 1)]!, 1)],
  ['distance now', (_r, d, f) => `${fmt(d.distance[Math.min(f, d.distance.length - 1)]!)} m`],
  ['speed now', (_r, d, f) => `${fmt(d.speed[Math.min(f, d.speed.length - 1)]!)} m/s`],
];

export class EpisodePanel {
  private replays: Replay[] = [];
  private derived: Derived[] = [];
  private runNames: string[] = [];
  private charts: Chart[] = [];

  constructor(
    private readonly table: HTMLTableSectionElement,
    private readonly host: HTMLElement,
    /** The frame and time on stage, for the charts' markers. */
    private readonly marker: () => number,
    private readonly onExport: (name: string, blob: Blob) => void,
  ) {}

  /** The replays on stage (A first), the runs they come from ('' to leave the row out), frames and dt of the clock. */
  show(replays: Replay[], runNames: string[], frames: number, dt: number): void {
    this.replays = replays;
    this.derived = replays.map(derive);
    this.runNames = runNames;
    this.buildCharts(frames, dt);
    this.showFrame(0);
  }

  /** The episode charts, for export. */
  get chartList(): Chart[] {
    return this.charts;
  }

  showFrame(f: number): void {
    // In a folder of runs the first row says which run each replay comes from.
    const rows: Row[] = this.runNames.some((n) => n) ? [['run', (_r, _d, _f, i) => this.runNames[i] ?? ''], ...ROWS] : ROWS;
    this.table.replaceChildren(
      ...rows.map(([name, get, big]) => {
        const tr = document.createElement('tr');
        const th = document.createElement('td');
        th.textContent = name;
        tr.appendChild(th);
        for (let i = 0; i < 2; i++) {
          const td = document.createElement('td');
          const r = this.replays[i];
          if (r) td.textContent = get(r, this.derived[i]!, f, i);
          if (big) td.className = 'big';
          tr.appendChild(td);
        }
        return tr;
      }),
    );
    for (const c of this.charts) c.redrawMarker();
  }

  private buildCharts(n: number, dt: number): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    if (this.replays.length === 0) return;
    const xs = Array.from({ length: n }, (_, f) => f * dt);
    const a = this.replays[0]!;
    const names = Object.keys(a.terms);
    const termSeries = names.map((k, i) => ({ label: `A ${k}`, color: TERM_COLORS[k] ?? ['#e8590c', '#0c8599', '#6741d9'][i % 3]! }));
    const termData: uPlot.AlignedData = [xs, ...names.map((k) => padded(a.terms[k]!, n)), padded(this.derived[0]!.total, n)];
    const series = [...termSeries, { label: 'A total', color: '#1f2933', width: 2 }];
    if (this.replays[1]) {
      series.push({ label: 'B total', color: ANT_COLORS[1]!, width: 2, dash: [5, 4] } as (typeof series)[number]);
      termData.push(padded(this.derived[1]!.total, n));
    }
    const marker = this.marker;
    const onExport = this.onExport;
    const onsets = onsetLines(this.replays, dt);
    this.charts.push(createChart(this.host, { title: 'Reward terms per step, over time (s)', xLabel: 'time (s)', xTitle: false, yLabel: 'reward', series, marker, onsets, height: 135, onExport }, termData));
    const progSeries = this.replays.map((_, i) => ({ label: `${'AB'[i]} distance`, color: ANT_COLORS[i]!, width: 2, scale: 'y' as const }));
    const speedSeries = this.replays.map((_, i) => ({ label: `${'AB'[i]} speed`, color: ANT_COLORS[i]!, width: 1, dash: [3, 3], scale: 'y2' as const }));
    const progData: uPlot.AlignedData = [xs, ...this.derived.map((d) => padded(d.distance, n)), ...this.derived.map((d) => padded(d.speed, n))];
    this.charts.push(
      createChart(this.host, { title: 'Forward distance and speed, over time (s)', xLabel: 'time (s)', xTitle: false, yLabel: 'distance (m)', y2Label: 'speed (m/s)', series: [...progSeries, ...speedSeries], marker, onsets, height: 135, onExport }, progData),
    );
  }
}
