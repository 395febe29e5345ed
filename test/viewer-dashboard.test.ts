/**
 * The viewer as a dashboard, in Debian's headless Chromium: a run that trains on while the
 * page is open is shown without a reload; a folder of runs gets a run list and overlaid
 * learning curves (seeds as mean and band); replays from two runs play side by side on the
 * same condition and episode; stress reports become interval charts; charts and replays
 * export to files; broken files in one run are a message, not a blank page.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { makeRun } from './helpers/make-run.ts';
import { artifacts, ensureViewerBuilt, haveChromium, launchChromium, skipWithoutChromium, type ViewerHook } from './helpers/browser.ts';
import { startViewServer, type ViewServer } from '../src/view/server.ts';

/** The root tsconfig has no DOM types: the globals the callbacks given to page.evaluate touch. */
declare const window: { __viewer?: ViewerHook; __sameDocument?: boolean };
declare const document: { querySelector(s: string): { value: string; dispatchEvent(e: unknown): void } | null };

const root = mkdtempSync(join(tmpdir(), 'propamine-dashboard-'));
const base = join(root, 'base');
const folder = join(root, 'exp');
const liveDir = join(root, 'live');
const emptyFolder = join(root, 'later');
let folderServer: ViewServer;
let liveServer: ViewServer;
let emptyServer: ViewServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

function metricLine(g: number, scale: number): string {
  return JSON.stringify({ generation: g, returnMean: scale * (200 + 40 * g), returnMax: scale * (260 + 50 * g), returnMin: 100, testReturn: g % 3 === 0 ? scale * (250 + 45 * g) : null, testDistance: g % 3 === 0 ? 0.2 * g : null, steps: 64000, totalSteps: 64000 * (g + 1), wallTime: 10 * scale * (g + 1) });
}

function stressReport(shift: number): object {
  const cond = (name: string, description: string, d: number) => ({
    name, description, returns: [1, 2], distances: [1, 2], steps: [60, 60], returnMean: 300 + 50 * d, returnCI95: 20, distanceMean: d, distanceCI95: 0.2,
    falls: 0, limitWorst: 0, limitPast5: 0, onsetStep: 20, onsetDistances: [d / 2], onsetDistanceMean: d / 2, onsetDistanceCI95: 0.1,
    onsetDistanceDegradationPct: null, returnDegradationPct: null, distanceDegradationPct: name === 'nominal' ? 0 : 100 * (1 - d / (2 + shift)),
  });
  return { format: 'propamine-stress', version: 1, suite: 'heldout-onset', policy: 'x', episodes: 2, seed: 777, maxSteps: 60, episodeSeeds: [7, 8],
    conditions: [cond('nominal', 'nominal from step 20', 2 + shift), cond('short leg', 'back_right shin ×0.6 from step 20', 1 + shift)] };
}

/** A copy of the base run with its own config, curve and stress report (and stress replays named as `propamine stress` names them). */
function cloneRun(dir: string, name: string, seed: number, rule: string, scale: number, more: Record<string, unknown> = {}): void {
  cpSync(base, dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ name, outDir: 'exp', seed, generations: 20, policy: { type: 'snn', hidden: [32], rule, modulation: rule === 'none' ? 'none' : 'simple' }, strategy: { name: 'openai-es', popSize: 16, sigma: 0.05 }, maxSteps: 60, ...more }, null, 2));
  writeFileSync(join(dir, 'metrics.jsonl'), Array.from({ length: 12 }, (_, g) => metricLine(g, scale)).join('\n') + '\n');
  mkdirSync(join(dir, 'stress'));
  writeFileSync(join(dir, 'stress', 'heldout-onset.json'), JSON.stringify(stressReport(scale - 1)));
  const replays = join(dir, 'replays');
  cpSync(join(replays, 'gen0011-0.json'), join(replays, 'stress-heldout-onset-00.json'));
  cpSync(join(replays, 'gen0011-3.json'), join(replays, 'stress-heldout-onset-01.json'));
  const index = JSON.parse(readFileSync(join(replays, 'index.json'), 'utf8')) as { replays: object[] };
  index.replays.push({ file: 'stress-heldout-onset-00.json', label: 'stress heldout-onset: nominal', conditionText: 'nominal', generation: 11, episodeSeed: 7, return: 0, distance: 0, steps: 60 });
  index.replays.push({ file: 'stress-heldout-onset-01.json', label: 'stress heldout-onset: short leg', conditionText: 'back_right shin ×0.6 from step 20', generation: 11, episodeSeed: 7, return: 0, distance: 0, steps: 60 });
  writeFileSync(join(replays, 'index.json'), JSON.stringify(index));
}

/** Writes as the trainer does: a temp file renamed over the old one. */
function atomicWrite(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

async function open(url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => window.__viewer?.ready() === true, null, { timeout: 30_000 });
}

