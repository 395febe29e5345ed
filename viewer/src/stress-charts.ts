/**
 * Stress reports as charts, for the runs on the charts: per condition of a suite, distance
 * and return with their 95% intervals, the share of nominal's distance kept, and the
 * distance covered after the onset of a mid-episode change; and the forward speed around
 * the onset from the stress replays, so an adaptation (or its absence) is seen, not read.
 */
import type { Replay } from '../../envs/replay.ts';
import { forwardProgress, type RunSummary, type StressReport } from './data.ts';
import type { ErrorBar } from './errors.ts';
import { createPlot, type IntervalSeries, type LineSeries, type Plot, type PlotSpec } from './plot.ts';
import type { RunStore } from './store.ts';
import { PALETTE } from './training.ts';

/** Runs drawn at most per stress chart, and runs whose replays go on the onset chart. */
const MAX_RUNS = 8;
const MAX_ONSET_RUNS = 4;
/** Speed is averaged over this many seconds: per-frame speed swings with every stride. */
const SMOOTH_S = 1;

function smooth(v: Float64Array, n: number): Float64Array {
  const out = new Float64Array(v.length);
  let sum = 0;
  for (let i = 0; i < v.length; i++) {
    sum += v[i]!;
    if (i >= n) sum -= v[i - n]!;
    out[i] = sum / Math.min(i + 1, n);
  }
  return out;
}

/** Forward speed (m/s, averaged over the last second) against time from the onset (s). */
export function speedAroundOnset(r: Replay, onsetFrame: number): { x: number[]; y: number[] } {
  const { speed } = forwardProgress(r);
  const s = smooth(speed, Math.max(1, Math.round(SMOOTH_S / r.dt)));
  return { x: Array.from(s, (_, f) => (f - onsetFrame) * r.dt), y: Array.from(s) };
}

export interface StressState {
  suite: string | null;
  charts: string[];
  /** Whiskers drawn (conditions × runs with a value), over all interval charts. */
  intervals: number;
  onsetLines: number;
}

export class StressView {
  private plots: Plot[] = [];
  private token = 0;
  state: StressState = { suite: null, charts: [], intervals: 0, onsetLines: 0 };
  private readonly suiteSel: HTMLSelectElement;
  private readonly note: HTMLElement;
  private readonly host: HTMLElement;
  private runs: RunSummary[] = [];
  private readonly condSel: HTMLSelectElement;

  constructor(
    private readonly section: HTMLElement,
    private readonly store: RunStore,
    private readonly errors: ErrorBar,
    private readonly onExport: (name: string, blob: Blob) => void,
  ) {
    this.suiteSel = section.querySelector<HTMLSelectElement>('#stress-suite')!;
    this.condSel = section.querySelector<HTMLSelectElement>('#stress-cond')!;
    this.condSel.addEventListener('change', () => void this.load());
    this.note = section.querySelector<HTMLElement>('#stress-note')!;
    this.host = section.querySelector<HTMLElement>('#stress-charts')!;
    this.suiteSel.addEventListener('change', () => void this.load());
  }

  /** The runs on the charts; shows the suites their stress reports cover. */
  setRuns(runs: RunSummary[]): Promise<void> {
    this.runs = runs;
    const suites = [...new Set(runs.flatMap((r) => r.stress))].sort();
    const keep = this.suiteSel.value;
    this.suiteSel.replaceChildren(...suites.map((s) => Object.assign(document.createElement('option'), { value: s, textContent: s.replace(/\.json$/, '') })));
    if (suites.includes(keep)) this.suiteSel.value = keep;
    this.section.hidden = suites.length === 0;
    return this.load();
  }

  private clear(): void {
    for (const p of this.plots) p.destroy();
    this.plots = [];
  }

