/**
 * The replay page: loads a run's replay index, metrics and chosen replays from the server,
 * puts one ant (or two side by side) on stage, and drives them, the panel and the charts
 * from one playback clock. URL parameters `a` and `b` name the replay files on stage, so a
 * comparison can be linked to (`?a=gen0011-0.json&b=gen0011-1.json`); `play=0` opens paused.
 */
import * as THREE from 'three';
import type uPlot from 'uplot';
import type { Replay } from '../../envs/replay.ts';
import './style.css';
import { buildAnt, type AntView } from './ant.ts';
import { createChart, type Chart } from './charts.ts';
import { forwardProgress, loadIndex, loadMetrics, loadReplay, loadRunName, type MetricsRecord, type ReplayIndexEntry } from './data.ts';
import { installHook, samplePixels } from './hook.ts';
import { defaultPair, Picker } from './picker.ts';
import { Player } from './player.ts';
import { createStage } from './stage.ts';

const $ = <T extends HTMLElement>(sel: string) => document.querySelector<T>(sel)!;

const SKY: [number, number, number] = [0xdd, 0xe6, 0xee];
/** Lateral distance between the two ants of a side-by-side view (m). */
const SIDE_BY_SIDE_GAP = 2.2;
const ANT_COLORS = ['#2563b8', '#7b3fa0'];
const TERM_COLORS: Record<string, string> = { healthy: '#2f9e44', forward: '#1971c2', ctrl: '#868e96', contact: '#a0522d' };

const stage = createStage($('#view'));
const player = new Player();
const errors = new Map<string, string>();
let ready = false;
let ants: AntView[] = [];
let labels: THREE.Object3D[] = [];
let episodeCharts: Chart[] = [];
let trainingChart: Chart | null = null;
let metrics: MetricsRecord[] = [];
let shownFrame = -1;
let loadToken = 0;
const replayCache = new Map<string, Promise<Replay>>();

function showErrors(): void {
  const el = $('#error');
  const text = [...errors.values()].join('\n');
  el.textContent = text;
  el.hidden = text === '';
}

function setError(key: string, msg: string | null): void {
  if (msg === null) errors.delete(key);
  else errors.set(key, msg);
  showErrors();
}

function cachedReplay(file: string): Promise<Replay> {
  let p = replayCache.get(file);
  if (!p) {
    p = loadReplay(file);
    // A failed load is not cached, so fixing the file and choosing it again works.
    p.catch(() => replayCache.delete(file));
    replayCache.set(file, p);
  }
  return p;
}

function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

// ---- per-replay series derived once per selection ----

interface Derived {
  total: Float64Array;
  cumulative: Float64Array;
  distance: Float64Array;
  speed: Float64Array;
}
let derived: Derived[] = [];

function derive(r: Replay): Derived {
  const total = new Float64Array(r.frames);
  for (const v of Object.values(r.terms)) for (let f = 0; f < r.frames; f++) total[f]! += v[f]!;
  const cumulative = new Float64Array(r.frames);
  for (let f = 1; f < r.frames; f++) cumulative[f] = cumulative[f - 1]! + total[f]!;
  return { total, cumulative, ...forwardProgress(r) };
}

// ---- panel ----

function statsRows(): Array<[string, (r: Replay, d: Derived, f: number) => string, boolean?]> {
  return [
    ['condition', (r) => r.conditionText],
    ['generation · seed', (r) => `${r.meta.generation ?? '–'} · ${r.meta.episodeSeed}`],
    ['return', (r) => fmt(r.summary.return, 1), true],
    ['forward distance', (r) => `${fmt(r.summary.distance)} m`],
    ['steps', (r) => `${r.summary.steps}${r.summary.terminated ? ' (fell)' : ''}`],
    ['return so far', (_r, d, f) => fmt(d.cumulative[Math.min(f, d.cumulative.length - 1)]!, 1)],
    ['distance now', (_r, d, f) => `${fmt(d.distance[Math.min(f, d.distance.length - 1)]!)} m`],
    ['speed now', (_r, d, f) => `${fmt(d.speed[Math.min(f, d.speed.length - 1)]!)} m/s`],
  ];
}

