/** The page's test hook at `window.__viewer` (each method documented in hook.ts); no DOM types, so the Node-side tests use it too. */
export interface ViewerHook {
  ready(): boolean;
  frame(): number;
  frames(): number;
  playing(): boolean;
  speed(): number;
  antCount(): number;
  replays(): string[];
  struck(): boolean[];
  error(): string | null;
  trainingTicks(): string[];
  curveLengths(): Record<string, number>;
  curveCount(): number;
  runs(): Array<{ path: string; name: string; status: string; generations: number }>;
  lastExport(): { name: string; bytes: number } | null;
  stress(): { suite: string | null; charts: string[]; intervals: number; onsetLines: number };
  internals(): { charts: string[]; points: number[]; onsets: number[]; onsetPx: number[]; plotWidth: number };
  pixels(): { distinct: number; nonSky: number };
}
