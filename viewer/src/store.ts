/**
 * What the page has loaded from the runs, fetched on first use and kept until the run's
 * files change: metrics, replay indexes, replays and stress reports. Nothing is fetched for
 * a run nobody looks at, so a folder of a hundred runs opens as fast as one.
 */
import type { Replay } from '../../envs/replay.ts';
import { loadIndex, loadMetrics, loadReplay, loadStress, type MetricsResult, type ReplayIndexEntry, type RunListing, type RunSummary, type StressReport } from './data.ts';

/** A replay of a run: the file name in its replays/ and the run's path in the served folder. */
export interface ReplayRef {
  run: string;
  file: string;
}

/** How a replay is named in the URL and the test hook: the file, after its run's path in a folder of runs. */
export function refKey(r: ReplayRef): string {
  return r.run ? `${r.run}/${r.file}` : r.file;
}

export function parseRefKey(key: string): ReplayRef {
  const i = key.lastIndexOf('/');
  return i < 0 ? { run: '', file: key } : { run: key.slice(0, i), file: key.slice(i + 1) };
}

function cached<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (!p) {
    p = load();
    // A failed load is not kept, so fixing the file and choosing it again works.
    p.catch(() => {
      if (map.get(key) === p) map.delete(key);
    });
    map.set(key, p);
  }
  return p;
}

export class RunStore {
  listing: RunListing = { single: true, runs: [] };
  private readonly metricsCache = new Map<string, Promise<MetricsResult>>();
  private readonly indexCache = new Map<string, Promise<ReplayIndexEntry[]>>();
  private readonly replayCache = new Map<string, Promise<Replay>>();
  private readonly stressCache = new Map<string, Promise<StressReport>>();

  run(path: string): RunSummary | undefined {
    return this.listing.runs.find((r) => r.path === path);
  }

  metrics(run: string): Promise<MetricsResult> {
    return cached(this.metricsCache, run, () => loadMetrics(run));
  }

  index(run: string): Promise<ReplayIndexEntry[]> {
    return cached(this.indexCache, run, () => loadIndex(run));
  }

  replay(ref: ReplayRef): Promise<Replay> {
    return cached(this.replayCache, refKey(ref), () => loadReplay(ref.file, ref.run));
  }

  stress(run: string, file: string): Promise<StressReport> {
    return cached(this.stressCache, `${run}\n${file}`, () => loadStress(run, file));
  }

  /** Forgets what was loaded of a run whose files changed (a replay may have been recorded again under its name). */
  drop(run: string): void {
    this.metricsCache.delete(run);
    this.indexCache.delete(run);
    const prefix = run ? `${run}/` : '';
    for (const k of [...this.replayCache.keys()]) if (run ? k.startsWith(prefix) && !k.slice(prefix.length).includes('/') : !k.includes('/')) this.replayCache.delete(k);
    for (const k of [...this.stressCache.keys()]) if (k.startsWith(`${run}\n`)) this.stressCache.delete(k);
  }
}
