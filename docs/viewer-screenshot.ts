/**
 * Makes docs/viewer.png, the README's picture of the viewer, from the committed runs of
 * docs/runs/snn-learning: a copy of them in a temporary folder, `propamine stress` on the
 * plastic SNN (react-s1), the static SNN (static-react-s1) and the MLP (mlp-s1) with the
 * held-out conditions that strike mid-episode, then `propamine view` on the folder in
 * Debian's headless Chromium, with the plastic and the static SNN side by side on the same
 * damaged body. `node --import tsx docs/viewer-screenshot.ts` (a few minutes on 2 cores).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureViewerBuilt, launchChromium } from '../test/helpers/browser.ts';
import { startViewServer } from '../src/view/server.ts';

declare const window: { __viewer?: { ready(): boolean; stress(): { suite: string | null }; curveCount(): number } };
declare const document: { querySelector(s: string): { scrollIntoView(): void } | null };

const repo = resolve(import.meta.dirname, '..');
const STRESSED = ['react-s1', 'static-react-s1', 'mlp-s1'];
const SUITE = 'heldout-onset';
/** The condition shown side by side: a leg that turns heavy mid-episode. */
const CONDITION_INDEX = '01';

const root = mkdtempSync(join(tmpdir(), 'propamine-screenshot-'));
try {
  const folder = join(root, 'snn-learning');
  cpSync(join(repo, 'docs', 'runs', 'snn-learning'), folder, { recursive: true });
  for (const run of STRESSED) {
    execFileSync(process.execPath, ['--import', 'tsx', join(repo, 'src', 'cli', 'main.ts'), 'stress', join(folder, run), '--suite', SUITE, '--episodes', '5', '--max-steps', '400', '--workers', '2'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  ensureViewerBuilt();
  const server = await startViewServer({ runDir: folder });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const a = `react-s1/stress-${SUITE}-${CONDITION_INDEX}.json`;
    const b = `static-react-s1/stress-${SUITE}-${CONDITION_INDEX}.json`;
    await page.goto(`${server.url}?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}&play=0`);
    await page.waitForFunction(() => window.__viewer?.ready() === true && window.__viewer.stress().suite !== null, null, { timeout: 120_000 });
    // Past the onset (step 100), when the heavy leg has struck.
    await page.$eval('#timeline', (el) => {
      (el as unknown as { value: string }).value = '180';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    // The training chart and the first stress charts in view.
    await page.evaluate(() => document.querySelector('#training')!.scrollIntoView());
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(repo, 'docs', 'viewer.png') });
    console.log('wrote docs/viewer.png');
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
