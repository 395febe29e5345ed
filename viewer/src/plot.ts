/**
 * Comparison charts: lines that each have their own x values (runs differ in steps and wall
 * time), shaded bands (spread over seeds), and points with 95% interval whiskers over named
 * categories (stress conditions). One drawing routine paints through a small `Painter`
 * interface, on a canvas for the page and PNG export and as SVG text for SVG export, so the
 * exported file is the chart on the page, title and legend included.
 */
import { valueSplits } from './charts.ts';

export interface LineSeries {
  label: string;
  color: string;
  x: ArrayLike<number>;
  /** NaN leaves a gap that the line spans (a generation without a test). */
  y: ArrayLike<number>;
  width?: number;
  dash?: number[];
  /** Points instead of a line (sparse series such as test returns). */
  points?: boolean;
  /** A shaded band from lo to hi at the same x (spread over seeds). */
  band?: { lo: ArrayLike<number>; hi: ArrayLike<number> };
}

export interface IntervalSeries {
  label: string;
  color: string;
  /** One value per category (NaN: none); whiskers span value ± ci. */
  value: ArrayLike<number>;
  ci: ArrayLike<number>;
}

export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  lines?: LineSeries[];
  /** With intervals, x is the category index and the axis shows the names. */
  categories?: string[];
  intervals?: IntervalSeries[];
  /** A vertical line at this x (the replay's generation, the onset). */
  marker?: number | null;
  markerLabel?: string;
  /** A horizontal reference line (e.g. 100% of nominal). */
  hline?: number;
  height?: number;
  /** Legend entries shown at most; the rest are counted. */
  maxLegend?: number;
}

