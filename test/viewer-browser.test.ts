/**
 * The viewer page in a real headless Chromium (Debian's, driven by playwright-core): it
 * draws the ants, plays, pauses, scrubs and steps, compares two replays side by side, and
 * says what is wrong with a corrupt, wrong-version or missing file. State is read through
 * the page's `window.__viewer` hook, not guessed from pixels. Writes a screenshot to
 * test-artifacts/viewer.png for a person to look at.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { makeRun } from './helpers/make-run.ts';
import { artifacts, ensureViewerBuilt, haveChromium, launchChromium, skipWithoutChromium, type ViewerHook } from './helpers/browser.ts';
import { startViewServer, type ViewServer } from '../src/view/server.ts';
import { withDigest } from '../envs/digest.ts';

/** The root tsconfig has no DOM types: the one global the callbacks given to page.evaluate touch. */
declare const window: { __viewer?: ViewerHook };

/** The browser's, for code passed to page.evaluate. */
declare const requestAnimationFrame: (callback: () => void) => number;

interface HookState {
  frame: number;
  frames: number;
  playing: boolean;
  speed: number;
  ants: number;
  error: string | null;
}

const root = mkdtempSync(join(tmpdir(), 'propamine-viewer-'));
const runDir = join(root, 'run');
const emptyRun = join(root, 'empty-run');
let server: ViewServer;
let emptyServer: ViewServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function state(): Promise<HookState> {
  return page.evaluate(() => {
    const v = window.__viewer!;
    return { frame: v.frame(), frames: v.frames(), playing: v.playing(), speed: v.speed(), ants: v.antCount(), error: v.error() };
  });
}

async function open(url: string): Promise<HookState> {
  await page.goto(url);
  await page.waitForFunction(() => window.__viewer?.ready() === true, null, { timeout: 20_000 });
  return state();
}

/** Adds replay files to the run's index (they are written by the caller). */
function addToIndex(entries: Array<{ file: string; label: string; conditionText: string }>): void {
  const path = join(runDir, 'replays', 'index.json');
  const index = JSON.parse(readFileSync(path, 'utf8')) as { replays: object[] };
  for (const e of entries) index.replays.push({ ...e, generation: 11, episodeSeed: 7, return: 0, distance: 0, steps: 60 });
  writeFileSync(path, JSON.stringify(index, null, 2));
}

