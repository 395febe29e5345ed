/**
 * The runs a `propamine view` directory holds, as the page lists them: the directory itself
 * when it is a run, or the run directories below it (an experiment's output, `runs/`). Each
 * summary says what the page needs before it loads anything else: the resolved config, how
 * many generations are done of how many, whether the run is still training, and its stress
 * reports. Summaries are cached by file size and modification time, so listing a hundred runs
 * every second reads only the files that changed.
 */
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';

export type RunStatus = 'training' | 'done' | 'stopped' | 'new';

export interface RunSummary {
  /** Path of the run directory relative to the served directory, '/'-separated ('' for the served directory itself). */
  path: string;
  name: string;
  /** The run's config.json without its digest, or null when it cannot be read. */
  config: Record<string, unknown> | null;
  /** What is wrong with config.json or metrics.jsonl, in one line naming the file. */
  error?: string;
  /** Generations recorded in metrics.jsonl (complete lines). */
  generations: number;
  /** The generation budget of config.json. */
  budget: number | null;
  status: RunStatus;
  /** Newest modification time of the run's metrics, checkpoint and replay index (ms since the epoch). */
  updated: number;
  /** Stress reports: file names in stress/ ending in .json. */
  stress: string[];
  /** Whether replays/index.json exists. */
  replays: boolean;
}

export interface RunListing {
  /** True when the served directory is itself a run. */
  single: boolean;
  runs: RunSummary[];
}

/** A run whose files changed within this window and that has not reached its budget is shown as training. */
export const LIVE_WINDOW_MS = 120_000;
const MAX_DEPTH = 3;
const SKIP_DIRS = new Set(['checkpoints', 'replays', 'stress', 'node_modules']);

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Whether `path` is inside `root` (a real path) once symlinks are followed: a run directory or
 * file that links out of the served directory is neither listed nor read, as the file server
 * refuses to serve it.
 */
function inside(root: string, path: string): boolean {
  try {
    const real = realpathSync(path);
    return real === root || real.startsWith(root + sep);
  } catch {
    return false;
  }
}

const stamp = (s: Stats | null) => (s ? `${s.size}:${s.mtimeMs}` : '-');

/** Files whose change the page reacts to; their stamps make a run's signature. */
function watched(dir: string): { config: Stats | null; metrics: Stats | null; index: Stats | null; checkpoint: Stats | null; stressDir: Stats | null } {
  return {
    config: statOrNull(join(dir, 'config.json')),
    metrics: statOrNull(join(dir, 'metrics.jsonl')),
    index: statOrNull(join(dir, 'replays', 'index.json')),
    checkpoint: statOrNull(join(dir, 'checkpoints', 'latest.json')),
    stressDir: statOrNull(join(dir, 'stress')),
  };
}

interface CacheEntry {
  signature: string;
  summary: RunSummary;
}

function countMetrics(root: string, path: string): { generations: number } {
  let text: string;
  if (!inside(root, path)) return { generations: 0 };
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { generations: 0 };
  }
  // Only complete lines count: a run that is writing may leave the last one unfinished.
  let n = 0;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    if (i > start) n++;
    start = i + 1;
  }
  return { generations: n };
}

function readConfig(root: string, path: string): { config: Record<string, unknown> | null; error?: string } {
  let text: string;
  if (!inside(root, path)) return { config: null, error: 'config.json: links out of the served directory (not read)' };
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { config: null, error: 'config.json: cannot be read' };
  }
  try {
    const raw = JSON.parse(text) as unknown;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { config: null, error: 'config.json: not a JSON object' };
    const { digest: _, ...config } = raw as Record<string, unknown>;
    return { config };
  } catch {
    return { config: null, error: 'config.json: not valid JSON (truncated or corrupt file?)' };
  }
}

