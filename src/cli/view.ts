/**
 * `propamine view runs/<name>` or `propamine view runs/`: serves the viewer for one run or a
 * folder of runs on loopback and prints its address. The page is built ahead of time
 * (viewer/dist), so nothing is compiled here.
 */
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { startViewServer } from '../view/server.ts';

const help = `Usage: propamine view <run-dir | folder of runs> [--port N] [--host ADDR] [--open]

Serves the viewer for a run directory (runs/<name>) or a folder of runs (runs/, an
experiment's output such as docs/runs/snn-learning) and prints its address. Only the built
page and that directory's files are served. Runs that are still training are followed: new
generations, replays and stress reports appear as they are written, without a reload.

Options:
  --port N       port to listen on (default 0: a free port)
  --host ADDR    address to bind (default 127.0.0.1; other addresses expose the runs)
  --open         open the page in the default browser
  -h, --help     show this help

Page:
  runs      (a folder) the runs with what distinguishes them (policy, rule, modulation,
            seed, strategy, budget, other config differences) and their status; tick runs
            to put them on the charts
  training  learning curves overlaid, against generations, environment steps or wall
            time; runs that differ only by seed as their mean and min-max band
  replays   A and B side by side, from one run or two (same condition and episode kept
            when B's run changes); generation "latest" follows a training run; space
            plays/pauses, arrow keys step, scrub, speed
  stress    each run's stress/<suite>.json as charts: distance and return with 95%
            intervals, share of nominal kept, distance after the onset, and the speed
            around the onset from the stress replays (one condition at a time)
  export    PNG or SVG of the comparison charts, PNG of the episode charts (buttons under
            them); the record button (footer) saves the replay or A/B pair on stage, start
            to end at the chosen speed, as WebM`;

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write(`could not open a browser (${cmd}); open ${url} yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`could not open a browser; open ${url} yourself\n`);
  }
}

async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        open: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    // parseArgs explains the unknown flag in its first sentence; the rest repeats it.
    process.stderr.write(`propamine view: ${(e as Error).message.split('. ')[0]} (see --help)\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    process.stderr.write(`propamine view: expected one run directory or folder of runs, got ${positionals.length} (see --help)\n`);
    return 2;
  }
  let port = 0;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) {
      process.stderr.write(`propamine view: --port must be an integer from 0 to 65535 (got ${JSON.stringify(values.port)})\n`);
      return 2;
    }
  }
  let server;
  try {
    server = await startViewServer({ runDir: positionals[0]!, port, host: values.host ?? '127.0.0.1' });
  } catch (e) {
    process.stderr.write(`propamine view: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`viewer for ${positionals[0]} at ${server.url}  (Ctrl-C to stop)\n`);
  if (values.open) openBrowser(server.url);
  // Serve until interrupted; the exit code is 0 because stopping is the normal way out.
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

export const viewCommand = {
  name: 'view',
  summary: 'serve the viewer for a run or a folder of runs (live, compared, stress charts)',
  help,
  run,
} satisfies { name: string; summary: string; help: string; run: (argv: string[]) => Promise<number> };