interface Painter {
  line(pts: Array<[number, number]>, color: string, width: number, dash?: number[]): void;
  polygon(pts: Array<[number, number]>, color: string, alpha: number): void;
  circle(x: number, y: number, r: number, color: string): void;
  rect(x: number, y: number, w: number, h: number, color: string): void;
  text(s: string, x: number, y: number, o: { size?: number; color?: string; align?: 'left' | 'center' | 'right'; bold?: boolean; rotate?: number }): void;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

class CanvasPainter implements Painter {
  constructor(private readonly ctx: CanvasRenderingContext2D) {}
  line(pts: Array<[number, number]>, color: string, width: number, dash: number[] = []): void {
    if (pts.length < 2) return;
    const c = this.ctx;
    c.save();
    c.strokeStyle = color;
    c.lineWidth = width;
    c.setLineDash(dash);
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(pts[0]![0], pts[0]![1]);
    for (let i = 1; i < pts.length; i++) c.lineTo(pts[i]![0], pts[i]![1]);
    c.stroke();
    c.restore();
  }
  polygon(pts: Array<[number, number]>, color: string, alpha: number): void {
    if (pts.length < 3) return;
    const c = this.ctx;
    c.save();
    c.globalAlpha = alpha;
    c.fillStyle = color;
    c.beginPath();
    c.moveTo(pts[0]![0], pts[0]![1]);
    for (let i = 1; i < pts.length; i++) c.lineTo(pts[i]![0], pts[i]![1]);
    c.closePath();
    c.fill();
    c.restore();
  }
  circle(x: number, y: number, r: number, color: string): void {
    const c = this.ctx;
    c.fillStyle = color;
    c.beginPath();
    c.arc(x, y, r, 0, 2 * Math.PI);
    c.fill();
  }
  rect(x: number, y: number, w: number, h: number, color: string): void {
    this.ctx.fillStyle = color;
    this.ctx.fillRect(x, y, w, h);
  }
  text(s: string, x: number, y: number, o: { size?: number; color?: string; align?: 'left' | 'center' | 'right'; bold?: boolean; rotate?: number }): void {
    const c = this.ctx;
    c.save();
    c.font = `${o.bold ? '600 ' : ''}${o.size ?? 11}px ${FONT}`;
    c.fillStyle = o.color ?? '#1f2933';
    c.textAlign = o.align ?? 'left';
    c.textBaseline = 'middle';
    c.translate(x, y);
    if (o.rotate) c.rotate(o.rotate);
    c.fillText(s, 0, 0);
    c.restore();
  }
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n2 = (v: number) => (Math.round(v * 100) / 100).toString();

class SvgPainter implements Painter {
  readonly parts: string[] = [];
  line(pts: Array<[number, number]>, color: string, width: number, dash?: number[]): void {
    if (pts.length < 2) return;
    const d = pts.map(([x, y], i) => `${i ? 'L' : 'M'}${n2(x)} ${n2(y)}`).join('');
    this.parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}" stroke-linejoin="round"${dash?.length ? ` stroke-dasharray="${dash.join(' ')}"` : ''}/>`);
  }
  polygon(pts: Array<[number, number]>, color: string, alpha: number): void {
    if (pts.length < 3) return;
    this.parts.push(`<polygon points="${pts.map(([x, y]) => `${n2(x)},${n2(y)}`).join(' ')}" fill="${color}" fill-opacity="${alpha}"/>`);
  }
  circle(x: number, y: number, r: number, color: string): void {
    this.parts.push(`<circle cx="${n2(x)}" cy="${n2(y)}" r="${r}" fill="${color}"/>`);
  }
  rect(x: number, y: number, w: number, h: number, color: string): void {
    this.parts.push(`<rect x="${n2(x)}" y="${n2(y)}" width="${n2(w)}" height="${n2(h)}" fill="${color}"/>`);
  }
  text(s: string, x: number, y: number, o: { size?: number; color?: string; align?: 'left' | 'center' | 'right'; bold?: boolean; rotate?: number }): void {
    const anchor = o.align === 'center' ? 'middle' : o.align === 'right' ? 'end' : 'start';
    const rot = o.rotate ? ` transform="rotate(${n2((o.rotate * 180) / Math.PI)} ${n2(x)} ${n2(y)})"` : '';
    this.parts.push(`<text x="${n2(x)}" y="${n2(y)}" dominant-baseline="middle" text-anchor="${anchor}" font-size="${o.size ?? 11}" fill="${o.color ?? '#1f2933'}"${o.bold ? ' font-weight="600"' : ''}${rot}>${esc(s)}</text>`);
  }
}

function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function* each(a: ArrayLike<number>): Iterable<number> {
  for (let i = 0; i < a.length; i++) yield a[i]!;
}

/** A tick label: few digits, thousands as k and millions as M (environment steps run into millions). */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

export interface Layout {
  yTicks: number[];
}

/** Draws the chart into `p` at width × height (CSS pixels); returns the ticks it used. */
export function drawPlot(p: Painter, spec: PlotSpec, width: number, height: number): Layout {
  const lines = spec.lines ?? [];
  const intervals = spec.intervals ?? [];
  const cats = spec.categories ?? [];
  p.rect(0, 0, width, height, '#ffffff');
  p.text(spec.title, width / 2, 10, { size: 13, bold: true, align: 'center' });
  // Legend rows under the title: as many entries per row as fit.
  const entries = [...lines.map((l) => ({ label: l.label, color: l.color, dash: l.dash })), ...intervals.map((s) => ({ label: s.label, color: s.color, dash: undefined }))].filter((e) => e.label);
  const maxLegend = spec.maxLegend ?? 12;
  const shown = entries.slice(0, maxLegend);
  const legendItems: Array<{ label: string; color: string; dash?: number[]; x: number; row: number }> = [];
  let lx = 8;
  let row = 0;
  for (const e of shown) {
    const label = e.label.length > 38 ? `${e.label.slice(0, 37)}…` : e.label;
    const w = 22 + label.length * 5.6;
    if (lx + w > width - 4 && lx > 8) {
      lx = 8;
      row++;
    }
    legendItems.push({ ...e, label, x: lx, row });
    lx += w + 8;
  }
  const extra = entries.length - shown.length;
  const legendRows = shown.length ? row + 1 + (extra > 0 ? 1 : 0) : 0;
  const top = 24 + legendRows * 15 + 4;
  for (const it of legendItems) {
    const y = 24 + it.row * 15 + 4;
    p.line([[it.x, y], [it.x + 16, y]], it.color, 2.5, it.dash);
    p.text(it.label, it.x + 20, y, { size: 11 });
  }
  if (extra > 0) p.text(`… and ${extra} more`, 8, 24 + (row + 1) * 15 + 4, { size: 11, color: '#5f6b7a' });

  const catAxis = cats.length > 0;
  const rotateCats = catAxis && cats.some((c) => c.length > 9) && cats.length > 2;
  const bottomSpace = catAxis ? (rotateCats ? 16 + 5.6 * Math.max(...cats.map((c) => Math.min(c.length, 22))) * 0.72 : 34) : 36;
  // Rotated names run down to the left of their condition: the first ones need room.
  const left = rotateCats ? 74 : 54;
  const right = 12;
  const plotH = Math.max(40, height - top - bottomSpace);
  const plotW = Math.max(40, width - left - right);
  const bottom = top + plotH;

  // Ranges from everything drawn, so bands and whiskers stay inside.
  let [x0, x1] = catAxis ? [-0.5, cats.length - 0.5] : extent((function* () {
    for (const l of lines) yield* each(l.x);
  })());
  const ys: number[] = [];
  for (const l of lines) {
    for (let i = 0; i < l.y.length; i++) if (Number.isFinite(l.x[i]!)) ys.push(l.y[i]!);
    if (l.band) for (let i = 0; i < l.band.lo.length; i++) ys.push(l.band.lo[i]!, l.band.hi[i]!);
  }
  for (const s of intervals) for (let i = 0; i < s.value.length; i++) ys.push(s.value[i]! - (s.ci[i]! || 0), s.value[i]! + (s.ci[i]! || 0));
  if (spec.hline !== undefined) ys.push(spec.hline);
  let [y0, y1] = extent(ys);
  if (!Number.isFinite(x0)) [x0, x1] = [0, 1];
  if (!(x1 > x0)) [x0, x1] = [x0 - 0.5, x0 + 0.5];
  if (!Number.isFinite(y0)) [y0, y1] = [0, 1];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y1 + 1];
  const pad = (y1 - y0) * 0.06;
  y0 -= pad;
  y1 += pad;
  const X = (v: number) => left + ((v - x0) / (x1 - x0)) * plotW;
  const Y = (v: number) => bottom - ((v - y0) / (y1 - y0)) * plotH;