function renderStats(): void {
  const f = player.frame;
  const body = $('#stats tbody');
  body.replaceChildren(
    ...statsRows().map(([name, get, big]) => {
      const tr = document.createElement('tr');
      const th = document.createElement('td');
      th.textContent = name;
      tr.appendChild(th);
      for (let i = 0; i < 2; i++) {
        const td = document.createElement('td');
        if (ants[i]) td.textContent = get(ants[i]!.replay, derived[i]!, f);
        if (big) td.className = 'big';
        tr.appendChild(td);
      }
      return tr;
    }),
  );
}

function padded(a: ArrayLike<number>, n: number): (number | null)[] {
  const out: (number | null)[] = new Array(n).fill(null);
  for (let i = 0; i < Math.min(n, a.length); i++) out[i] = a[i]!;
  return out;
}

function buildEpisodeCharts(): void {
  for (const c of episodeCharts) c.destroy();
  episodeCharts = [];
  const host = $('#episode-charts');
  if (ants.length === 0) return;
  const n = player.frames;
  const xs = Array.from({ length: n }, (_, f) => f * player.dt);
  const marker = () => player.frame * player.dt;
  const a = ants[0]!.replay;
  const names = Object.keys(a.terms);
  const termSeries = names.map((k, i) => ({ label: `A ${k}`, color: TERM_COLORS[k] ?? ['#e8590c', '#0c8599', '#6741d9'][i % 3]! }));
  const termData: uPlot.AlignedData = [xs, ...names.map((k) => padded(a.terms[k]!, n)), padded(derived[0]!.total, n)];
  const series = [...termSeries, { label: 'A total', color: '#1f2933', width: 2 }];
  if (ants[1]) {
    series.push({ label: 'B total', color: ANT_COLORS[1]!, width: 2, dash: [5, 4] } as (typeof series)[number]);
    termData.push(padded(derived[1]!.total, n));
  }
  episodeCharts.push(createChart(host, { title: 'Reward terms per step, over time (s)', xLabel: 'time (s)', xTitle: false, yLabel: 'reward', series, marker, height: 135 }, termData));

  const progSeries = ants.map((_, i) => ({ label: `${'AB'[i]} distance`, color: ANT_COLORS[i]!, width: 2, scale: 'y' as const }));
  const speedSeries = ants.map((_, i) => ({ label: `${'AB'[i]} speed`, color: ANT_COLORS[i]!, width: 1, dash: [3, 3], scale: 'y2' as const }));
  const progData: uPlot.AlignedData = [xs, ...derived.map((d) => padded(d.distance, n)), ...derived.map((d) => padded(d.speed, n))];
  episodeCharts.push(
    createChart(host, { title: 'Forward distance and speed, over time (s)', xLabel: 'time (s)', xTitle: false, yLabel: 'distance (m)', y2Label: 'speed (m/s)', series: [...progSeries, ...speedSeries], marker, height: 135 }, progData),
  );
}

function buildTrainingChart(): void {
  trainingChart?.destroy();
  trainingChart = null;
  const host = $('#training-chart');
  if (metrics.length === 0) return;
  const gens = metrics.map((m) => m.generation);
  const data: uPlot.AlignedData = [
    gens,
    metrics.map((m) => m.returnMean),
    metrics.map((m) => m.returnMax),
    metrics.map((m) => (typeof m.testReturn === 'number' ? m.testReturn : null)),
  ];
  trainingChart = createChart(
    host,
    {
      title: 'Training: return per generation',
      xLabel: 'generation',
      yLabel: 'return',
      height: 160,
      series: [
        { label: 'mean', color: '#1971c2', width: 2 },
        { label: 'max', color: '#2f9e44', width: 1.5 },
        { label: 'test', color: '#e8590c', points: true },
      ],
      // Marks the generation of replay A, to place the gait on the curve.
      marker: () => ants[0]?.replay.meta.generation ?? null,
    },
    data,
  );
}

// ---- stage ----

function followPoint(out: THREE.Vector3): THREE.Vector3 {
  out.set(0, 0, 0);
  for (const a of ants) out.add(a.torso.position).add(a.root.position);
  if (ants.length) out.divideScalar(ants.length);
  // Following the torso's height would make the camera bob with every step.
  out.z = 0.35;
  return out;
}

/** Horizontal distance between the two torsos (0 for one ant). */
function spread(): number {
  if (ants.length < 2) return 0;
  const [a, b] = ants as [AntView, AntView];
  return Math.hypot(a.torso.position.x + a.root.position.x - b.torso.position.x - b.root.position.x, a.torso.position.y + a.root.position.y - b.torso.position.y - b.root.position.y);
}

