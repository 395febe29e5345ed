/**
 * The panel's network part, under the episode charts: for replays of a spiking policy (those
 * with `internals`), what happened inside the network over the episode on the episode charts'
 * time axis: a spike raster per replay (which neurons fired in each control step, hidden
 * layers stacked from the input side up), the firing rate per layer, the modulator M and
 * the RMS change of H per step, with the onset of a mid-episode condition and the playback
 * marker. Hidden when no replay on stage has internals (an MLP's, or an older file).
 */
import uPlot from 'uplot';
import type { Replay } from '../../envs/replay.ts';
import { rasterStride, type ReplayInternals } from '../../envs/replay-internals.ts';
import { createChart, type Chart, type SeriesSpec } from './charts.ts';
import { ANT_COLORS, onsetLines } from './panel.ts';

const LAYER_COLORS = ['#1971c2', '#e8590c', '#2f9e44', '#7048e8'];
const LAYER_DASHES: Array<number[] | undefined> = [undefined, [5, 4], [2, 2], [8, 3, 2, 3]];
/** The raster's rows: dark for a neuron that fired in the control step. */
const SPIKE = [31, 41, 51];
const QUIET = [255, 255, 255];
const SEPARATOR = [173, 181, 189];

/** What the panel drew, for the page's test hook. */
export interface InternalsState {
  charts: string[];
  /** Frames of internals per replay on stage (0 for one without). */
  points: number[];
  /** Onset lines, in seconds. */
  onsets: number[];
  /** Where the first chart draws them, in CSS pixels from its plot area's left edge, and that area's width. */
  onsetPx: number[];
  plotWidth: number;
}

const EMPTY: InternalsState = { charts: [], points: [], onsets: [], onsetPx: [], plotWidth: 0 };

