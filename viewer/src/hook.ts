/**
 * A read-only handle on the page's state at `window.__viewer`, for browser tests and for
 * poking at the page from the devtools console, so nobody has to guess state from pixels.
 *
 *   ready()     true once the run's files have been loaded (or a load error is shown)
 *   frame()     index of the recorded frame on stage (0-based)
 *   frames()    number of frames of the longest replay on stage
 *   playing()   whether playback is running
 *   speed()     playback speed (0.25 to 4)
 *   antCount()  ants on stage (2 in the side-by-side view)
 *   replays()   replay files on stage, A first
 *   struck()    per ant on stage: whether its condition is drawn yet (false before the
 *               onset of a condition that strikes mid-episode)
 *   error()     the message shown on the page, or null
 *   trainingTicks()  the tick labels drawn on the training chart's value axis
 *   curveLengths()   per charted run (by path): the generations loaded from its metrics.jsonl
 *   curveCount()     lines on the training chart (one per run, or per group of seeds)
 *   runs()      the runs the server lists: path, name, status, generations
 *   stress()    the stress charts drawn: suite, chart titles, whiskers drawn, onset speed lines
 *   internals() the network charts under the episode charts (none for replays without
 *               internals): titles, frames of internals per replay on stage, onset lines (s),
 *               where the first chart draws them (CSS px from its plot area's left) and that
 *               area's width
 *   lastExport()     the last file exported from the page (name and size in bytes), or null
 *   pixels()    renders once and samples the canvas: distinct colours and the share of
 *               pixels that differ from the sky, to tell a drawn scene from a blank one
 */
import type { ViewerHook } from './hook-api.ts';
export type { ViewerHook };

declare global {
  interface Window {
    __viewer?: ViewerHook;
  }
}

/** Samples a WebGL canvas right after `render()`, in the same task, while its buffer is still valid. */
export function samplePixels(canvas: HTMLCanvasElement, render: () => void, sky: [number, number, number]): { distinct: number; nonSky: number } {
  render();
  const n = 96;
  const c = document.createElement('canvas');
  c.width = n;
  c.height = n;
  const ctx = c.getContext('2d');
  if (!ctx) return { distinct: 0, nonSky: 0 };
  ctx.drawImage(canvas, 0, 0, n, n);
  const px = ctx.getImageData(0, 0, n, n).data;
  const colours = new Set<number>();
  let nonSky = 0;
  for (let i = 0; i < px.length; i += 4) {
    const r = px[i]!;
    const g = px[i + 1]!;
    const b = px[i + 2]!;
    colours.add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
    if (Math.abs(r - sky[0]) + Math.abs(g - sky[1]) + Math.abs(b - sky[2]) > 24) nonSky++;
  }
  return { distinct: colours.size, nonSky: nonSky / (n * n) };
}

export function installHook(hook: ViewerHook): void {
  window.__viewer = hook;
}
