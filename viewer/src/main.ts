/**
 * The viewer page: a run, or a folder of runs, as served by `propamine view`. It lists the
 * runs, overlays their learning curves, puts one replay (or two side by side, from the same
 * run or from two runs) on stage, and drives the ants, the panel and the charts from one
 * playback clock. While runs train, the server's change events reload what changed.
 * URL parameters `a` and `b` name the replays on stage (`?a=gen0011-0.json&b=gen0011-1.json`;
 * in a folder of runs, after the run's path: `?a=base-s1/gen0020-0.json`); `play=0` opens paused.
 */
import type { Replay } from '../../envs/replay.ts';
import './style.css';
import { Controls, startLoop } from './controls.ts';
import { loadRuns, type RunSummary } from './data.ts';
import { ErrorBar } from './errors.ts';
import { installHook, samplePixels } from './hook.ts';
import { listen, type Changes } from './live.ts';
import { InternalsPanel } from './internals-panel.ts';
import { EpisodePanel } from './panel.ts';
import { defaultPair, Picker } from './picker.ts';
import { Player } from './player.ts';
import { RunList } from './runlist.ts';
import { AntsOnStage } from './scene.ts';
import { createStage } from './stage.ts';
import { StressView } from './stress-charts.ts';
import { parseRefKey, refKey, RunStore, type ReplayRef } from './store.ts';
import { TrainingChart, type Metric, type XAxis } from './training.ts';
import { VideoRecorder } from './video.ts';

const $ = <T extends HTMLElement>(sel: string) => document.querySelector<T>(sel)!;

const SKY: [number, number, number] = [0xdd, 0xe6, 0xee];
/** A folder with more runs than this opens with the first few on the charts, not all. */
const CHART_ALL_UP_TO = 24;
const CHART_FIRST = 8;

class Viewer {
  readonly store = new RunStore();
  readonly errors = new ErrorBar($('#error'));
  readonly stage = createStage($('#view'));
  readonly ants = new AntsOnStage(this.stage);
  readonly player = new Player();
  readonly controls = new Controls(this.player);
  readonly panel = new EpisodePanel($<HTMLTableSectionElement>('#stats tbody'), $('#episode-charts'), () => this.player.frame * this.player.dt, (name, blob) => this.exported(name, blob));
  readonly internals = new InternalsPanel($('#internals'), $('#internals-charts'), () => this.player.frame * this.player.dt, (name, blob) => this.exported(name, blob));
  readonly training = new TrainingChart($('#training-chart'), () => this.trainingMarker(), (name, blob) => this.exported(name, blob));
  readonly runList = new RunList($<HTMLDetailsElement>('#runs'), () => this.chartRuns());
  readonly stress = new StressView($('#stress'), this.store, this.errors, (name, blob) => this.exported(name, blob));
  readonly compareBox = $<HTMLInputElement>('#compare');
  readonly pickA = new Picker($('#pick-a'), this.store, () => void this.showSelection(), (m) => this.errors.set('index-a', m));
  readonly pickB = new Picker($('#pick-b'), this.store, () => void this.showSelection(), (m) => this.errors.set('index-b', this.compareBox.checked ? m : null));
  readonly video = new VideoRecorder(
    this.stage.renderer.domElement,
    this.player,
    () => this.stage.render(),
    () => this.labelTexts,
    (name, blob) => this.exported(name, blob),
    (m) => this.errors.set('video', m),
    (on) => {
      const b = $('#record');
      b.classList.toggle('on', on);
      b.setAttribute('aria-label', on ? 'stop recording' : 'record video');
    },
  );
  private labelTexts: string[] = [];
  ready = false;
  onStage: ReplayRef[] = [];
  replays: Replay[] = [];
  curveLengths: Record<string, number> = {};
  lastExport: { name: string; bytes: number } | null = null;
  private shownFrame = -1;
  private appliedTime = NaN;
  private loadToken = 0;
  private trainingToken = 0;