const tmp = new THREE.Vector3();
const playIcon = document.querySelector<SVGPathElement>('#play-icon')!;
let appliedTime = NaN;
/** Puts the stage, panel and markers at the player's time; `force` after the ants changed. */
function applyTime(force = false): void {
  updatePlayButton();
  if (!force && player.time === appliedTime) return;
  appliedTime = player.time;
  stage.invalidate();
  for (const a of ants) a.seek(player.time);
  for (const [i, a] of ants.entries()) labels[i]?.position.copy(a.torso.position).add(a.root.position).setZ(a.torso.position.z + 0.55);
  if (ants.length) stage.follow(followPoint(tmp), spread());
  const f = player.frame;
  if (f === shownFrame) return;
  shownFrame = f;
  $<HTMLInputElement>('#timeline').value = String(f);
  $('#clock').textContent = `frame ${f} / ${player.frames - 1} · ${fmt(f * player.dt)} s / ${fmt(player.duration)} s`;
  renderStats();
  for (const c of episodeCharts) c.redrawMarker();
}

function updatePlayButton(): void {
  const playing = String(player.playing);
  if (playIcon.dataset.playing === playing) return;
  playIcon.dataset.playing = playing;
  playIcon.setAttribute('d', player.playing ? 'M3 2h4v12H3zM9 2h4v12H9z' : 'M4 2v12l10-6z');
  $('#play').setAttribute('aria-label', player.playing ? 'pause' : 'play');
}

function clearStage(): void {
  for (const a of ants) a.dispose();
  for (const l of labels) {
    l.removeFromParent();
    (l as THREE.Object3D & { element?: HTMLElement }).element?.remove();
  }
  ants = [];
  labels = [];
  derived = [];
  shownFrame = -1;
  stage.invalidate();
}

// ---- selection ----

let pickA: Picker;
let pickB: Picker;
const compareBox = $<HTMLInputElement>('#compare');

function selectedFiles(): string[] {
  const files = [pickA.file];
  if (compareBox.checked) files.push(pickB.file);
  return files.filter((f): f is string => f !== null);
}

async function showSelection(): Promise<void> {
  const token = ++loadToken;
  const files = selectedFiles();
  const url = new URL(location.href);
  url.searchParams.delete('a');
  url.searchParams.delete('b');
  if (files[0]) url.searchParams.set('a', files[0]);
  if (files[1]) url.searchParams.set('b', files[1]);
  history.replaceState(null, '', url);
  let replays: Replay[];
  try {
    replays = await Promise.all(files.map(cachedReplay));
  } catch (e) {
    if (token !== loadToken) return;
    clearStage();
    player.reset(1, player.dt);
    player.playing = false;
    buildEpisodeCharts();
    applyTime(true);
    setError('replay', (e as Error).message);
    return;
  }
  if (token !== loadToken) return;
  setError('replay', null);
  clearStage();
  const wasPlaying = player.playing;
  replays.forEach((r, i) => {
    const offset = replays.length > 1 ? (i === 0 ? 1 : -1) * SIDE_BY_SIDE_GAP / 2 : 0;
    const ant = buildAnt(r, offset);
    stage.scene.add(ant.root);
    ants.push(ant);
    derived.push(derive(r));
    labels.push(stage.label(`${'AB'[i]}: ${r.conditionText}`, `label-${'ab'[i]}`));
  });
  player.reset(Math.max(...replays.map((r) => r.frames)), replays[0]!.dt);
  player.playing = wasPlaying;
  $<HTMLInputElement>('#timeline').max = String(player.frames - 1);
  buildEpisodeCharts();
  applyTime(true);
  stage.frame(followPoint(tmp), replays.length > 1 ? SIDE_BY_SIDE_GAP : 0);
  trainingChart?.redrawMarker();
}

// ---- controls ----