/** Calls `fn` with the page's hook, in the page. */
const hook = <T>(fn: (v: ViewerHook) => T) => page.evaluate(`(${fn.toString()})(window.__viewer)`) as Promise<T>;

before(async () => {
  if (!haveChromium) return;
  ensureViewerBuilt();
  await makeRun(base, 60, [{ name: 'short leg from step 20', legLength: [{ leg: 'back_right', factor: 0.6 }], onset: 20 }]);
  cloneRun(join(folder, 'plastic-s1'), 'plastic-s1', 1, 'oja', 1);
  cloneRun(join(folder, 'plastic-s2'), 'plastic-s2', 2, 'oja', 1.1);
  cloneRun(join(folder, 'static-s1'), 'static-s1', 1, 'none', 0.8, { stages: [{ from: 11, maxSteps: 90 }, { from: 12, strategy: { popSize: 64 } }] });
  // A run whose config and stress report were cut short mid-write.
  cloneRun(join(folder, 'broken'), 'broken', 3, 'oja', 1);
  writeFileSync(join(folder, 'broken', 'config.json'), '{"name": "bro');
  writeFileSync(join(folder, 'broken', 'stress', 'heldout-onset.json'), '{"format": "propamine-stress", "vers');
  cpSync(base, liveDir, { recursive: true });
  folderServer = await startViewServer({ runDir: folder, pollMs: 150 });
  liveServer = await startViewServer({ runDir: liveDir, pollMs: 150 });
  mkdirSync(emptyFolder);
  emptyServer = await startViewServer({ runDir: emptyFolder, pollMs: 150 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 960 }, acceptDownloads: true });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await folderServer?.close();
  await liveServer?.close();
  await emptyServer?.close();
  rmSync(root, { recursive: true, force: true });
});

const skip = skipWithoutChromium;

test('a run that trains on while the page is open: new generations, replays and a resume appear without a reload', { skip, timeout: 90_000 }, async () => {
  await open(`${liveServer.url}?play=0`);
  assert.equal(await hook((v) => v.error()), null);
  assert.deepEqual(await hook((v) => v.curveLengths()), { '': 12 });
  const first = await hook((v) => v.replays());
  assert.equal(first[0], 'gen0011-0.json');
  await page.evaluate(() => (window.__sameDocument = true));

  // Generation 12 finishes: a metrics line and a replay of the new center.
  appendFileSync(join(liveDir, 'metrics.jsonl'), metricLine(12, 1) + '\n');
  const replays = join(liveDir, 'replays');
  cpSync(join(replays, 'gen0011-0.json'), join(replays, 'gen0012-0.json'));
  const index = JSON.parse(readFileSync(join(replays, 'index.json'), 'utf8')) as { replays: Array<Record<string, unknown>> };
  index.replays.push({ ...index.replays[0], file: 'gen0012-0.json', label: 'center after generation 12', generation: 12 });
  atomicWrite(join(replays, 'index.json'), JSON.stringify(index));
  await page.waitForFunction(() => window.__viewer!.curveLengths()[''] === 13 && window.__viewer!.replays()[0] === 'gen0012-0.json', null, { timeout: 20_000 });
  assert.match(await page.textContent('#pick-a select[data-role="gen"]') ?? '', /latest \(gen 12\)/);

  // A generation half written: the chart keeps what is complete and says what it skipped.
  appendFileSync(join(liveDir, 'metrics.jsonl'), metricLine(13, 1).slice(0, 40));
  await page.waitForFunction(() => /line 14 is incomplete/.test(window.__viewer!.error() ?? ''), null, { timeout: 20_000 });
  assert.equal((await hook((v) => v.curveLengths()))[''], 13);

  // The run is resumed: metrics.jsonl is rewritten whole, with more generations.
  atomicWrite(join(liveDir, 'metrics.jsonl'), Array.from({ length: 16 }, (_, g) => metricLine(g, 1)).join('\n') + '\n');
  await page.waitForFunction(() => window.__viewer!.curveLengths()[''] === 16 && window.__viewer!.error() === null, null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
  assert.deepEqual(pageErrors, []);
});

test('a folder opened before its first run: the run, its curve and its replays appear when it starts', { skip, timeout: 60_000 }, async () => {
  await open(`${emptyServer.url}?play=0`);
  assert.match(await hook((v) => v.error()) ?? '', /no runs here/);
  await page.evaluate(() => (window.__sameDocument = true));
  cloneRun(join(emptyFolder, 'first-s1'), 'first-s1', 1, 'oja', 1);
  await page.waitForFunction(() => window.__viewer!.curveLengths()['first-s1'] === 12 && window.__viewer!.replays()[0] === 'first-s1/gen0011-0.json', null, { timeout: 20_000 });
  assert.equal(await hook((v) => v.error()), null);
  assert.equal(await page.evaluate(() => window.__sameDocument), true);
  assert.deepEqual(pageErrors, []);
});

test('a folder of runs: the list says what differs, curves are overlaid, seeds as mean and band', { skip, timeout: 60_000 }, async () => {
  await open(`${folderServer.url}?play=0`);
  const runs = await hook((v) => v.runs());
  assert.deepEqual(runs.map((r) => r.path), ['broken', 'plastic-s1', 'plastic-s2', 'static-s1']);
  const table = await page.textContent('#runs') ?? '';
  assert.match(table, /4 runs/);
  assert.match(table, /config\.json: not valid JSON/, 'the broken run says what is wrong in its row');
  assert.match(table, /openai-es ×16/);
  assert.match(table, /gen · 60 steps, 90 from 11/, 'a staged run\'s longer episodes are in its budget');
  assert.match(table, /openai-es ×16, 64 from 12/, 'a staged run\'s other population is in its strategy');
  assert.doesNotMatch(table, /strategy\.sigma/, 'fields all readable configs share are not differences');
  // The two plastic seeds are one line (mean and band), the static run another; the broken run has no curve of its own config.
  await page.waitForFunction(() => window.__viewer!.curveCount() >= 2, null, { timeout: 15_000 });
  const grouped = await hook((v) => v.curveCount());
  await page.uncheck('#curve-group');
  await page.waitForFunction((n) => window.__viewer!.curveCount() > n, grouped, { timeout: 10_000 });
  assert.equal(await hook((v) => v.curveCount()), 4);
  for (const axis of ['steps', 'time', 'generation']) {
    await page.selectOption('#curve-x', axis);
    assert.equal(await hook((v) => v.curveCount()), 4, `curves against ${axis}`);
    assert.ok((await hook((v) => v.trainingTicks())).length >= 3);
  }
  await page.check('#curve-group');
  assert.equal(await hook((v) => v.curveCount()), grouped);
  // Taking runs off the chart.
  await page.uncheck('#runs input[data-run="static-s1"]');
  await page.waitForFunction((n) => window.__viewer!.curveCount() === n - 1, grouped, { timeout: 10_000 });
  await page.check('#runs input[data-run="static-s1"]');
  await page.waitForFunction((n) => window.__viewer!.curveCount() === n, grouped, { timeout: 10_000 });
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'viewer-runs.png') });
  assert.deepEqual(pageErrors, []);
});