  constructor() {
    const ax = $<HTMLSelectElement>('#curve-x');
    const metric = $<HTMLSelectElement>('#curve-metric');
    const group = $<HTMLInputElement>('#curve-group');
    ax.addEventListener('change', () => {
      this.training.options.axis = ax.value as XAxis;
      this.training.render();
    });
    metric.addEventListener('change', () => {
      this.training.options.metric = metric.value as Metric;
      this.training.render();
    });
    group.addEventListener('change', () => {
      this.training.options.groupSeeds = group.checked;
      this.training.render();
    });
    $('#record').addEventListener('click', () => {
      if (this.video.recording) this.video.stop();
      else if (this.replays.length) this.video.start(this.onStage.map((r) => refKey(r).replace(/\.json$/, '')).join(' vs '));
    });
  }

  get single(): boolean {
    return this.store.listing.single;
  }

  exported(name: string, blob: Blob): void {
    this.lastExport = { name, bytes: blob.size };
  }

  private trainingMarker(): { run: string; generation: number } | null {
    const a = this.replays[0];
    const ref = this.onStage[0];
    return a && ref && a.meta.generation !== undefined ? { run: ref.run, generation: a.meta.generation } : null;
  }

  selectedRefs(): ReplayRef[] {
    const refs = [this.pickA.ref()];
    if (this.compareBox.checked) refs.push(this.pickB.ref());
    return refs.filter((r): r is ReplayRef => r !== null);
  }

  /** Puts the stage, panel and markers at the player's time; `force` after the ants changed. */
  applyTime(force = false): void {
    this.controls.updatePlayButton();
    const p = this.player;
    if (!force && p.time === this.appliedTime) return;
    this.appliedTime = p.time;
    this.ants.seek(p.time);
    const f = p.frame;
    if (f === this.shownFrame && !force) return;
    this.shownFrame = f;
    this.controls.showFrame(f);
    this.panel.showFrame(f);
    this.internals.showFrame();
  }

  async showSelection(): Promise<void> {
    const token = ++this.loadToken;
    const refs = this.selectedRefs();
    const url = new URL(location.href);
    url.searchParams.delete('a');
    url.searchParams.delete('b');
    if (refs[0]) url.searchParams.set('a', refKey(refs[0]));
    if (refs[1]) url.searchParams.set('b', refKey(refs[1]));
    history.replaceState(null, '', url);
    let replays: Replay[];
    try {
      replays = await Promise.all(refs.map((r) => this.store.replay(r)));
    } catch (e) {
      if (token !== this.loadToken) return;
      this.ants.clear();
      this.onStage = [];
      this.replays = [];
      this.player.reset(1, this.player.dt);
      this.player.playing = false;
      this.panel.show([], [], 1, this.player.dt);
      this.internals.show([], 1, this.player.dt);
      this.applyTime(true);
      this.errors.set('replay', (e as Error).message);
      return;
    }
    if (token !== this.loadToken) return;
    this.errors.set('replay', null);
    const wasPlaying = this.player.playing;
    this.onStage = refs;
    this.replays = replays;
    const crossRun = refs.length > 1 && refs[0]!.run !== refs[1]!.run;
    const runName = (r: ReplayRef) => this.store.run(r.run)?.name ?? r.run;
    this.labelTexts = replays.map((r, i) => `${'AB'[i]}: ${crossRun || (!this.single && i === 0) ? `${runName(refs[i]!)} · ` : ''}${r.conditionText}`);
    this.ants.put(replays, this.labelTexts);
    this.player.reset(Math.max(...replays.map((r) => r.frames), 1), replays[0]?.dt ?? this.player.dt);
    this.player.playing = wasPlaying;
    this.controls.setFrames(this.player.frames);
    this.panel.show(replays, this.single ? [] : refs.map(runName), this.player.frames, this.player.dt);
    this.internals.show(replays, this.player.frames, this.player.dt);
    this.applyTime(true);
    this.training.render();
  }