  const yTicks = valueSplits(y0, y1);
  for (const t of yTicks) {
    p.line([[left, Y(t)], [left + plotW, Y(t)]], '#e6eaee', 1);
    p.text(tickLabel(t), left - 5, Y(t), { size: 10, align: 'right', color: '#3d4752' });
  }
  p.text(spec.yLabel, 11, top + plotH / 2, { size: 11, align: 'center', rotate: -Math.PI / 2, color: '#3d4752' });
  if (catAxis) {
    cats.forEach((c, i) => {
      const label = c.length > 22 ? `${c.slice(0, 21)}…` : c;
      if (rotateCats) p.text(label, X(i) + 3, bottom + 8, { size: 10, align: 'right', rotate: -Math.PI / 4, color: '#3d4752' });
      else p.text(label, X(i), bottom + 10, { size: 10, align: 'center', color: '#3d4752' });
    });
  } else {
    for (const t of valueSplits(x0, x1)) {
      p.line([[X(t), bottom], [X(t), bottom + 4]], '#8a949e', 1);
      p.text(tickLabel(t), X(t), bottom + 11, { size: 10, align: 'center', color: '#3d4752' });
    }
    p.text(spec.xLabel, left + plotW / 2, bottom + 27, { size: 11, align: 'center', color: '#3d4752' });
  }
  p.line([[left, top], [left, bottom], [left + plotW, bottom]], '#8a949e', 1);
  if (spec.hline !== undefined) p.line([[left, Y(spec.hline)], [left + plotW, Y(spec.hline)]], '#5f6b7a', 1, [4, 3]);