test('replays of two runs side by side, on the same condition and episode', { skip, timeout: 60_000 }, async () => {
  await open(`${folderServer.url}?a=plastic-s1/gen0011-3.json&b=static-s1/gen0011-3.json`);
  assert.equal(await hook((v) => v.antCount()), 2);
  assert.deepEqual(await hook((v) => v.replays()), ['plastic-s1/gen0011-3.json', 'static-s1/gen0011-3.json']);
  await page.waitForFunction(() => window.__viewer!.frame() > 3, null, { timeout: 15_000 });
  assert.match(await page.textContent('.labels') ?? '', /B: static-s1 · back_right shin ×0\.6 from step 20/);
  assert.match(await page.textContent('#stats') ?? '', /plastic-s1[\s\S]*static-s1/);
  // Choosing another run for B keeps B's condition and episode.
  await page.selectOption('#pick-b select[data-role="run"]', 'plastic-s2');
  await page.waitForFunction(() => window.__viewer!.replays()[1] === 'plastic-s2/gen0011-3.json', null, { timeout: 15_000 });
  assert.match(page.url(), /b=plastic-s2%2Fgen0011-3\.json|b=plastic-s2\/gen0011-3\.json/);
  assert.deepEqual(pageErrors, []);
});

test('stress reports as charts: intervals per condition, and the speed around the onset', { skip, timeout: 60_000 }, async () => {
  await open(`${folderServer.url}?play=0`);
  await page.waitForFunction(() => window.__viewer!.stress().suite !== null, null, { timeout: 20_000 });
  const s = await hook((v) => v.stress());
  assert.equal(s.suite, 'heldout-onset');
  assert.deepEqual(s.charts.map((t) => t.replace(/:.*/, '')), ['Stress heldout-onset', 'Stress heldout-onset', 'Stress heldout-onset', 'Stress heldout-onset', 'Speed around the onset']);
  // 3 readable runs × 2 conditions with a whisker each on distance, return and distance after the onset, and nominal's share of itself and the other condition's on the kept-share chart.
  assert.equal(s.intervals, 3 * 2 * 4);
  // Per run: the struck condition and nominal.
  assert.equal(s.onsetLines, 3 * 2);
  assert.match(await hook((v) => v.error()) ?? '', /broken\/stress\/heldout-onset\.json: not valid JSON/);
  await page.$eval('#panel', (el) => ((el as unknown as { scrollTop: number; scrollHeight: number }).scrollTop = (el as unknown as { scrollHeight: number }).scrollHeight));
  await page.screenshot({ path: join(artifacts, 'viewer-stress.png') });
  assert.deepEqual(pageErrors, []);
});

