/**
 * The HTTP server behind `propamine view`: it serves the viewer page built ahead of time by
 * Vite (viewer/dist), the files of one directory (a run, or a folder of runs) under `/run/`,
 * the list of its runs at `/api/runs` and their changes as server-sent events at
 * `/api/events`, and nothing else.
 * Every request path is checked segment by segment and then by its real path, so `..`,
 * encoded separators, absolute paths and symlinks that point out of the root are refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { RunCatalog } from './runs.ts';

export interface ViewServerOptions {
  /** The run directory (`runs/<name>`), or a folder of run directories, whose files the page may read. */
  runDir: string;
  /** How often the run files are looked at for changes while a page listens (ms, default 1000). */
  pollMs?: number;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback by default so a run is not published to the network by accident. */
  host?: string;
  /** Built page; defaults to the package's viewer/dist (tests may point elsewhere). */
  distDir?: string;
}

export interface ViewServer {
  /** `http://host:port/`, ready to open. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** URL prefix under which the run directory is served. */
export const RUN_PREFIX = '/run/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Finds the built page. From source (tsx) this file is src/view/server.ts and the page is
 * ../../viewer/dist; from a tsc build it is dist/src/view/server.js and the page is
 * ../../../viewer/dist. Both are tried so either way of running works.
 */
export function findViewerDist(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const dir = resolve(here, up, 'viewer', 'dist');
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

export type ResolveResult = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404 };

/**
 * Maps a URL path (still percent-encoded, as it arrived) inside `root` to a regular file.
 * Decoding happens per segment after splitting, so `%2f` cannot forge a separator and
 * `%2e%2e` is seen as `..`. Dot segments and dotfiles are refused outright (the run's
 * atomic-write temp files are dotfiles too, and are never complete).
 */
export function resolveInside(root: string, encodedPath: string): ResolveResult {
  const segments: string[] = [];
  const parts = encodedPath.split('/');
  for (const [i, part] of parts.entries()) {
    // A trailing slash leaves one empty part; any other empty part is `//`, an absolute path in disguise.
    if (part === '') {
      if (i === parts.length - 1) continue;
      return { ok: false, status: 403 };
    }
    let seg: string;
    try {
      seg = decodeURIComponent(part);
    } catch {
      return { ok: false, status: 400 };
    }
    if (seg.startsWith('.') || seg.includes('/') || seg.includes('\\') || seg.includes('\0') || seg.includes(':')) {
      return { ok: false, status: 403 };
    }
    segments.push(seg);
  }
  if (segments.length === 0) return { ok: false, status: 404 };
  const candidate = join(root, ...segments);
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    return { ok: false, status: 404 };
  }
  // The root is itself a real path, so a symlink anywhere along the way that leaves it shows up here.
  if (!real.startsWith(root + sep)) return { ok: false, status: 403 };
  try {
    if (!statSync(real).isFile()) return { ok: false, status: 404 };
  } catch {
    return { ok: false, status: 404 };
  }
  return { ok: true, file: real };
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${text}\n`);
}

const STATUS_TEXT: Record<number, string> = { 400: 'bad request', 403: 'forbidden', 404: 'not found' };

function sendJson(res: ServerResponse, value: unknown, head: boolean): void {
  const body = JSON.stringify(value);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

/**
 * Tells every listening page which runs changed: one poll of file sizes and modification
 * times for all listeners, running only while someone listens. Polling, not fs.watch: it
 * behaves the same on every platform and file system, and atomic renames do not lose it.
 */
class ChangeFeed {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private beats = 0;

  constructor(
    private readonly catalog: RunCatalog,
    private readonly pollMs: number,
  ) {}

  add(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    // The retry hint makes the browser reconnect quickly after `propamine view` restarts.
    res.write('retry: 1000\n\n');
    this.clients.add(res);
    res.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stop();
    });
    if (!this.timer) {
      this.catalog.changes();
      this.timer = setInterval(() => this.poll(), this.pollMs);
    }
  }

  private poll(): void {
    let msg: string | null = null;
    try {
      const c = this.catalog.changes();
      if (c.runs.length || c.list) msg = `event: change\ndata: ${JSON.stringify(c)}\n\n`;
    } catch {
      // A directory that vanished mid-scan is seen whole on the next poll.
    }
    // A comment now and then keeps proxies and idle timeouts from closing the stream.
    if (!msg && ++this.beats % 15 === 0) msg = ': keep-alive\n\n';
    if (msg) for (const res of this.clients) res.write(msg);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  closeAll(): void {
    this.stop();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}

function handler(runRoot: string, distRoot: string, catalog: RunCatalog, feed: ChangeFeed) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'method not allowed');
      return;
    }
    const raw = req.url ?? '';
    // Only origin-form targets (`/path`); an absolute-form target names another host or scheme.
    if (!raw.startsWith('/')) {
      send(res, 403, 'forbidden');
      return;
    }
    const path = raw.split(/[?#]/, 1)[0]!;
    if (path === '/api/runs') {
      sendJson(res, catalog.list(), req.method === 'HEAD');
      return;
    }
    if (path === '/api/events') {
      if (req.method === 'HEAD') {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
        res.end();
      } else feed.add(res);
      return;
    }
    let result: ResolveResult;
    let isRun = false;
    if (path.startsWith(RUN_PREFIX)) {
      isRun = true;
      result = resolveInside(runRoot, path.slice(RUN_PREFIX.length));
    } else if (path === '/' || path === '/index.html') {
      result = resolveInside(distRoot, 'index.html');
    } else {
      result = resolveInside(distRoot, path.slice(1));
    }
    if (!result.ok) {
      send(res, result.status, STATUS_TEXT[result.status]!);
      return;
    }
    const file = result.file;
    const size = statSync(file).size;
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': String(size),
      // Run files change while training goes on; the page's hashed assets never do.
      'cache-control': isRun || file.endsWith('.html') ? 'no-store' : 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}

/** Serves the viewer for a run or a folder of runs; rejects with one clear message when the directory or the page is missing. */
export async function startViewServer(opts: ViewServerOptions): Promise<ViewServer> {
  const runDir = resolve(opts.runDir);
  let runStat;
  try {
    runStat = statSync(runDir);
  } catch {
    throw new Error(`run directory not found: ${opts.runDir}`);
  }
  if (!runStat.isDirectory()) throw new Error(`not a run directory: ${opts.runDir}`);
  const dist = opts.distDir ? resolve(opts.distDir) : findViewerDist();
  if (!dist || !existsSync(join(dist, 'index.html'))) {
    throw new Error(`the viewer page is not built (viewer/dist/index.html missing): run \`npm run build:viewer\``);
  }
  const runRoot = realpathSync(runDir);
  const distRoot = realpathSync(dist);
  const host = opts.host ?? '127.0.0.1';
  const catalog = new RunCatalog(runRoot);
  const feed = new ChangeFeed(catalog, opts.pollMs ?? 1000);
  const server = createServer(handler(runRoot, distRoot, catalog, feed));
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        feed.closeAll();
        server.close(() => ok());
        // Keep-alive connections from a browser would hold close() open otherwise.
        server.closeAllConnections();
      }),
  };
}