  async load(): Promise<void> {
    const token = ++this.token;
    const file = this.suiteSel.value;
    if (!file) {
      this.clear();
      this.state = { suite: null, charts: [], intervals: 0, onsetLines: 0 };
      return;
    }
    const withSuite = this.runs.filter((r) => r.stress.includes(file));
    const runs = withSuite.slice(0, MAX_RUNS);
    const loaded = await Promise.all(
      runs.map(async (run) => {
        const key = `stress:${run.path}/${file}`;
        try {
          const report = await this.store.stress(run.path, file);
          this.errors.set(key, null);
          return { run, report };
        } catch (e) {
          this.errors.set(key, (e as Error).message);
          return null;
        }
      }),
    );
    if (token !== this.token) return;
    const reports = loaded.filter((x): x is { run: RunSummary; report: StressReport } => x !== null);
    const suite = file.replace(/\.json$/, '');
    const cats: string[] = [];
    for (const { report } of reports) for (const c of report.conditions) if (!cats.includes(c.name)) cats.push(c.name);
    // The onset chart shows one condition (against nominal) for every run: all of them at once is a tangle.
    const struck = cats.filter((n) => reports.some(({ report }) => report.conditions.some((c) => c.name === n && c.onsetStep !== null && c.name !== 'nominal' && !/^nominal( from|$)/.test(c.description))));
    const keepCond = this.condSel.value;
    this.condSel.replaceChildren(...struck.map((n) => Object.assign(document.createElement('option'), { value: n, textContent: n })));
    if (struck.includes(keepCond)) this.condSel.value = keepCond;
    this.condSel.parentElement!.hidden = struck.length === 0;
    const onset = this.condSel.value ? await this.onsetLines(reports.slice(0, MAX_ONSET_RUNS).map((r) => r.run), suite, this.condSel.value) : [];
    if (token !== this.token) return;
    this.clear();
    const notes: string[] = [];
    if (withSuite.length > runs.length) notes.push(`The first ${runs.length} of ${withSuite.length} runs with this report are drawn.`);
    if (reports.length) {
      const r0 = reports[0]!.report;
      notes.push(`${r0.episodes} episodes per condition, ${r0.maxSteps} steps; whiskers: 95% intervals.`);
    }
    this.note.textContent = notes.join(' ');
    const series = (value: (c: StressReport['conditions'][number]) => number | null, ci: (c: StressReport['conditions'][number]) => number | null): IntervalSeries[] =>
      reports.map(({ run, report }, i) => {
        const byName = new Map(report.conditions.map((c) => [c.name, c]));
        return {
          label: run.name,
          color: PALETTE[i % PALETTE.length]!,
          value: cats.map((n) => (byName.has(n) ? value(byName.get(n)!) ?? NaN : NaN)),
          ci: cats.map((n) => (byName.has(n) ? ci(byName.get(n)!) ?? 0 : 0)),
        };
      });
    const specs: PlotSpec[] = [
      { title: `Stress ${suite}: forward distance (m) per condition`, xLabel: 'condition', yLabel: 'distance (m)', categories: cats, intervals: series((c) => c.distanceMean, (c) => c.distanceCI95), height: 230 },
      { title: `Stress ${suite}: return per condition`, xLabel: 'condition', yLabel: 'return', categories: cats, intervals: series((c) => c.returnMean, (c) => c.returnCI95), height: 230 },
      { title: `Stress ${suite}: distance kept (% of nominal)`, xLabel: 'condition', yLabel: '% of nominal', categories: cats, intervals: series((c) => (c.distanceDegradationPct === null ? null : 100 - c.distanceDegradationPct), () => 0), hline: 100, height: 230 },
    ];
    if (reports.some(({ report }) => report.conditions.some((c) => c.onsetDistanceMean !== null))) {
      specs.push({ title: `Stress ${suite}: distance after the onset (m)`, xLabel: 'condition', yLabel: 'distance (m)', categories: cats, intervals: series((c) => c.onsetDistanceMean, (c) => c.onsetDistanceCI95), height: 230 });
    }
    if (onset.length) {
      specs.push({ title: `Speed around the onset: ${this.condSel.value}`, xLabel: 'time from the onset (s); speed averaged over 1 s', yLabel: 'speed (m/s)', lines: onset, marker: 0, markerLabel: 'onset', height: 240 });
    }
    if (reports.length === 0) specs.length = 0;
    this.plots = specs.map((s) => createPlot(this.host, s, this.onExport));
    let intervals = 0;
    for (const s of specs) for (const it of s.intervals ?? []) for (let i = 0; i < it.value.length; i++) if (Number.isFinite(it.value[i]!)) intervals++;
    this.state = { suite, charts: specs.map((s) => s.title), intervals, onsetLines: onset.length };
  }

  /**
   * Speed around the onset of condition `cond` from each run's stress replays of `suite`
   * (`stress <suite>: <condition>` in the replay index), with the run's nominal replay
   * dashed and aligned at the same step: what the change did to the gait, run by run.
   */
  private async onsetLines(runs: RunSummary[], suite: string, cond: string): Promise<LineSeries[]> {
    const lines: LineSeries[] = [];
    const prefix = `stress ${suite}:`;
    for (const [i, run] of runs.entries()) {
      let entries;
      try {
        entries = (await this.store.index(run.path)).filter((e) => e.label.startsWith(prefix));
      } catch {
        continue;
      }
      const load = async (name: string): Promise<Replay | null> => {
        const e = entries.find((x) => x.label.slice(prefix.length).trim() === name);
        if (!e) return null;
        try {
          return await this.store.replay({ run: run.path, file: e.file });
        } catch (err) {
          this.errors.set(`stress-replay:${run.path}/${e.file}`, (err as Error).message);
          return null;
        }
      };
      const hit = await load(cond);
      if (!hit || hit.onsetFrame === undefined || hit.onsetFrame >= hit.frames) continue;
      const color = PALETTE[i % PALETTE.length]!;
      lines.push({ label: `${run.name}: ${cond}`, color, width: 1.8, ...speedAroundOnset(hit, hit.onsetFrame) });
      const nominal = await load('nominal');
      if (nominal) lines.push({ label: `${run.name}: nominal`, color, width: 1.2, dash: [5, 4], ...speedAroundOnset(nominal, hit.onsetFrame) });
    }
    return lines;
  }
}
