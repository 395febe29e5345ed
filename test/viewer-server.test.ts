/**
 * The viewer's HTTP server and the `propamine view` command: it serves the built page and
 * the run's files, and nothing outside them, whatever the request path looks like.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startViewServer, resolveInside, type ViewServer } from '../src/view/server.ts';
import { viewCommand } from '../src/cli/view.ts';

const root = mkdtempSync(join(tmpdir(), 'propamine-view-'));
const runDir = join(root, 'runs', 'demo');
const distDir = join(root, 'dist');
const outside = join(root, 'secret.txt');
let server: ViewServer;

/** Sends the path exactly as written: fetch() would normalise `..` away before the server saw it. */
function get(path: string, method = 'GET'): Promise<{ status: number; body: string; type: string }> {
  const url = new URL(server.url);
  return new Promise((ok, fail) => {
    const req = request({ host: url.hostname, port: url.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', fail);
    req.end();
  });
}

before(async () => {
  mkdirSync(join(runDir, 'replays'), { recursive: true });
  mkdirSync(join(distDir, 'assets'), { recursive: true });
  writeFileSync(join(distDir, 'index.html'), '<!doctype html><title>viewer</title>');
  writeFileSync(join(distDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(runDir, 'config.json'), '{"name":"demo"}');
  writeFileSync(join(runDir, 'metrics.jsonl'), '{"generation":0}\n');
  writeFileSync(join(runDir, 'replays', 'index.json'), '{"version":1,"replays":[]}');
  writeFileSync(join(runDir, 'replays', '.index.json.1.tmp'), '{"half');
  writeFileSync(outside, 'do not serve');
  symlinkSync(outside, join(runDir, 'leak.txt'));
  symlinkSync(root, join(runDir, 'up'));
  symlinkSync(join(runDir, 'config.json'), join(runDir, 'alias.json'));
  server = await startViewServer({ runDir, distDir });
});

after(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

test('binds to loopback on a free port by default', () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(server.port > 0);
});

test('serves the page and its assets', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(page.type, /text\/html/);
  assert.match(page.body, /<title>viewer/);
  const js = await get('/assets/app.js');
  assert.equal(js.status, 200);
  assert.match(js.type, /javascript/);
});

test('serves run files under /run/', async () => {
  const cfg = await get('/run/config.json');
  assert.equal(cfg.status, 200);
  assert.equal(JSON.parse(cfg.body).name, 'demo');
  assert.equal((await get('/run/replays/index.json')).status, 200);
  assert.equal((await get('/run/metrics.jsonl?x=1')).status, 200);
  // A symlink that stays inside the run is fine.
  assert.equal((await get('/run/alias.json')).status, 200);
  assert.equal((await get('/run/config.json', 'HEAD')).status, 200);
});

test('missing files and directories are 404', async () => {
  assert.equal((await get('/run/replays/nope.json')).status, 404);
  assert.equal((await get('/run/replays')).status, 404);
  assert.equal((await get('/run/')).status, 404);
  assert.equal((await get('/nope.html')).status, 404);
});

test('traversal, encoded traversal, absolute paths and escaping symlinks are refused', async () => {
  const attempts = [
    '/run/../../etc/passwd',
    '/run/../secret.txt',
    '/run/%2e%2e/%2e%2e/etc/passwd',
    '/run/%2E%2E/secret.txt',
    '/run/..%2f..%2fsecret.txt',
    '/run/replays/..%2F..%2F..%2Fsecret.txt',
    '/run/%2fetc%2fpasswd',
    '/run//etc/passwd',
    '//etc/passwd',
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/run/..%5c..%5csecret.txt',
    '/run/%00config.json',
    '/run/leak.txt',
    '/run/up/secret.txt',
    '/run/replays/.index.json.1.tmp',
    `/run/${encodeURIComponent(outside)}`,
    '/run/C:%5cWindows',
    '/run/%zz',
  ];
  for (const path of attempts) {
    const res = await get(path);
    assert.ok([400, 403, 404].includes(res.status), `${path} answered ${res.status}`);
    assert.doesNotMatch(res.body, /do not serve|root:/, path);
  }
  // An absolute-form request target (a proxy request) is refused too.
  const abs = await get(`http://127.0.0.1:${server.port}/run/config.json`);
  assert.equal(abs.status, 403);
});

test('only GET and HEAD', async () => {
  assert.equal((await get('/run/config.json', 'POST')).status, 405);
  assert.equal((await get('/run/config.json', 'DELETE')).status, 405);
});

test('resolveInside checks segments before touching the disk', () => {
  assert.deepEqual(resolveInside(runDir, '..'), { ok: false, status: 403 });
  assert.deepEqual(resolveInside(runDir, 'a/%2e%2e'), { ok: false, status: 403 });
  assert.deepEqual(resolveInside(runDir, ''), { ok: false, status: 404 });
});

test('a missing run directory is one clear error naming it', async () => {
  const missing = join(root, 'runs', 'absent');
  await assert.rejects(startViewServer({ runDir: missing, distDir }), (e: Error) => {
    assert.equal(e.message, `run directory not found: ${missing}`);
    return true;
  });
  await assert.rejects(startViewServer({ runDir: join(runDir, 'config.json'), distDir }), /not a run directory/);
});

test('/api/runs lists the run when the directory is one, and the runs below a folder', async () => {
  const one = JSON.parse((await get('/api/runs')).body) as { single: boolean; runs: Array<{ path: string; name: string; generations: number }> };
  assert.equal(one.single, true);
  assert.deepEqual(one.runs.map((r) => [r.path, r.name, r.generations]), [['', 'demo', 1]]);

  const folder = join(root, 'folder');
  const mk = (rel: string, config: string, metrics = '') => {
    mkdirSync(join(folder, rel), { recursive: true });
    writeFileSync(join(folder, rel, 'config.json'), config);
    writeFileSync(join(folder, rel, 'metrics.jsonl'), metrics);
  };
  mk('a-s1', '{"name":"a-s1","seed":1,"generations":2}', '{"generation":1}\n{"generation":2}\n');
  mk('exp/b-s1', '{"name":"b-s1","seed":1,"generations":5}', '{"generation":1}\n{"gen');
  mk('exp/bad', '{"name": "ba');
  mk('learn/x', '{"kind":"learn","name":"x"}');
  // A run directory and a config that link out of the folder are neither listed nor read.
  const away = join(root, 'away');
  mkdirSync(away);
  writeFileSync(join(away, 'config.json'), '{"name":"secret-run"}');
  writeFileSync(join(away, 'metrics.jsonl'), '');
  symlinkSync(away, join(folder, 'linked'));
  mk('exp/z-s1', '{}');
  rmSync(join(folder, 'exp', 'z-s1', 'config.json'));
  symlinkSync(join(away, 'config.json'), join(folder, 'exp', 'z-s1', 'config.json'));
  mkdirSync(join(folder, 'a-s1', 'stress'));
  writeFileSync(join(folder, 'a-s1', 'stress', 'heldout.json'), '{}');
  writeFileSync(join(folder, 'a-s1', 'stress', 'heldout.md'), '');
  const s = await startViewServer({ runDir: folder, distDir, pollMs: 50 });
  try {
    const url = new URL(s.url);
    const body = await (await fetch(`${s.url}api/runs`)).json() as { single: boolean; runs: Array<{ path: string; generations: number; status: string; stress: string[]; error?: string }> };
    assert.equal(body.single, false);
    assert.deepEqual(body.runs.map((r) => r.path), ['a-s1', 'exp/b-s1', 'exp/bad', 'exp/z-s1'], 'learn runs and runs linked from outside are left out');
    assert.doesNotMatch(JSON.stringify(body), /secret-run/);
    const [a, b, bad, linkedConfig] = body.runs;
    assert.match(linkedConfig!.error ?? '', /links out of the served directory/);
    assert.equal(a!.status, 'done');
    assert.deepEqual(a!.stress, ['heldout.json']);
    // A half-written last line is not a generation yet.
    assert.equal(b!.generations, 1);
    assert.equal(b!.status, 'training');
    assert.match(bad!.error ?? '', /config\.json: not valid JSON/);
    // Files of a run in the folder are served under its path, and nothing outside the folder.
    assert.equal((await fetch(`${s.url}run/exp/b-s1/config.json`)).status, 200);
    assert.notEqual((await fetch(`${s.url}run/exp/..%2f..%2fsecret.txt`)).status, 200);

    // The change feed names the run whose metrics grew, and says when a run appears.
    const events: string[] = [];
    const controller = new AbortController();
    const res = await fetch(`http://${url.host}/api/events`, { signal: controller.signal });
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    const pump = (async () => {
      const dec = new TextDecoder();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          events.push(dec.decode(value));
        }
      } catch {
        // aborted
      }
    })();
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(events.join('')); i++) await new Promise((ok) => setTimeout(ok, 25));
      assert.match(events.join(''), re);
    };
    await waitFor(/retry: 1000/);
    await new Promise((ok) => setTimeout(ok, 120));
    writeFileSync(join(folder, 'exp', 'b-s1', 'metrics.jsonl'), '{"generation":1}\n{"generation":2}\n');
    await waitFor(/event: change\ndata: \{"runs":\["exp\/b-s1"\],"list":false\}/);
    mk('c-s2', '{"name":"c-s2"}');
    await waitFor(/"list":true/);
    controller.abort();
    await pump;
  } finally {
    await s.close();
  }
});

