/**
 * `propamine learn --plot RUN`: a self-contained HTML page of inline SVG (no scripts, no
 * network) with the run's learning curve (training-batch and held-out accuracy, loss) and,
 * for the first held-out sequence run by the best genome, the inputs, a spike raster, the
 * modulator M_t, the mean |H| of the input and recurrent plastic synapses, and the output
 * tanh(u) against the target, all over SNN time steps.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile } from '../fsutil.ts';
import { RunDir } from '../train/run-dir.ts';
import { SnnBptt } from '../../policies/bptt.ts';
import { createTask } from '../../envs/tasks/index.ts';
import { bpttOptions } from './engine.ts';
import { loadTrainedGenome } from './evaluate.ts';
import { heldOutSet, LearnRecordSchema } from './learner.ts';
import { readLearnConfig } from './run-dir.ts';

const W = 760;

interface Series { label: string; color: string; xs: number[]; ys: number[]; dots?: boolean }

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** A line chart of several series over a shared x range. */
function lineChart(title: string, series: Series[], h = 180, yRange?: [number, number]): string {
  const xs = series.flatMap((s) => s.xs);
  const ys = series.flatMap((s) => s.ys).filter(Number.isFinite);
  if (!xs.length || !ys.length) return `<p>${esc(title)}: no data</p>`;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  let [y0, y1] = yRange ?? [Math.min(...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 1, y1 + 1];
  const L = 50, R = 10, T = 20, B = 25;
  const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (h - T - B);
  const paths = series.map((s) => {
    const d = s.xs.map((x, i) => (Number.isFinite(s.ys[i]) ? `${px(x).toFixed(1)},${py(s.ys[i]).toFixed(1)}` : '')).filter(Boolean).join(' L');
    if (s.dots) return s.xs.map((x, i) => `<circle cx="${px(x).toFixed(1)}" cy="${py(s.ys[i]).toFixed(1)}" r="4" fill="${s.color}"/>`).join('');
    return `<path d="M${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`;
  });
  let lx = L + 8;
  const legend = series.map((s) => {
    const t = `<text x="${lx}" y="14" fill="${s.color}" font-size="12">${esc(s.label)}</text>`;
    lx += 7 * s.label.length + 20;
    return t;
  }).join('');
  const num = (y: number) => (y !== 0 && Math.abs(y) < 1e-3 ? y.toExponential(1) : y.toPrecision(3));
  const axis = `<text x="4" y="${py(y1) + 4}" font-size="10">${num(y1)}</text><text x="4" y="${py(y0)}" font-size="10">${num(y0)}</text>` +
    `<text x="${L}" y="${h - 6}" font-size="10">${x0}</text><text x="${W - R - 30}" y="${h - 6}" font-size="10">${x1}</text>` +
    `<rect x="${L}" y="${T}" width="${W - L - R}" height="${h - T - B}" fill="none" stroke="#ccc"/>`;
  return `<h3>${esc(title)}</h3><svg width="${W}" height="${h}" xmlns="http://www.w3.org/2000/svg">${axis}${paths.join('')}${legend}</svg>`;
}

/** A raster of a [T, n] 0/1 (or [0, 1]) matrix: one row per neuron, one column per step. */
function raster(title: string, rows: number, cols: number, value: (t: number, i: number) => number, color: string): string {
  const cw = Math.max(2, Math.floor((W - 60) / cols));
  const rh = Math.max(2, Math.min(6, Math.floor(300 / rows)));
  const rects: string[] = [];
  for (let t = 0; t < cols; t++) {
    for (let i = 0; i < rows; i++) {
      const v = value(t, i);
      if (v === 0) continue;
      const fill = v > 0 ? color : '#c33';
      rects.push(`<rect x="${50 + t * cw}" y="${i * rh}" width="${cw}" height="${rh}" fill="${fill}" fill-opacity="${Math.min(1, Math.abs(v)).toFixed(2)}"/>`);
    }
  }
  return `<h3>${esc(title)}</h3><svg width="${W}" height="${rows * rh + 4}" xmlns="http://www.w3.org/2000/svg">${rects.join('')}</svg>`;
}

function movingAverage(ys: number[], k: number): number[] {
  return ys.map((_, i) => {
    const a = Math.max(0, i - k + 1);
    const w = ys.slice(a, i + 1);
    return w.reduce((x, y) => x + y, 0) / w.length;
  });
}

/** Writes the page (default RUN/learn.html); returns its path. */
export function writeLearnPlot(runPath: string, out?: string): string {
  const dir = RunDir.open(runPath);
  const config = readLearnConfig(dir);
  const records = dir.readMetrics(LearnRecordSchema);
  const it = records.map((r) => r.iteration + 1);
  const evals = records.filter((r) => r.evalAccuracy !== null);
  const parts: string[] = [`<h2>${esc(config.name)}: ${esc(config.task.name)}, ${esc(config.policy.rule)}/${esc(config.policy.modulation)}, ${config.policy.hidden[0]} neurons</h2>`];
  parts.push(lineChart('accuracy', [
    { label: 'training batch (moving average of 10)', color: '#999', xs: it, ys: movingAverage(records.map((r) => r.accuracy), 10) },
    { label: 'held-out', color: '#06c', xs: evals.map((r) => r.iteration + 1), ys: evals.map((r) => r.evalAccuracy!) },
  ], 220, [0.3, 1]));
  parts.push(lineChart('loss', [
    { label: 'training batch', color: '#999', xs: it, ys: records.map((r) => r.loss) },
    { label: 'held-out (task loss)', color: '#06c', xs: evals.map((r) => r.iteration + 1), ys: evals.map((r) => r.evalLoss!) },
  ]));
  parts.push(lineChart('firing rate', [{ label: 'spikes per neuron per SNN step (training batch)', color: '#393', xs: it, ys: records.map((r) => r.rate) }], 140));
  parts.push(lineChart('gradient norm before clipping (log10)', [{ label: 'log10 |g|', color: '#c60', xs: it, ys: records.map((r) => Math.log10(r.gradNorm)) }], 140));
  if (existsSync(dir.bestPath)) parts.push(...sequencePanels(config, loadTrainedGenome(dir.path).params));
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${esc(config.name)}</title>` +
    `<style>body{font-family:sans-serif;margin:20px}h3{font-size:14px;margin:14px 0 4px}</style></head><body>${parts.join('\n')}</body></html>\n`;
  const path = out ?? join(dir.path, 'learn.html');
  atomicWriteFile(path, html);
  return path;
}

function sequencePanels(config: ReturnType<typeof readLearnConfig>, params: Float32Array): string[] {
  const task = createTask(config.task);
  const seq = heldOutSet(task, 1)[0];
  const bp = new SnnBptt(config.policy, task.inputSize, task.outputSize, task.steps, bpttOptions(config));
  bp.setParams(params);
  const u = bp.forward(seq.input);
  const tr = bp.trace;
  const sub = config.policy.substeps;
  const steps = Array.from({ length: tr.T }, (_, t) => t + 1);
  const meanAbs = (a: Float32Array) => (a.length ? a.reduce((s, x) => s + Math.abs(x), 0) / a.length : 0);
  const out: string[] = [`<h2>held-out sequence 0 (best genome), ${tr.T} SNN steps</h2>`];
  out.push(raster(`inputs (${task.inputSize} channels, each held for ${sub} steps; red is negative)`, task.inputSize, tr.T, (t, i) => tr.x[t + 1][i], '#333'));
  out.push(raster(`spikes (${tr.n} neurons)`, tr.n, tr.T, (t, i) => tr.s[t + 1][i], '#000'));
  if (tr.plastic && config.policy.modulation !== 'none') out.push(lineChart('modulator M_t', [{ label: 'M', color: '#a0a', xs: steps, ys: steps.map((t) => tr.M[t]) }], 150, [-1, 1]));
  if (tr.plastic) {
    const series: Series[] = [{ label: 'mean |H_in|', color: '#06c', xs: steps, ys: steps.map((t) => meanAbs(tr.Hin[t])) }];
    if (tr.recurrent) series.push({ label: 'mean |H_rec|', color: '#c60', xs: steps, ys: steps.map((t) => meanAbs(tr.Hrec[t])) });
    out.push(lineChart('plastic traces', series, 150));
  }
  const ks = Array.from({ length: task.steps }, (_, k) => (k + 1) * sub);
  const series: Series[] = [];
  for (let j = 0; j < Math.min(task.outputSize, 4); j++) {
    series.push({ label: `tanh(u) output ${j}`, color: ['#06c', '#393', '#c60', '#a0a'][j], xs: ks, ys: ks.map((_, k) => Math.tanh(u[k * task.outputSize + j])) });
  }
  const scoredAt = ks.filter((_, k) => seq.scored[k]);
  series.push({ label: 'target of output 0 (scored steps)', color: '#c33', xs: scoredAt, ys: scoredAt.map((t) => seq.target[(t / sub - 1) * task.outputSize]), dots: true });
  out.push(lineChart('output', series, 150, [-1.05, 1.05]));
  return out;
}
