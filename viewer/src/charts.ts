/**
 * Small uPlot line charts for the side panel, each with an optional vertical marker (the
 * frame on stage, or the generation of the replay) drawn by a plugin so moving it needs a
 * redraw only, not new data, optional onset lines and an underlay (a raster image), and a
 * PNG button (title, plot and legend drawn on one canvas).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { download, fileSlug } from './plot.ts';

export interface SeriesSpec {
  label: string;
  color: string;
  /** Which y scale: 'y' (left axis) or 'y2' (right axis). */
  scale?: 'y' | 'y2';
  dash?: number[];
  /** Draw points only (for sparse series such as test returns). */
  points?: boolean;
  width?: number;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  /** false: no x-axis title (the chart title says what x is). */
  xTitle?: boolean;
  yLabel: string;
  y2Label?: string;
  series: SeriesSpec[];
  /** Where to draw the marker, in x units; null for none. */
  marker?: () => number | null;
  /** Dashed vertical lines with a label at fixed x (a condition's onset). */
  onsets?: Array<{ x: number; label: string }>;
  /** A fixed range for the left axis instead of the data's. */
  yRange?: [number, number];
  /** Paints into the plot area before the lines and markers (a raster image). */
  underlay?: (u: uPlot) => void;
  height?: number;
  /** Called with each PNG the chart's button saves. */
  onExport?: (name: string, blob: Blob) => void;
}

export interface Chart {
  plot: uPlot;
  setData(data: uPlot.AlignedData): void;
  redrawMarker(): void;
  destroy(): void;
}

function markerPlugin(get: () => number | null): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const x = get();
          if (x === null || !Number.isFinite(x)) return;
          const px = u.valToPos(x, 'x', true);
          if (px < u.bbox.left || px > u.bbox.left + u.bbox.width) return;
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = '#d7263d';
          ctx.lineWidth = 1.5 * uPlot.pxRatio;
          ctx.beginPath();
          ctx.moveTo(px, u.bbox.top);
          ctx.lineTo(px, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.restore();
        },
      ],
    },
  };
}

function onsetPlugin(onsets: Array<{ x: number; label: string }>): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          const r = uPlot.pxRatio;
          for (const o of onsets) {
            const px = u.valToPos(o.x, 'x', true);
            if (!Number.isFinite(px) || px < u.bbox.left || px > u.bbox.left + u.bbox.width) continue;
            ctx.save();
            ctx.strokeStyle = '#e8590c';
            ctx.lineWidth = 1.5 * r;
            ctx.setLineDash([5 * r, 3 * r]);
            ctx.beginPath();
            ctx.moveTo(px, u.bbox.top);
            ctx.lineTo(px, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.font = `${10 * r}px system-ui, sans-serif`;
            ctx.textBaseline = 'top';
            // On a white ground, so that the label reads over a raster too.
            ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
            ctx.fillRect(px + 2 * r, u.bbox.top + 1 * r, ctx.measureText(o.label).width + 2 * r, 12 * r);
            ctx.fillStyle = '#e8590c';
            ctx.fillText(o.label, px + 3 * r, u.bbox.top + 2 * r);
            ctx.restore();
          }
        },
      ],
    },
  };
}

function underlayPlugin(paint: (u: uPlot) => void): uPlot.Plugin {
  return { hooks: { drawAxes: [paint] } };
}

/**
 * Ticks for a value axis: the largest round step (1, 2, 2.5 or 5 times a power of ten) that
 * puts at least three ticks between min and max. uPlot's default keeps 30 px between ticks,
 * which on a panel chart a hundred pixels tall can leave a single label on the axis.
 */
export function valueSplits(min: number, max: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min)) return Number.isFinite(min) ? [min] : [];
  for (let e = Math.ceil(Math.log10(max - min)); e > Math.log10(max - min) - 4; e--) {
    for (const m of [5, 2.5, 2, 1]) {
      const step = m * 10 ** e;
      const first = Math.ceil(min / step - 1e-9);
      const last = Math.floor(max / step + 1e-9);
      // Multiplying integers (not adding steps) keeps 0.1 + 0.2 noise out of the labels.
      if (last - first >= 2) return Array.from({ length: last - first + 1 }, (_, k) => Number(((first + k) * step).toPrecision(12)));
    }
  }
  return [min, max];
}

