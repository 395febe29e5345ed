/**
 * The viewer's network charts in headless Chromium: a plastic SNN's replay of damage striking
 * mid-episode gets the raster, rate, M and |ΔH| charts under the episode charts, one point per
 * frame, the onset line where the frame says, the playback marker, and PNG export; an MLP's
 * replay gets none. Writes test-artifacts/viewer-internals.png for a person to look at.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { artifacts, ensureViewerBuilt, haveChromium, launchChromium, skipWithoutChromium, type ViewerHook } from './helpers/browser.ts';
import { startViewServer, type ViewServer } from '../src/view/server.ts';
import { loadRapier } from '../envs/rapier.ts';
import { ACT_SIZE, OBS_SIZE } from '../envs/ant-sim.ts';
import { validateCondition } from '../envs/conditions.ts';
import { recordEpisode } from '../workers/record.ts';
import { writeReplay } from '../src/replays.ts';
import { Rng } from '../core/rng.ts';
import { initParams, validatePolicyConfig } from '../policies/index.ts';

/** The root tsconfig has no DOM types: the globals the callbacks given to page.evaluate touch. */
declare const window: { __viewer?: ViewerHook };
interface PixelCanvas { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } }
declare const document: { querySelector(sel: string): unknown };

const root = mkdtempSync(join(tmpdir(), 'propamine-internals-'));
const STEPS = 80;
const ONSET = 30;
let server: ViewServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  if (!haveChromium) return;
  ensureViewerBuilt();
  const R = await loadRapier();
  const replays = join(root, 'replays');
  mkdirSync(replays, { recursive: true });
  writeFileSync(join(root, 'config.json'), JSON.stringify({ name: 'internals', seed: 1 }));
  writeFileSync(join(root, 'metrics.jsonl'), `${JSON.stringify({ generation: 1, returnMean: 10, returnMax: 12, steps: 100, totalSteps: 100 })}\n`);
  const episode = { seed: 3, condition: validateCondition({ name: 'ankle_1 from 30', jointDamage: [{ joint: 'ankle_1', mode: 'disabled' }], onset: ONSET }) };
  const snn = validatePolicyConfig({ type: 'snn', hidden: [32, 16], substeps: 4, rule: 'oja', modulation: 'simple', perNeuronModulation: true, plasticLayers: [0], readoutLeak: 0.5 });
  const params = initParams(snn, OBS_SIZE, ACT_SIZE, new Rng(2)).map((v) => 3 * v);
  writeReplay(replays, 'snn', recordEpisode(R, { policy: snn, params, normalizer: null, episode, world: { maxSteps: STEPS }, meta: { label: 'snn', generation: 1 } }));
  const mlp = validatePolicyConfig({ type: 'mlp', hidden: [16] });
  writeReplay(replays, 'mlp', recordEpisode(R, { policy: mlp, params: initParams(mlp, OBS_SIZE, ACT_SIZE, new Rng(2)), normalizer: null, episode, world: { maxSteps: STEPS }, meta: { label: 'mlp', generation: 1 } }));
  server = await startViewServer({ runDir: root });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 1400 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

async function open(query: string) {
  await page.goto(`${server.url}?${query}&play=0`);
  await page.waitForFunction(() => window.__viewer?.ready() === true, null, { timeout: 20_000 });
  assert.equal(await page.evaluate(() => window.__viewer!.error()), null);
  return page.evaluate(() => window.__viewer!.internals());
}

test('a plastic SNN\'s replay: raster, rate, M and |ΔH| on the episode\'s time axis with the onset and the marker; none for an MLP', { skip: skipWithoutChromium, timeout: 60_000 }, async () => {
  const s = await open('a=snn.json');
  assert.equal(await page.isVisible('#internals'), true);
  assert.equal(s.charts.length, 4, JSON.stringify(s.charts));
  assert.match(s.charts[0]!, /^Spikes per step \(32 \+ 16 neurons\)/);
  assert.match(s.charts[1]!, /^Firing rate/);
  assert.match(s.charts[2]!, /^Modulator M/);
  assert.match(s.charts[3]!, /^Change of H per step/);
  assert.equal(await page.locator('#internals-charts .uplot').count(), 4);
  assert.deepEqual(s.points, [STEPS + 1], 'one point per frame');
  // The onset line at the first frame under the damage, on the same axis as the episode charts.
  const frames = await page.evaluate(() => window.__viewer!.frames());
  assert.equal(frames, STEPS + 1);
  const dt = 0.05;
  assert.equal(s.onsets.length, 1);
  assert.ok(Math.abs(s.onsets[0]! - (ONSET + 1) * dt) < 1e-9, `onset at ${s.onsets[0]} s`);
  assert.ok(Math.abs(s.onsetPx[0]! / s.plotWidth - (ONSET + 1) / (frames - 1)) < 0.01, `onset drawn at ${s.onsetPx[0]} of ${s.plotWidth} px`);
  // Under the two episode charts, which stay as they were.
  assert.equal(await page.locator('#episode-charts .uplot').count(), 2);
  // The raster is drawn: dark pixels in its plot area.
  const dark = await page.evaluate(() => {
    const c = document.querySelector('#internals-charts .uplot canvas') as PixelCanvas;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 200 && d[i]! < 60 && d[i + 1]! < 70 && d[i + 2]! < 80) n++;
    return n;
  });
  assert.ok(dark > 500, `raster looks empty: ${dark} dark pixels`);
  // The marker moves with playback: seek, and the charts redraw (checked through the frame shown).
  await page.$eval('#timeline', (el) => {
    (el as unknown as { value: string }).value = '40';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  assert.equal(await page.evaluate(() => window.__viewer!.frame()), 40);
  // PNG export like the other charts.
  await page.locator('#internals-charts button[data-export="png"]').first().click();
  await page.waitForFunction(() => window.__viewer!.lastExport()?.name.startsWith('spikes-per-step') === true, null, { timeout: 10_000 });
  mkdirSync(artifacts, { recursive: true });
  await page.locator('#panel').screenshot({ path: join(artifacts, 'viewer-internals.png') });

  const m = await open('a=mlp.json');
  assert.deepEqual(m.charts, []);
  assert.equal(await page.isVisible('#internals'), false);
  assert.equal(await page.locator('#internals-charts .uplot').count(), 0);
  // Side by side with the SNN: only the SNN's raster, and its lines.
  const ab = await open('a=mlp.json&b=snn.json');
  assert.equal(ab.charts.length, 4);
  assert.match(ab.charts[0]!, /^B: Spikes/);
  assert.deepEqual(ab.points, [0, STEPS + 1]);
  assert.deepEqual(pageErrors, []);
});
