/**
 * Loading runs' files over HTTP from the server's `run/` prefix (a run's files sit under its
 * path in the served folder, '' when the folder is the run). Every failure becomes a message
 * that names the file and says what is wrong (missing, truncated, wrong version), because
 * the page's job on a broken run is to say so, not to go blank.
 */
import { parseReplay, ReplayIndexSchema, type Replay, type ReplayIndexEntry } from '../../envs/replay.ts';
import type { ConditionResult, StressReport as FullStressReport } from '../../src/stress.ts';
import { ChartedRecordSchema, type ChartedRecord } from '../../src/train/metrics.ts';
import { parseIn } from '../../core/schema.ts';
import { asStressReport, StressReportSchema } from '../../src/stress-report.ts';

export type { ReplayIndexEntry };

/** One line of metrics.jsonl: the fields the charts use (src/train/metrics.ts). */
export type MetricsRecord = ChartedRecord;

// The server's own types (type-only: nothing of them is bundled).
import type { RunListing } from '../../src/view/runs.ts';
export type { RunListing, RunSummary } from '../../src/view/runs.ts';

const RUN = 'run/';

/** A file of a run, as a path in the served folder. */
export function runFile(run: string, file: string): string {
  return run ? `${run}/${file}` : file;
}

export async function loadRuns(): Promise<RunListing> {
  let res: Response;
  try {
    res = await fetch('api/runs', { cache: 'no-store' });
  } catch (e) {
    throw new Error(`the run list: cannot reach the server (${(e as Error).message}); is propamine view still running?`);
  }
  if (!res.ok) throw new Error(`the run list: the server answered HTTP ${res.status}`);
  return (await res.json()) as RunListing;
}

async function fetchText(path: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(RUN + path, { cache: 'no-store' });
  } catch (e) {
    throw new Error(`${path}: cannot reach the server (${(e as Error).message}); is propamine view still running?`);
  }
  if (res.status === 404) throw new Error(`${path}: file not found in the run directory`);
  if (!res.ok) throw new Error(`${path}: the server answered HTTP ${res.status}`);
  return res.text();
}

export async function loadIndex(run = ''): Promise<ReplayIndexEntry[]> {
  const path = runFile(run, 'replays/index.json');
  let text: string;
  try {
    text = await fetchText(path);
  } catch (e) {
    throw new Error(`${(e as Error).message} (no replays recorded for this run yet?)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (truncated or corrupt file?): ${(e as Error).message}`);
  }
  return parseIn(ReplayIndexSchema, raw, path).replays;
}

export async function loadReplay(file: string, run = ''): Promise<Replay> {
  const path = runFile(run, `replays/${file}`);
  return parseReplay(await fetchText(path), path);
}

export interface MetricsResult {
  records: MetricsRecord[];
  /** Problems that did not stop the chart (e.g. a half-written last line). */
  warnings: string[];
}

/**
 * Reads metrics.jsonl. A bad last line is what a run being written (or killed mid-write)
 * leaves behind, so it is skipped with a warning; a bad line elsewhere is corruption.
 */
export async function loadMetrics(run = ''): Promise<MetricsResult> {
  const path = runFile(run, 'metrics.jsonl');
  const text = await fetchText(path);
  const lines = text.split('\n');
  const records: MetricsRecord[] = [];
  const warnings: string[] = [];
  let last = lines.length - 1;
  while (last >= 0 && lines[last]!.trim() === '') last--;
  for (let i = 0; i <= last; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      if (i === last) {
        warnings.push(`${path}: line ${i + 1} is incomplete (truncated file?) and was skipped`);
        continue;
      }
      throw new Error(`${path}: line ${i + 1} is not valid JSON (corrupt file?)`);
    }
    // Only the charted fields are kept: a hundred runs of 500 generations stay small.
    records.push(parseIn(ChartedRecordSchema, raw, `${path}: line ${i + 1}`));
  }
  return { records, warnings };
}

/** One condition of a stress report (src/stress.ts writes them, src/stress-report.ts checks them): the fields the charts use. */
export type StressCondition = Pick<
  ConditionResult,
  'name' | 'description' | 'returnMean' | 'returnCI95' | 'distanceMean' | 'distanceCI95' | 'distanceDegradationPct' | 'onsetStep' | 'onsetDistanceMean' | 'onsetDistanceCI95' | 'falls' | 'returns'
>;

export type StressReport = Omit<FullStressReport, 'conditions'> & { conditions: StressCondition[] };

/** Reads stress/<suite>.json of a run. */
export async function loadStress(run: string, file: string): Promise<StressReport> {
  const path = runFile(run, `stress/${file}`);
  const text = await fetchText(path);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not valid JSON (truncated or corrupt file?)`);
  }
  return asStressReport(parseIn(StressReportSchema, raw, path));
}

/** Per-frame forward distance (torso x from its start, m) and speed (m/s, centred difference). */
export function forwardProgress(r: Replay): { distance: Float64Array; speed: Float64Array } {
  const nb = r.bodies.length;
  const torso = Math.max(0, r.bodies.findIndex((b) => b.name === 'torso'));
  const x = (f: number) => r.poses[(f * nb + torso) * 7]!;
  const distance = new Float64Array(r.frames);
  const speed = new Float64Array(r.frames);
  const x0 = x(0);
  for (let f = 0; f < r.frames; f++) {
    distance[f] = x(f) - x0;
    const a = Math.max(0, f - 1);
    const b = Math.min(r.frames - 1, f + 1);
    speed[f] = b > a ? (x(b) - x(a)) / ((b - a) * r.dt) : 0;
  }
  return { distance, speed };
}