  /** The runs whose curves are on the chart: the one run, or those chosen in the list. */
  private chartedRuns(): RunSummary[] {
    return this.single ? this.store.listing.runs : this.runList.chosen();
  }

  async loadTraining(): Promise<void> {
    const token = ++this.trainingToken;
    const runs = this.chartedRuns();
    const note = $('#training-note');
    const results = await Promise.all(
      runs.map(async (run) => {
        try {
          const res = await this.store.metrics(run.path);
          this.errors.set(`metrics:${run.path}`, res.warnings.length ? res.warnings.join('\n') : null);
          return { run, records: res.records };
        } catch (e) {
          this.errors.set(`metrics:${run.path}`, (e as Error).message);
          return { run, records: [] };
        }
      }),
    );
    if (token !== this.trainingToken) return;
    this.curveLengths = Object.fromEntries(results.map((r) => [r.run.path, r.records.length]));
    const empty = results.filter((r) => r.records.length === 0 && !r.run.error).map((r) => (this.single ? 'metrics.jsonl' : `${r.run.name}/metrics.jsonl`));
    note.textContent = runs.length === 0 ? 'No run chosen: tick runs in the list above to chart them.' : empty.length ? `${empty.join(', ')} ${empty.length > 1 ? 'have' : 'has'} no generations yet.` : '';
    note.hidden = note.textContent === '';
    this.training.setCurves(results);
  }

  /** Puts the charted runs' curves and stress reports on the charts. */
  chartRuns(): void {
    void this.loadTraining();
    void this.stress.setRuns(this.chartedRuns());
  }

  /** Reloads the run list, and whatever is shown of the runs that changed. */
  async onChanges(c: Changes): Promise<void> {
    for (const r of c.runs) this.store.drop(r);
    try {
      this.store.listing = await loadRuns();
      this.errors.set('runs', null);
    } catch (e) {
      this.errors.set('runs', (e as Error).message);
    }
    this.showRuns(false);
    const changed = new Set(c.runs);
    const charted = this.chartedRuns().filter((r) => c.list || changed.has(r.path));
    if (charted.length) void this.loadTraining();
    // Stress charts are rebuilt only when a report may have changed, not at every generation.
    if (c.list || charted.some((r) => r.stress.length > 0)) void this.stress.setRuns(this.chartedRuns());
    let reselect = false;
    // Pickers on no run (a folder opened before its first run) move to the first run with replays.
    const listed = new Set(this.store.listing.runs.map((r) => r.path));
    const fallback = this.store.listing.runs.find((r) => r.replays)?.path;
    for (const pick of [this.pickA, this.pickB]) {
      if (listed.has(pick.run) || fallback === undefined) continue;
      await pick.setRun(fallback);
      reselect = true;
    }
    for (const pick of [this.pickA, this.pickB]) {
      if (!changed.has(pick.run)) continue;
      try {
        reselect = pick.setEntries(await this.store.index(pick.run)) || reselect;
      } catch {
        // The index is being rewritten or went away; the next change event retries.
      }
    }
    const now = this.selectedRefs().map(refKey).join('\n');
    // A replay recorded again under the same name, or "latest" moving on, puts the new one on stage.
    if (reselect || now !== this.onStage.map(refKey).join('\n') || this.onStage.some((r) => changed.has(r.run))) void this.showSelection();
  }

  showRuns(first: boolean): void {
    const listing = this.store.listing;
    document.body.classList.toggle('single', listing.single);
    const box = $<HTMLDetailsElement>('#runs');
    box.hidden = listing.single;
    if (!listing.single) {
      this.runList.setRuns(listing.runs, first ? (runs) => (runs.length <= CHART_ALL_UP_TO ? runs : runs.slice(0, CHART_FIRST)).map((r) => r.path) : undefined);
    }
    this.pickA.setRuns(listing.runs);
    this.pickB.setRuns(listing.runs);
    const name = listing.single ? listing.runs[0]?.name : `${listing.runs.length} runs`;
    if (name) {
      $('#run-name').textContent = name;
      document.title = `${name} · propamine viewer`;
    }
  }