function wireControls(): void {
  $('#play').addEventListener('click', () => player.toggle());
  $('#step-back').addEventListener('click', () => player.step(-1));
  $('#step-fwd').addEventListener('click', () => player.step(1));
  const speed = $<HTMLSelectElement>('#speed');
  speed.addEventListener('change', () => (player.speed = Number(speed.value)));
  const loop = $<HTMLInputElement>('#loop');
  loop.addEventListener('change', () => (player.loop = loop.checked));
  const timeline = $<HTMLInputElement>('#timeline');
  timeline.addEventListener('input', () => player.seekFrame(Number(timeline.value)));
  // Clicking a button must not leave focus on it, or the next space bar would press it again.
  for (const b of document.querySelectorAll('#controls button')) b.addEventListener('mousedown', (e) => e.preventDefault());
  window.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if (t.tagName === 'SELECT' || (t.tagName === 'INPUT' && (t as HTMLInputElement).type !== 'checkbox')) return;
    // A button reached with Tab keeps its own space/enter behaviour.
    if (t.tagName === 'BUTTON' && (e.key === ' ' || e.key === 'Enter')) return;
    if (e.key === ' ') player.toggle();
    else if (e.key === 'ArrowRight') player.step(1);
    else if (e.key === 'ArrowLeft') player.step(-1);
    else return;
    e.preventDefault();
  });
}

function startLoop(): void {
  let last = performance.now();
  const tick = (now: number) => {
    player.tick((now - last) / 1000);
    last = now;
    applyTime();
    stage.renderIfNeeded();
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

installHook({
  ready: () => ready,
  frame: () => player.frame,
  frames: () => player.frames,
  playing: () => player.playing,
  speed: () => player.speed,
  antCount: () => ants.length,
  replays: () => ants.map((a, i) => selectedFiles()[i] ?? a.replay.meta.label ?? ''),
  struck: () => ants.map((a) => a.struck()),
  error: () => (errors.size ? [...errors.values()].join('\n') : null),
  // uPlot keeps the labels it drew on each axis in `_values` (null for a label it left out).
  trainingTicks: () => ((trainingChart?.plot.axes[1] as { _values?: unknown[] } | undefined)?._values ?? []).filter((v) => v !== null && v !== '').map(String),
  pixels: () => samplePixels(stage.renderer.domElement, () => stage.render(), SKY),
});

async function loadTraining(): Promise<void> {
  const host = $('#training-chart');
  try {
    const res = await loadMetrics();
    metrics = res.records;
    setError('metrics', res.warnings.length ? res.warnings.join('\n') : null);
    if (metrics.length === 0) host.innerHTML = '<p class="note">metrics.jsonl has no generations yet.</p>';
    buildTrainingChart();
  } catch (e) {
    setError('metrics', (e as Error).message);
  }
}

async function main(): Promise<void> {
  wireControls();
  startLoop();
  const charts = $('#charts');
  charts.innerHTML = '<div id="episode-charts"></div><div id="training-chart"></div>';
  void loadRunName().then((name) => {
    if (name) {
      $('#run-name').textContent = name;
      document.title = `${name} · propamine viewer`;
    }
  });
  const training = loadTraining();
  let entries: ReplayIndexEntry[];
  try {
    entries = await loadIndex();
  } catch (e) {
    setError('index', (e as Error).message);
    await training;
    ready = true;
    return;
  }
  if (entries.length === 0) setError('index', 'replays/index.json lists no replays yet');
  const onChange = () => void showSelection();
  pickA = new Picker($('#pick-a'), entries, onChange);
  pickB = new Picker($('#pick-b'), entries, onChange);
  const params = new URLSearchParams(location.search);
  const defaults = defaultPair(entries);
  const wantA = params.get('a') ?? defaults.a;
  const wantB = params.has('a') ? params.get('b') : defaults.b;
  if (wantA && !pickA.select(wantA)) setError('index', `replays/index.json does not list ${wantA}`);
  if (wantB && !pickB.select(wantB)) setError('index', `replays/index.json does not list ${wantB}`);
  if (!wantB && defaults.a) pickB.select(defaults.a);
  compareBox.checked = wantB !== null && pickB.file === wantB;
  const syncCompare = () => {
    pickB.setEnabled(compareBox.checked);
    $('#pick-b').classList.toggle('off', !compareBox.checked);
  };
  syncCompare();
  compareBox.addEventListener('change', () => {
    syncCompare();
    onChange();
  });
  await Promise.all([showSelection(), training]);
  // Plays at once, as a video would; `?play=0` opens paused on frame 0.
  player.playing = params.get('play') !== '0' && ants.length > 0;
  ready = true;
}

void main();