function summarize(root: string, dir: string, path: string, w: ReturnType<typeof watched>, now: number): RunSummary {
  const { config, error } = readConfig(root, join(dir, 'config.json'));
  const { generations } = countMetrics(root, join(dir, 'metrics.jsonl'));
  const budget = typeof config?.generations === 'number' ? config.generations : null;
  let stress: string[] = [];
  if (w.stressDir?.isDirectory() && inside(root, join(dir, 'stress'))) {
    try {
      stress = readdirSync(join(dir, 'stress')).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort();
    } catch {
      stress = [];
    }
  }
  const updated = Math.max(0, ...[w.metrics, w.index, w.checkpoint].map((s) => s?.mtimeMs ?? 0));
  const status: RunStatus = budget !== null && generations >= budget ? 'done' : now - updated < LIVE_WINDOW_MS ? 'training' : generations === 0 ? 'new' : 'stopped';
  const name = typeof config?.name === 'string' ? config.name : path.split('/').pop() || '.';
  const summary: RunSummary = { path, name, config, generations, budget, status, updated, stress, replays: w.index !== null };
  if (error) summary.error = error;
  return summary;
}

/** A gradient-route run (`propamine learn`) has other files; the viewer lists training runs only. */
function isLearnRun(root: string, dir: string): boolean {
  if (!inside(root, join(dir, 'config.json'))) return false;
  try {
    return /"kind"\s*:\s*"learn"/.test(readFileSync(join(dir, 'config.json'), 'utf8').slice(0, 200));
  } catch {
    return false;
  }
}

/** Keeps run summaries of one served directory up to date between calls. */
export class RunCatalog {
  private cache = new Map<string, CacheEntry>();
  private lastSignatures = new Map<string, string>();
  private lastPaths = '';
  private started = false;

  private readonly root: string;

  constructor(root: string) {
    // Paths are checked against the root's real path (the served directory may be reached through a symlink).
    this.root = realpathSync(root);
  }

  /** Directories of runs under the root, as relative '/'-separated paths ('' when the root is a run). */
  private discover(): string[] {
    // A run without its config (written by hand, or by an early version) is still a run.
    if (['config.json', 'metrics.jsonl', join('replays', 'index.json')].some((f) => statOrNull(join(this.root, f))?.isFile())) return [''];
    const found: string[] = [];
    const walk = (dir: string, rel: string, depth: number) => {
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch {
        return;
      }
      for (const n of names) {
        if (n.startsWith('.') || SKIP_DIRS.has(n)) continue;
        const sub = join(dir, n);
        if (!statOrNull(sub)?.isDirectory() || !inside(this.root, sub)) continue;
        const r = rel ? `${rel}/${n}` : n;
        if (statOrNull(join(sub, 'config.json'))?.isFile()) {
          if (!isLearnRun(this.root, sub)) found.push(r);
        } else if (depth < MAX_DEPTH) walk(sub, r, depth + 1);
      }
    };
    walk(this.root, '', 1);
    return found;
  }

  list(now = Date.now()): RunListing {
    const paths = this.discover();
    const runs: RunSummary[] = [];
    const next = new Map<string, CacheEntry>();
    for (const p of paths) {
      const dir = p ? join(this.root, ...p.split('/')) : this.root;
      const w = watched(dir);
      const signature = [w.config, w.metrics, w.index, w.checkpoint, w.stressDir].map(stamp).join('|');
      let entry = this.cache.get(p);
      if (!entry || entry.signature !== signature) entry = { signature, summary: summarize(this.root, dir, p, w, now) };
      else if (entry.summary.status === 'training') entry.summary = summarize(this.root, dir, p, w, now);
      next.set(p, entry);
      runs.push(entry.summary);
    }
    this.cache = next;
    return { single: paths.length === 1 && paths[0] === '', runs };
  }

  /**
   * Runs whose files changed since the last call, and whether runs appeared or went away.
   * The first call reports nothing: it only takes the starting point.
   */
  changes(): { runs: string[]; list: boolean } {
    const listing = this.list();
    const paths = listing.runs.map((r) => r.path).join('\n');
    const first = !this.started;
    this.started = true;
    const changed: string[] = [];
    const sigs = new Map<string, string>();
    for (const r of listing.runs) {
      const sig = `${this.cache.get(r.path)!.signature}|${r.status}`;
      sigs.set(r.path, sig);
      const before = this.lastSignatures.get(r.path);
      if (!first && before !== undefined && before !== sig) changed.push(r.path);
    }
    const list = !first && paths !== this.lastPaths;
    this.lastSignatures = sigs;
    this.lastPaths = paths;
    return { runs: changed, list };
  }
}
