/**
 * The viewer on a large folder: 100 runs of 500 generations (25 settings × 4 seeds, metrics
 * lines shaped like the trainer's, one replay each), generated in a temporary folder and
 * opened in Debian's headless Chromium. Prints how long the server takes to list the runs
 * and to look for changes, how long the page takes to open (list and the first runs' curves)
 * and to chart all 100, and the page's JavaScript heap. `npm run bench:viewer`.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRun } from '../test/helpers/make-run.ts';
import { ensureViewerBuilt, launchChromium } from '../test/helpers/browser.ts';
import { RunCatalog } from '../src/view/runs.ts';
import { startViewServer } from '../src/view/server.ts';

const RUNS = 100;
const SEEDS = 4;
const GENERATIONS = 500;

declare const window: { __viewer?: { ready(): boolean; curveCount(): number; curveLengths(): Record<string, number>; runs(): unknown[] } };

function metricsLine(g: number, run: number): string {
  const r = 200 + 150 * (1 - Math.exp(-g / 120)) + 10 * Math.sin(g / 7 + run) + run;
  return JSON.stringify({
    generation: g, returnMean: r, returnMax: r + 25, returnMin: r - 60, returnStd: 12, distanceMean: r / 300, testReturn: g % 4 === 0 ? r + 5 : null,
    testDistance: g % 4 === 0 ? r / 280 : null, testFitness: g % 4 === 0 ? r - 10 : null, bestTestReturn: r + 5, steps: 9600, totalSteps: 9600 * g,
    wallTime: 2.4 * g * (1 + (run % 5) / 10), stepsPerSec: 4000, overheadFraction: 0.01, limitWorst: 2.5, limitPast5Fraction: 0,
    strategy: { sigma: 0.08, lr: 0.04, gradNorm: 36.1, stepNorm: 2.58 },
  });
}

const ms = (t0: number) => `${(performance.now() - t0).toFixed(0)} ms`;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;

const root = mkdtempSync(join(tmpdir(), 'propamine-viewer-bench-'));
try {
  let t0 = performance.now();
  const base = join(root, 'base');
  await makeRun(base, 200);
  const folder = join(root, 'runs');
  for (let i = 0; i < RUNS; i++) {
    const setting = Math.floor(i / SEEDS);
    const seed = (i % SEEDS) + 1;
    const name = `set${String(setting).padStart(2, '0')}-s${seed}`;
    const dir = join(folder, name);
    mkdirSync(join(dir, 'replays'), { recursive: true });
    cpSync(join(base, 'replays'), join(dir, 'replays'), { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ name, seed, generations: GENERATIONS, policy: { type: 'snn', hidden: [32], rule: ['hebb', 'oja', 'bcm', 'none'][setting % 4], modulation: 'simple', leak: 0.8 + (setting % 7) / 50 }, strategy: { name: 'openai-es', popSize: 32, sigma: 0.08 }, maxSteps: 300 }, null, 2));
    writeFileSync(join(dir, 'metrics.jsonl'), Array.from({ length: GENERATIONS }, (_, g) => metricsLine(g + 1, i)).join('\n') + '\n');
  }
  console.log(`fixture: ${RUNS} runs × ${GENERATIONS} generations written in ${ms(t0)}`);

  const catalog = new RunCatalog(folder);
  t0 = performance.now();
  catalog.list();
  console.log(`server: listing ${RUNS} runs, cold (reads every config and metrics file): ${ms(t0)}`);
  t0 = performance.now();
  catalog.list();
  console.log(`server: listing again, nothing changed (stats only): ${ms(t0)}`);
  catalog.changes();
  t0 = performance.now();
  for (let i = 0; i < 10; i++) catalog.changes();
  console.log(`server: one poll for changes (what a listening page costs per second): ${((performance.now() - t0) / 10).toFixed(1)} ms`);

  ensureViewerBuilt();
  const server = await startViewServer({ runDir: folder });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const m = (await cdp.send('Performance.getMetrics')).metrics;
      return m.find((x) => x.name === 'JSHeapUsedSize')!.value;
    };
    t0 = performance.now();
    await page.goto(`${server.url}?play=0`);
    await page.waitForFunction(() => window.__viewer?.ready() === true, null, { timeout: 120_000 });
    await page.waitForFunction(() => Object.keys(window.__viewer!.curveLengths()).length > 0, null, { timeout: 120_000 });
    const first = await page.evaluate(() => Object.keys(window.__viewer!.curveLengths()).length);
    console.log(`page: first open (browser cold: WebGL set up, shaders compiled) with the run list, ${first} runs' curves and a replay on stage: ${ms(t0)}; JS heap ${mb(await heap())}`);
    t0 = performance.now();
    await page.reload();
    await page.waitForFunction((n) => window.__viewer?.runs().length === n, RUNS, { timeout: 120_000 });
    console.log(`page: opened again, run list shown: ${ms(t0)}`);
    const timing = await page.evaluate(() => {
      const p = (globalThis as unknown as { performance: { getEntriesByType(t: string): Array<{ name: string; responseEnd: number; domContentLoadedEventEnd?: number }> } }).performance;
      const nav = p.getEntriesByType('navigation')[0]!;
      const res = p.getEntriesByType('resource');
      // No named helper here: tsx would wrap it in a __name() call the page does not have.
      return { domContentLoaded: Math.round(nav.domContentLoadedEventEnd!), ...Object.fromEntries([['runList', /api\/runs/], ['firstMetrics', /metrics\.jsonl/]].map(([k, re]) => [k, Math.round(res.find((r) => (re as RegExp).test(r.name))?.responseEnd ?? NaN)])) } as Record<string, number>;
    });
    console.log(`page: opened again, milestones (ms from navigation): script run ${timing.domContentLoaded}, run list received ${timing.runList}, first metrics ${timing.firstMetrics}`);
    await page.waitForFunction(() => window.__viewer?.ready() === true && Object.keys(window.__viewer!.curveLengths()).length > 0, null, { timeout: 120_000 });
    console.log(`page: opened again, curves and replay shown: ${ms(t0)}`);

    t0 = performance.now();
    await page.check('#runs-all');
    await page.waitForFunction((n) => Object.keys(window.__viewer!.curveLengths()).length === n, RUNS, { timeout: 120_000 });
    const grouped = await page.evaluate(() => window.__viewer!.curveCount());
    console.log(`page: all ${RUNS} runs on the chart (${grouped} lines: seeds as mean and band): ${ms(t0)}; JS heap ${mb(await heap())}`);

    t0 = performance.now();
    await page.uncheck('#curve-group');
    await page.waitForFunction((n) => window.__viewer!.curveCount() === n, RUNS, { timeout: 60_000 });
    console.log(`page: redraw as ${RUNS} separate lines: ${ms(t0)}`);
    for (const axis of ['steps', 'time']) {
      t0 = performance.now();
      await page.selectOption('#curve-x', axis);
      console.log(`page: redraw against ${axis}: ${ms(t0)}`);
    }
    t0 = performance.now();
    await page.check('#curve-group');
    console.log(`page: regroup ${RUNS} runs by setting against wall time (interpolated means): ${ms(t0)}`);
    const dom = await page.evaluate(() => (globalThis as unknown as { document: { getElementsByTagName(t: string): { length: number } } }).document.getElementsByTagName('*').length);
    console.log(`page: ${dom} DOM elements; JS heap ${mb(await heap())}`);
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