export function createChart(parent: HTMLElement, spec: ChartSpec, data: uPlot.AlignedData): Chart {
  const box = document.createElement('div');
  box.className = 'chart';
  parent.appendChild(box);
  const width = () => Math.max(200, parent.clientWidth - 4);
  const hasY2 = spec.series.some((s) => s.scale === 'y2');
  const axes: uPlot.Axis[] = [
    // Without an axis label the title names the unit, which saves a line in a tight panel.
    spec.xTitle === false ? { size: 28 } : { label: spec.xLabel, size: 34, labelSize: 16 },
    { label: spec.yLabel, scale: 'y', size: 50, labelSize: 16, splits: (_u, _i, min, max) => valueSplits(min, max) },
  ];
  if (hasY2) axes.push({ label: spec.y2Label ?? '', scale: 'y2', side: 1, size: 46, labelSize: 16, grid: { show: false }, splits: (_u, _i, min, max) => valueSplits(min, max) });
  const opts: uPlot.Options = {
    title: spec.title,
    width: width(),
    height: spec.height ?? 170,
    scales: { x: { time: false }, ...(spec.yRange ? { y: { range: spec.yRange } } : {}) },
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    axes,
    plugins: [
      ...(spec.underlay ? [underlayPlugin(spec.underlay)] : []),
      ...(spec.onsets?.length ? [onsetPlugin(spec.onsets)] : []),
      ...(spec.marker ? [markerPlugin(spec.marker)] : []),
    ],
    series: [
      { label: spec.xLabel },
      ...spec.series.map((s): uPlot.Series => ({
        label: s.label,
        stroke: s.color,
        width: s.width ?? 1.5,
        scale: s.scale ?? 'y',
        dash: s.dash,
        spanGaps: true,
        points: s.points ? { show: true, size: 6, fill: s.color } : { show: false },
        ...(s.points ? { paths: () => null } : {}),
      })),
    ],
  };
  const plot = new uPlot(opts, data, box);
  const tools = document.createElement('div');
  tools.className = 'plot-tools';
  const png = document.createElement('button');
  png.type = 'button';
  png.textContent = 'PNG';
  png.title = 'save this chart as PNG';
  png.dataset.export = 'png';
  png.addEventListener('click', () => {
    void chartPng(plot, spec).then((blob) => {
      const name = `${fileSlug(spec.title)}.png`;
      download(blob, name);
      spec.onExport?.(name, blob);
    });
  });
  tools.appendChild(png);
  box.style.position = 'relative';
  box.appendChild(tools);
  const ro = new ResizeObserver(() => plot.setSize({ width: width(), height: opts.height }));
  ro.observe(parent);
  return {
    plot,
    setData: (d) => plot.setData(d),
    redrawMarker: () => plot.redraw(false, false),
    destroy() {
      ro.disconnect();
      plot.destroy();
      box.remove();
    },
  };
}

/** The chart as a PNG: its title, the plot canvas (axes and lines) and a legend line under it. */
function chartPng(plot: uPlot, spec: ChartSpec): Promise<Blob> {
  const src = plot.ctx.canvas;
  const r = uPlot.pxRatio;
  const head = Math.round(24 * r);
  const foot = Math.round(22 * r);
  const c = document.createElement('canvas');
  c.width = src.width;
  c.height = src.height + head + foot;
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.fillStyle = '#1f2933';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.font = `600 ${13 * r}px system-ui, sans-serif`;
  ctx.fillText(spec.title, c.width / 2, head / 2);
  ctx.drawImage(src, 0, head);
  ctx.font = `${11 * r}px system-ui, sans-serif`;
  ctx.textAlign = 'left';
  let x = 8 * r;
  const y = head + src.height + foot / 2;
  for (const s of spec.series) {
    ctx.fillStyle = s.color;
    ctx.fillRect(x, y - 2 * r, 14 * r, 4 * r);
    ctx.fillStyle = '#1f2933';
    ctx.fillText(s.label, x + 18 * r, y);
    x += 26 * r + ctx.measureText(s.label).width;
  }
  return new Promise((ok, fail) => c.toBlob((b) => (b ? ok(b) : fail(new Error('the browser could not encode the chart as PNG'))), 'image/png'));
}