  for (const l of lines) {
    if (!l.band) continue;
    const upper: Array<[number, number]> = [];
    const lower: Array<[number, number]> = [];
    for (let i = 0; i < l.x.length; i++) {
      const lo = l.band.lo[i]!;
      const hi = l.band.hi[i]!;
      if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(l.x[i]!)) continue;
      upper.push([X(l.x[i]!), Y(hi)]);
      lower.push([X(l.x[i]!), Y(lo)]);
    }
    p.polygon([...upper, ...lower.reverse()], l.color, 0.18);
  }
  for (const l of lines) {
    const pts: Array<[number, number]> = [];
    for (let i = 0; i < l.x.length; i++) if (Number.isFinite(l.y[i]!) && Number.isFinite(l.x[i]!)) pts.push([X(l.x[i]!), Y(l.y[i]!)]);
    if (l.points) for (const [px, py] of pts) p.circle(px, py, 2.5, l.color);
    else p.line(pts, l.color, l.width ?? 1.5, l.dash);
  }
  const k = intervals.length;
  intervals.forEach((s, j) => {
    // Runs side by side within a condition's slot.
    const off = k > 1 ? (j - (k - 1) / 2) * Math.min(0.7 / k, 0.18) : 0;
    for (let i = 0; i < s.value.length; i++) {
      const v = s.value[i]!;
      if (!Number.isFinite(v)) continue;
      const ci = Number.isFinite(s.ci[i]!) ? s.ci[i]! : 0;
      const px = X(i + off);
      p.line([[px, Y(v - ci)], [px, Y(v + ci)]], s.color, 1.5);
      p.line([[px - 4, Y(v - ci)], [px + 4, Y(v - ci)]], s.color, 1.5);
      p.line([[px - 4, Y(v + ci)], [px + 4, Y(v + ci)]], s.color, 1.5);
      p.circle(px, Y(v), 3.5, s.color);
    }
  });
  if (spec.marker !== undefined && spec.marker !== null && spec.marker >= x0 && spec.marker <= x1) {
    p.line([[X(spec.marker), top], [X(spec.marker), bottom]], '#d7263d', 1.5);
    if (spec.markerLabel) p.text(spec.markerLabel, X(spec.marker) + 4, top + 8, { size: 10, color: '#d7263d' });
  }
  return { yTicks };
}

export interface Plot {
  readonly el: HTMLElement;
  update(spec: PlotSpec): void;
  spec(): PlotSpec;
  /** The y tick labels drawn last. */
  yTicks(): string[];
  png(): Promise<Blob>;
  svg(): Blob;
  destroy(): void;
}

/** Saves a blob under a name through the browser's download. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function fileSlug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'chart';
}

/** A chart in `parent` with PNG and SVG export buttons; `onExport` learns of each file made. */
export function createPlot(parent: HTMLElement, spec: PlotSpec, onExport?: (name: string, blob: Blob) => void): Plot {
  const box = document.createElement('div');
  box.className = 'plot';
  const canvas = document.createElement('canvas');
  const tools = document.createElement('div');
  tools.className = 'plot-tools';
  box.append(tools, canvas);
  parent.appendChild(box);
  let current = spec;
  let ticks: number[] = [];
  const size = () => ({ w: Math.max(220, parent.clientWidth - 4), h: current.height ?? 200 });
  const draw = () => {
    const { w, h } = size();
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ticks = drawPlot(new CanvasPainter(ctx), current, w, h).yTicks;
  };
  const svg = () => {
    const { w, h } = size();
    const p = new SvgPainter();
    drawPlot(p, current, w, h);
    return new Blob([`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family='${FONT}'>${p.parts.join('')}</svg>\n`], { type: 'image/svg+xml' });
  };
  const png = () => new Promise<Blob>((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(new Error('the browser could not encode the chart as PNG'))), 'image/png'));
  for (const kind of ['png', 'svg'] as const) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = kind.toUpperCase();
    b.title = `save this chart as ${kind.toUpperCase()}`;
    b.dataset.export = kind;
    b.addEventListener('click', () => {
      const name = `${fileSlug(current.title)}.${kind}`;
      void (kind === 'png' ? png() : Promise.resolve(svg())).then((blob) => {
        download(blob, name);
        onExport?.(name, blob);
      });
    });
    tools.appendChild(b);
  }
  let lastW = -1;
  const ro = new ResizeObserver(() => {
    // Redraw on width changes only: drawing the canvas must not feed back into the observer.
    const w = size().w;
    if (w !== lastW) {
      lastW = w;
      draw();
    }
  });
  ro.observe(parent);
  draw();
  return {
    el: box,
    update(s) {
      current = s;
      draw();
    },
    spec: () => current,
    yTicks: () => ticks.map(tickLabel),
    png,
    svg,
    destroy() {
      ro.disconnect();
      box.remove();
    },
  };
}