function decode(base64: string): Uint8Array {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/**
 * One column per frame, one row per neuron, counted from the bottom so that the axis reads as
 * neuron indices: layer 0's neurons first, then a separator row and the next layer's.
 */
export function rasterImage(x: ReplayInternals, frames: number): ImageData {
  const rows = x.layers.reduce((a, l) => a + l.neurons, 0) + x.layers.length - 1;
  const img = new ImageData(Math.max(1, frames), rows);
  const put = (f: number, row: number, c: number[]) => {
    const k = ((rows - 1 - row) * img.width + f) * 4;
    img.data[k] = c[0]!;
    img.data[k + 1] = c[1]!;
    img.data[k + 2] = c[2]!;
    img.data[k + 3] = 255;
  };
  let row0 = 0;
  x.layers.forEach((layer, l) => {
    const bytes = decode(layer.raster);
    const stride = rasterStride(layer.neurons);
    const recorded = Math.min(frames, Math.floor(bytes.length / stride));
    for (let f = 0; f < frames; f++) {
      for (let j = 0; j < layer.neurons; j++) {
        const on = f < recorded && ((bytes[f * stride + (j >> 3)]! >> (j & 7)) & 1) === 1;
        put(f, row0 + j, on ? SPIKE : QUIET);
      }
      if (l < x.layers.length - 1) put(f, row0 + layer.neurons, SEPARATOR);
    }
    row0 += layer.neurons + 1;
  });
  return img;
}

function padded(a: ArrayLike<number> | undefined, n: number): (number | null)[] {
  const out: (number | null)[] = new Array(n).fill(null);
  if (a) for (let i = 0; i < Math.min(n, a.length); i++) out[i] = a[i]!;
  return out;
}

export class InternalsPanel {
  private charts: Chart[] = [];
  private drawn: Pick<InternalsState, 'charts' | 'points' | 'onsets'> | null = null;

  constructor(
    private readonly section: HTMLElement,
    private readonly host: HTMLElement,
    /** The time on stage, for the charts' markers. */
    private readonly marker: () => number,
    private readonly onExport: (name: string, blob: Blob) => void,
  ) {}

  /** The replays on stage (A first), and the frames and dt of the clock. */
  show(replays: Replay[], frames: number, dt: number): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    const withInternals = replays.map((r, i) => ({ r, tag: 'AB'[i]!, x: r.internals })).filter((e): e is { r: Replay; tag: string; x: ReplayInternals } => e.x !== undefined);
    this.section.hidden = withInternals.length === 0;
    if (withInternals.length === 0) {
      this.drawn = null;
      return;
    }
    const xs = Array.from({ length: frames }, (_, f) => f * dt);
    const both = replays.length > 1;
    const onsets = onsetLines(replays, dt);
    const common = { xLabel: 'time (s)', xTitle: false, marker: this.marker, onsets, onExport: this.onExport };
    const name = (tag: string, l: number, x: ReplayInternals) => `${both ? `${tag} ` : ''}${x.layers.length > 1 ? `layer ${l}` : 'hidden'}`;
    // Side by side, colours tell the replays apart (as on the episode charts) and dashes the layers.
    const byReplay = withInternals.length > 1;
    const style = (tag: string, l: number) => ({
      color: byReplay ? ANT_COLORS[tag === 'A' ? 0 : 1]! : LAYER_COLORS[l % LAYER_COLORS.length]!,
      dash: byReplay ? LAYER_DASHES[l % LAYER_DASHES.length] : undefined,
    });

    for (const { tag, x } of withInternals) {
      const img = rasterImage(x, frames);
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      canvas.getContext('2d')!.putImageData(img, 0, 0);
      const rows = img.height;
      const paint = (u: uPlot) => {
        // Column f spans f ± half a frame, so frame f sits under the marker at f * dt.
        const x0 = u.valToPos(-dt / 2, 'x', true);
        const x1 = u.valToPos((frames - 0.5) * dt, 'x', true);
        const ctx = u.ctx;
        ctx.save();
        ctx.beginPath();
        ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
        ctx.clip();
        ctx.imageSmoothingEnabled = frames > u.bbox.width;
        ctx.drawImage(canvas, x0, u.valToPos(rows, 'y', true), x1 - x0, u.valToPos(0, 'y', true) - u.valToPos(rows, 'y', true));
        ctx.restore();
      };
      const layers = `${x.layers.map((l) => l.neurons).join(' + ')} neurons`;
      this.charts.push(createChart(this.host, {
        ...common,
        title: `${both ? `${tag}: ` : ''}Spikes per step (${layers}), over time (s)`,
        yLabel: x.layers.length > 1 ? 'neuron (layer 0 low)' : 'neuron',
        yRange: [0, rows],
        underlay: paint,
        series: [{ label: `${tag} fired in the step`, color: `rgb(${SPIKE.join(',')})` }],
        height: Math.min(200, 70 + 2 * rows),
      }, [xs, padded(undefined, frames)]));
    }

    const rateSeries: SeriesSpec[] = [];
    const rateData: (number | null)[][] = [];
    const mSeries: SeriesSpec[] = [];
    const mData: (number | null)[][] = [];
    const hSeries: SeriesSpec[] = [];
    const hData: (number | null)[][] = [];
    for (const { tag, x } of withInternals) {
      x.layers.forEach((layer, l) => {
        const st = style(tag, l);
        rateSeries.push({ label: name(tag, l, x), ...st });
        rateData.push(padded(layer.rate, frames));
        if (layer.modulator) {
          mSeries.push({ label: `${name(tag, l, x)} M`, ...st });
          mData.push(padded(layer.modulator, frames));
        }
        if (layer.dH) {
          hSeries.push({ label: `${name(tag, l, x)} |ΔH|`, ...st });
          hData.push(padded(layer.dH, frames));
        }
      });
    }
    const h = 120;
    this.charts.push(createChart(this.host, { ...common, title: 'Firing rate (spikes per neuron per SNN step), over time (s)', yLabel: 'rate', series: rateSeries, height: h }, [xs, ...rateData]));
    if (mSeries.length) this.charts.push(createChart(this.host, { ...common, title: 'Modulator M per step, over time (s)', yLabel: 'M', yRange: [-1, 1], series: mSeries, height: h }, [xs, ...mData]));
    if (hSeries.length) this.charts.push(createChart(this.host, { ...common, title: 'Change of H per step (RMS), over time (s)', yLabel: '|ΔH|', series: hSeries, height: h }, [xs, ...hData]));

    this.drawn = {
      charts: this.charts.map((c) => c.plot.root.querySelector('.u-title')?.textContent ?? ''),
      points: replays.map((r) => r.internals?.layers[0]?.rate.length ?? 0),
      onsets: onsets.map((o) => o.x),
    };
  }

  /** What is drawn; positions are read from the first chart now (uPlot lays out after construction). */
  get state(): InternalsState {
    const first = this.charts[0]?.plot;
    if (!this.drawn || !first) return EMPTY;
    return { ...this.drawn, onsetPx: this.drawn.onsets.map((x) => first.valToPos(x, 'x')), plotWidth: first.bbox.width / uPlot.pxRatio };
  }

  showFrame(): void {
    for (const c of this.charts) c.redrawMarker();
  }

  get chartList(): Chart[] {
    return this.charts;
  }
}
