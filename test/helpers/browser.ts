/**
 * What the viewer's browser tests share: Debian's Chromium (headless, software WebGL), a
 * viewer/dist built from the sources in the tree, and the page's test hook type.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const repo = resolve(import.meta.dirname, '..', '..');
export const artifacts = join(repo, 'test-artifacts');
export const haveChromium = existsSync(CHROMIUM);
export const skipWithoutChromium = haveChromium ? false : `${CHROMIUM} not installed (apt-get install chromium)`;

/** Newest modification time under `dir` (recursively). */
function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newest(join(path, n))));
}

/** Builds viewer/dist when it is missing or older than the page's sources, so the test checks what is in the tree. */
export function ensureViewerBuilt(): void {
  const index = join(repo, 'viewer', 'dist', 'index.html');
  const sources = [join(repo, 'viewer', 'src'), join(repo, 'viewer', 'index.html'), join(repo, 'viewer', 'vite.config.ts'), join(repo, 'envs', 'replay.ts'), join(repo, 'envs', 'replay-internals.ts')];
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newest))) return;
  execFileSync('npm', ['run', '--silent', 'build:viewer'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // --disable-gpu leaves WebGL to Chromium's software renderer (SwiftShader), which works headless here.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** The page's test hook (documented in viewer/src/hook.ts), as seen from page.evaluate. */
export type { ViewerHook } from '../../viewer/src/hook-api.ts';