/** Captures what a command writes to stdout and stderr. */
async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  let out = '';
  let err = '';
  process.stdout.write = ((c: string) => ((out += c), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => ((err += c), true)) as typeof process.stderr.write;
  try {
    return { code: await fn(), out, err };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

test('view command: --help, unknown flags, bad port, missing run', async () => {
  assert.equal(viewCommand.name, 'view');
  const help = await capture(() => viewCommand.run(['--help']));
  assert.equal(help.code, 0);
  assert.match(help.out, /Usage: propamine view <run-dir \| folder of runs>/);
  const bad = await capture(() => viewCommand.run([runDir, '--frobnicate']));
  assert.equal(bad.code, 2);
  assert.equal(bad.err.trim().split('\n').length, 1);
  assert.match(bad.err, /--frobnicate/);
  const port = await capture(() => viewCommand.run([runDir, '--port', 'abc']));
  assert.equal(port.code, 2);
  assert.match(port.err, /--port/);
  const none = await capture(() => viewCommand.run([]));
  assert.equal(none.code, 2);
  const missing = await capture(() => viewCommand.run([join(root, 'nowhere')]));
  assert.equal(missing.code, 1);
  assert.equal(missing.err.trim().split('\n').length, 1);
  assert.match(missing.err, /run directory not found: .*nowhere/);
});

test('view command serves the built page until interrupted', { timeout: 60_000 }, async () => {
  const repo = resolve(import.meta.dirname, '..');
  if (!existsSync(join(repo, 'viewer', 'dist', 'index.html'))) {
    execFileSync('npm', ['run', '--silent', 'build:viewer'], { cwd: repo, stdio: 'inherit' });
  }
  const script = `import { viewCommand } from './src/cli/view.ts'; process.exitCode = await viewCommand.run(process.argv.slice(1));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, runDir], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c));
  child.stderr.on('data', (c: Buffer) => (err += c));
  try {
    const url = await new Promise<string>((ok, fail) => {
      const timer = setInterval(() => {
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) {
          clearInterval(timer);
          ok(m[1]!);
        }
      }, 50);
      child.on('exit', (code) => {
        clearInterval(timer);
        fail(new Error(`view exited early with ${code}: ${err}`));
      });
    });
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /propamine viewer/);
    const cfg = await fetch(`${url}run/config.json`);
    assert.equal(((await cfg.json()) as { name: string }).name, 'demo');
  } finally {
    const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});