test('charts export as PNG and SVG files', { skip, timeout: 60_000 }, async () => {
  await open(`${folderServer.url}?play=0`);
  for (const kind of ['png', 'svg']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#training-chart button[data-export="${kind}"]`)]);
    const path = join(root, `chart.${kind}`);
    await download.saveAs(path);
    assert.ok(statSync(path).size > 500, `${kind}: ${statSync(path).size} bytes`);
    assert.match(download.suggestedFilename(), new RegExp(`^training.*\\.${kind}$`));
    const head = readFileSync(path).subarray(0, 8);
    if (kind === 'png') assert.deepEqual([...head.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    else assert.match(readFileSync(path, 'utf8'), /^<svg [\s\S]*plastic ×2 seeds \(band: min–max\)[\s\S]*<\/svg>/);
  }
  // The episode charts (uPlot) save as PNG too.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#episode-charts button[data-export="png"] >> nth=1')]);
  const path = join(root, 'episode.png');
  await download.saveAs(path);
  assert.equal(download.suggestedFilename(), 'forward-distance-and-speed-over-time-s.png');
  assert.ok(statSync(path).size > 500);
  assert.deepEqual(pageErrors, []);
});

test('the A/B pair on stage exports as a WebM video', { skip, timeout: 90_000 }, async () => {
  await open(`${folderServer.url}?a=plastic-s1/gen0011-3.json&b=static-s1/gen0011-3.json&play=0`);
  await page.selectOption('#speed', '4');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('#record')]);
  const path = join(root, 'pair.webm');
  await download.saveAs(path);
  assert.equal(download.suggestedFilename(), 'plastic-s1-gen0011-3-vs-static-s1-gen0011-3.webm');
  const bytes = readFileSync(path);
  assert.ok(bytes.length > 1000, `${bytes.length} bytes`);
  // The EBML magic number that starts every WebM (Matroska) file.
  assert.deepEqual([...bytes.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3]);
  assert.equal((await hook((v) => v.lastExport()))?.bytes, bytes.length);
  // The video shows the scene, not a blank or black picture: decoded in the page, a picture sampled.
  const picture = await page.evaluate(async (b64) => {
    const g = globalThis as unknown as {
      atob(s: string): string;
      document: { createElement(t: string): any };
      URL: { createObjectURL(b: unknown): string };
      Blob: new (parts: unknown[], o: { type: string }) => unknown;
    };
    const raw = g.atob(b64);
    const buf = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) buf[i] = raw.charCodeAt(i);
    const video = g.document.createElement('video');
    video.muted = true;
    video.src = g.URL.createObjectURL(new g.Blob([buf], { type: 'video/webm' }));
    await new Promise((ok, fail) => {
      video.onloadeddata = ok;
      video.onerror = () => fail(new Error('the browser cannot decode the video'));
    });
    // A recorded WebM often has no duration in its header: seeking far past the end makes the
    // browser scan to it, after which the duration is known.
    if (!Number.isFinite(video.duration)) {
      video.currentTime = 1e9;
      await new Promise((ok) => (video.onseeked = ok));
    }
    // The middle of the video: well into the recording, past any start-up picture.
    video.currentTime = Number.isFinite(video.duration) && video.duration > 0 ? video.duration / 2 : 0.4;
    await new Promise((ok) => (video.onseeked = ok));
    const c = g.document.createElement('canvas');
    c.width = 64;
    c.height = 64;
    const ctx = c.getContext('2d');
    ctx.drawImage(video, 0, 0, 64, 64);
    const px = ctx.getImageData(0, 0, 64, 64).data as Uint8ClampedArray;
    const colours = new Set<number>();
    for (let i = 0; i < px.length; i += 4) colours.add(((px[i]! >> 3) << 10) | ((px[i + 1]! >> 3) << 5) | (px[i + 2]! >> 3));
    return { width: video.videoWidth as number, colours: colours.size, at: video.currentTime as number, duration: video.duration as number };
  }, bytes.toString('base64'));
  assert.ok(picture.width > 100, `video width ${picture.width}`);
  assert.ok(picture.colours > 30, `the video's picture at ${picture.at} s of ${picture.duration} s has ${picture.colours} colours`);
  assert.equal(await hook((v) => v.playing()), false, 'recording plays the replay once, to its end');
  assert.equal(await page.getAttribute('#record', 'aria-label'), 'record video');
  assert.doesNotMatch(await hook((v) => v.error()) ?? '', /video/);
  assert.deepEqual(pageErrors, []);
});