before(async () => {
  if (!haveChromium) return;
  ensureViewerBuilt();
  // gen0011-3: a shin that shortens mid-episode (from step 20).
  await makeRun(runDir, 60, [{ name: 'short leg from step 20', legLength: [{ leg: 'back_right', factor: 0.6 }], onset: 20 }]);
  const replays = join(runDir, 'replays');
  // A condition that changed a link, to see the link colour (the tiny suite has none).
  const heavy = JSON.parse(readFileSync(join(replays, 'gen0011-0.json'), 'utf8'));
  heavy.conditionText = 'shin_3 mass ×3';
  heavy.highlights = { bodies: ['shin_3'], joints: [] };
  // Made on purpose, so it gets a digest of its own.
  writeFileSync(join(replays, 'gen0011-heavy.json'), JSON.stringify(withDigest(heavy)));
  const text = readFileSync(join(replays, 'gen0011-1.json'), 'utf8');
  writeFileSync(join(replays, 'gen0011-bad.json'), text.slice(0, Math.floor(text.length / 2)));
  writeFileSync(join(replays, 'gen0011-v2.json'), text.replace('"version":1', '"version":2'));
  // One changed digit in the poses: valid JSON, a valid replay, but not the file that was written.
  const pose = /"poses":\[([0-9.-]+)/.exec(text)!;
  writeFileSync(join(replays, 'gen0011-edited.json'), text.replace(pose[0], `"poses":[${Number(pose[1]) + 0.25}`));
  addToIndex([
    { file: 'gen0011-heavy.json', label: 'heavy shin_3', conditionText: 'shin_3 mass ×3' },
    { file: 'gen0011-bad.json', label: 'truncated', conditionText: 'truncated' },
    { file: 'gen0011-v2.json', label: 'future', conditionText: 'future' },
    { file: 'gen0011-edited.json', label: 'edited', conditionText: 'edited' },
    { file: 'gen0011-gone.json', label: 'gone', conditionText: 'gone' },
  ]);
  mkdirSync(emptyRun, { recursive: true });
  copyFileSync(join(runDir, 'config.json'), join(emptyRun, 'config.json'));
  server = await startViewServer({ runDir });
  emptyServer = await startViewServer({ runDir: emptyRun });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

after(async () => {
  await browser?.close();
  await server?.close();
  await emptyServer?.close();
  rmSync(root, { recursive: true, force: true });
});

const skip = skipWithoutChromium;

test('draws the ants side by side and plays, pauses, scrubs and steps', { skip, timeout: 60_000 }, async () => {
  let s = await open(`${server.url}?play=0`);
  assert.equal(s.error, null);
  assert.equal(s.ants, 2, 'nominal and damaged side by side by default');
  assert.equal(s.frames, 61);
  assert.equal(s.frame, 0);
  assert.equal(s.playing, false);

  const px = await page.evaluate(() => window.__viewer!.pixels());
  assert.ok(px.distinct > 30, `canvas looks blank: ${px.distinct} colours`);
  assert.ok(px.nonSky > 0.3, `canvas shows little but sky: ${px.nonSky}`);

  await page.click('#play');
  await page.waitForFunction(() => window.__viewer!.frame() > 3, null, { timeout: 10_000 });
  assert.equal((await state()).playing, true);
  await page.click('#play');
  const paused = await state();
  assert.equal(paused.playing, false);
  await page.waitForTimeout(300);
  assert.equal((await state()).frame, paused.frame, 'frame holds while paused');

  await page.$eval('#timeline', (el) => {
    (el as unknown as { value: string }).value = '30';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  assert.equal((await state()).frame, 30);
  await page.click('#step-fwd');
  assert.equal((await state()).frame, 31);
  await page.click('#step-back');
  await page.click('#step-back');
  assert.equal((await state()).frame, 29);
  await page.keyboard.press('ArrowRight');
  assert.equal((await state()).frame, 30);

  await page.selectOption('#speed', '4');
  assert.equal((await state()).speed, 4);
  await page.selectOption('#speed', '0.25');
  assert.equal((await state()).speed, 0.25);

  // The panel shows both episodes and the three charts (two per episode, one for training).
  assert.equal(await page.locator('#charts .uplot').count(), 2);
  assert.equal(await page.locator('#training-chart .plot').count(), 1);
  assert.match(await page.textContent('#stats') ?? '', /ankle_1 disabled/);
  assert.match(await page.textContent('.labels') ?? '', /B: ankle_1 disabled/);

  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'viewer.png') });

  await page.uncheck('#compare');
  await page.waitForFunction(() => window.__viewer!.antCount() === 1);
  await page.check('#compare');
  await page.waitForFunction(() => window.__viewer!.antCount() === 2);
  assert.deepEqual(pageErrors, []);
});

test('choosing replays by URL and by the pickers', { skip, timeout: 30_000 }, async () => {
  const s = await open(`${server.url}?a=gen0011-0.json&b=gen0011-heavy.json&play=0`);
  assert.equal(s.error, null);
  assert.equal(s.ants, 2);
  assert.deepEqual(await page.evaluate(() => window.__viewer!.replays()), ['gen0011-0.json', 'gen0011-heavy.json']);
  await page.$eval('#timeline', (el) => {
    (el as unknown as { value: string }).value = '40';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.screenshot({ path: join(artifacts, 'viewer-highlight.png') });
  // Single view from the URL, then B switched on and pointed at another condition.
  const one = await open(`${server.url}?a=gen0011-2.json&play=0`);
  assert.equal(one.ants, 1);
  assert.equal(await page.isChecked('#compare'), false);
  await page.check('#compare');
  await page.selectOption('#pick-b select[data-role="cond"]', 'gen0011-1.json');
  await page.waitForFunction(() => window.__viewer!.replays()[1] === 'gen0011-1.json');
  assert.match(page.url(), /a=gen0011-2\.json&b=gen0011-1\.json/);
  assert.deepEqual(pageErrors, []);
});

test('a condition that strikes mid-episode is drawn from its onset frame on', { skip, timeout: 30_000 }, async () => {
  const s = await open(`${server.url}?a=gen0011-0.json&b=gen0011-3.json&play=0`);
  assert.equal(s.error, null);
  const replay = JSON.parse(readFileSync(join(runDir, 'replays', 'gen0011-3.json'), 'utf8')) as { onsetFrame: number; bodiesBefore: unknown[] };
  assert.equal(replay.onsetFrame, 21);
  assert.equal(replay.bodiesBefore.length, 9);
  const seek = async (f: number) => {
    await page.$eval('#timeline', (el, v) => {
      (el as unknown as { value: string }).value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, f);
    // The stage applies a new time on its next animation frame.
    return page.evaluate(() => new Promise<boolean[]>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(window.__viewer!.struck())))));
  };
  assert.deepEqual(await seek(0), [true, false]);
  assert.deepEqual(await seek(20), [true, false]);
  assert.deepEqual(await seek(21), [true, true]);
  assert.deepEqual(await seek(5), [true, false], 'seeking back restores the nominal ant');
  assert.match(await page.textContent('.labels') ?? '', /back_right shin ×0\.6 from step 20/);
  assert.deepEqual(pageErrors, []);
});

test('corrupt, wrong-version and missing files show a clear message', { skip, timeout: 30_000 }, async () => {
  const bad = await open(`${server.url}?a=gen0011-bad.json&play=0`);
  assert.match(bad.error ?? '', /replays\/gen0011-bad\.json: not valid JSON \(truncated or corrupt file\?\)/);
  assert.equal(bad.ants, 0);
  assert.equal(await page.isVisible('#error'), true);
  assert.match(await page.textContent('#error') ?? '', /gen0011-bad\.json/);
  await page.screenshot({ path: join(artifacts, 'viewer-error.png') });

  const v2 = await open(`${server.url}?a=gen0011-v2.json&play=0`);
  assert.match(v2.error ?? '', /gen0011-v2\.json: unsupported version 2/);

  const gone = await open(`${server.url}?a=gen0011-gone.json&play=0`);
  assert.match(gone.error ?? '', /replays\/gen0011-gone\.json: file not found/);

  // Choosing a good replay again clears the message.
  await page.selectOption('#pick-a select[data-role="cond"]', 'gen0011-0.json');
  await page.waitForFunction(() => window.__viewer!.antCount() === 1 && window.__viewer!.error() === null);
  assert.equal(await page.isVisible('#error'), false);

  const empty = await open(`${emptyServer.url}`);
  assert.match(empty.error ?? '', /replays\/index\.json: file not found/);
  assert.match(empty.error ?? '', /metrics\.jsonl: file not found/);
  assert.equal(empty.ants, 0);
  assert.deepEqual(pageErrors, []);
});

test('a replay changed after it was written (one digit of a pose) is refused naming the file', { skip, timeout: 30_000 }, async () => {
  const edited = await open(`${server.url}?a=gen0011-edited.json&play=0`);
  assert.match(edited.error ?? '', /replays\/gen0011-edited\.json: its content does not match its digest \(it was changed after it was written\)/);
  assert.equal(edited.ants, 0);
  assert.deepEqual(pageErrors, []);
});

test('condition names are shown whole, and the training chart labels its return axis at several ticks', { skip, timeout: 30_000 }, async () => {
  // A quick run's curve: returns from about 290 to 350 over 80 generations, tested every 4th.
  const metricsPath = join(runDir, 'metrics.jsonl');
  const fixture = readFileSync(metricsPath, 'utf8');
  writeFileSync(metricsPath, Array.from({ length: 80 }, (_, i) => {
    const g = i + 1;
    return JSON.stringify({ generation: g, returnMean: 288 + (63 * g) / 80, returnMax: 300 + (70 * g) / 80, returnMin: 250, testReturn: g % 4 === 0 ? 290 + (60 * g) / 80 : null, steps: 9600, totalSteps: 9600 * g });
  }).join('\n') + '\n');
  try {
    const s = await open(`${server.url}?a=gen0011-0.json&b=gen0011-3.json&play=0`);
    assert.equal(s.error, null);
    const ticks = await page.evaluate(() => window.__viewer!.trainingTicks());
    assert.ok(ticks.length >= 3, `return axis labels: ${JSON.stringify(ticks)}`);
    // The condition select of B holds "short leg from step 20 (back_right shin ×0.6 from step 20)": its title shows it whole.
    const cond = await page.$eval('#pick-b select[data-role="cond"]', (el) => {
      const sel = el as unknown as { title: string; selectedIndex: number; options: ArrayLike<{ text: string; title: string }> };
      return { title: sel.title, text: sel.options[sel.selectedIndex]!.text, optionTitles: Array.from(sel.options).every((o) => o.title === o.text) };
    });
    assert.equal(cond.text, 'short leg from step 20 (back_right shin ×0.6 from step 20)');
    assert.equal(cond.title, cond.text);
    assert.ok(cond.optionTitles, 'every option has its whole name as its title');
    await page.screenshot({ path: join(artifacts, 'viewer-training.png') });
  } finally {
    writeFileSync(metricsPath, fixture);
  }
  assert.deepEqual(pageErrors, []);
});