  async start(): Promise<void> {
    try {
      this.store.listing = await loadRuns();
    } catch (e) {
      this.errors.set('runs', (e as Error).message);
      this.ready = true;
      return;
    }
    const runs = this.store.listing.runs;
    if (runs.length === 0) this.errors.set('runs', 'no runs here: the folder holds no run directory (config.json) within three levels');
    this.showRuns(true);
    const training = this.loadTraining();
    void this.stress.setRuns(this.chartedRuns());
    const params = new URLSearchParams(location.search);
    const wantA = params.get('a') !== null ? parseRefKey(params.get('a')!) : null;
    const wantB = params.get('b') !== null ? parseRefKey(params.get('b')!) : null;
    const firstWithReplays = runs.find((r) => r.replays)?.path ?? runs[0]?.path ?? '';
    // An empty folder has no run to pick from yet: its first run is picked when it appears.
    if (runs.length > 0 || wantA) await Promise.all([this.pickA.setRun(wantA?.run ?? firstWithReplays), this.pickB.setRun(wantB?.run ?? wantA?.run ?? firstWithReplays)]);
    const defaults = defaultPair(this.pickA.allEntries);
    const fileA = wantA?.file ?? defaults.a;
    const fileB = wantA ? wantB?.file ?? null : defaults.b;
    const where = (run: string) => (run ? `${run}/replays/index.json` : 'replays/index.json');
    if (fileA && !this.pickA.select(fileA, !wantA)) this.errors.set('index-a', `${where(this.pickA.run)} does not list ${fileA}`);
    if (fileB && !this.pickB.select(fileB, !wantA)) this.errors.set('index-b', `${where(this.pickB.run)} does not list ${fileB}`);
    if (!fileB && defaults.a) this.pickB.select(defaults.a, true);
    this.compareBox.checked = fileB !== null && this.pickB.file === fileB;
    const syncCompare = () => {
      this.pickB.setEnabled(this.compareBox.checked);
      $('#pick-b').classList.toggle('off', !this.compareBox.checked);
    };
    syncCompare();
    this.compareBox.addEventListener('change', () => {
      syncCompare();
      void this.showSelection();
    });
    await Promise.all([this.showSelection(), training]);
    // Plays at once, as a video would; `?play=0` opens paused on frame 0.
    this.player.playing = params.get('play') !== '0' && this.ants.ants.length > 0;
    listen(
      (c) => void this.onChanges(c),
      () => void this.onChanges({ runs: this.store.listing.runs.map((r) => r.path), list: true }),
      (m) => this.errors.set('live', m),
    );
    this.ready = true;
  }
}

const viewer = new Viewer();

startLoop((dt) => {
  viewer.player.tick(dt);
  viewer.applyTime();
  const rendered = viewer.stage.renderIfNeeded();
  viewer.video.capture(rendered);
});

installHook({
  ready: () => viewer.ready,
  frame: () => viewer.player.frame,
  frames: () => viewer.player.frames,
  playing: () => viewer.player.playing,
  speed: () => viewer.player.speed,
  antCount: () => viewer.ants.ants.length,
  replays: () => viewer.onStage.map(refKey),
  struck: () => viewer.ants.ants.map((a) => a.struck()),
  error: () => viewer.errors.text(),
  trainingTicks: () => viewer.training.yTicks(),
  curveLengths: () => ({ ...viewer.curveLengths }),
  curveCount: () => viewer.training.lineCount,
  runs: () => viewer.store.listing.runs.map((r) => ({ path: r.path, name: r.name, status: r.status, generations: r.generations })),
  lastExport: () => viewer.lastExport,
  stress: () => viewer.stress.state,
  internals: () => viewer.internals.state,
  pixels: () => samplePixels(viewer.stage.renderer.domElement, () => viewer.stage.render(), SKY),
});

void viewer.start();
