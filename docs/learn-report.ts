/**
 * Aggregates the gradient route's experiment (docs/learn-experiment.sh) into a Markdown table:
 * per variant (run name without its seed), the test accuracy of each seed's best.json on 1024
 * fresh sequences (never used in training or selection) with the mean and a 95% interval over
 * seeds, the best held-out accuracy, the first iteration whose held-out accuracy reached 0.95,
 * the iterations and the wall time per run.
 *
 *   node --import tsx docs/learn-report.ts [runs/learn-exp] [--sequences 1024] [--filter REGEX]
 *
 * --filter keeps the variants whose name matches (one table per section of the results).
 *
 * On docs/runs/learn (config.json and best.json only, no metrics) it re-scores the committed
 * genomes: the training columns are then empty.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { meanCI } from '../src/stats.ts';
import { RunDir } from '../src/train/run-dir.ts';
import { loadTrainedGenome, scoreGenome } from '../src/learn/evaluate.ts';
import { loadPolicyFile } from '../src/train/policy-file.ts';
import { LearnRecordSchema } from '../src/learn/learner.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { sequences: { type: 'string', default: '1024' }, filter: { type: 'string' } } });
const filter = values.filter ? new RegExp(values.filter) : null;
const root = positionals[0] ?? 'runs/learn-exp';
const N = Number(values.sequences);
interface Row { seed: string; test: number; heldOut: number; to95: number | null; to95Wall: number | null; iterations: number; wall: number }
const groups = new Map<string, Row[]>();
const dirs = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'best.json'))).sort() : [];
for (const d of dirs) {
  const m = /^(.*)-s(\d+)$/.exec(d);
  if (!m || (filter && !filter.test(m[1]!))) continue;
  const g = loadTrainedGenome(join(root, d));
  const metrics = new RunDir(join(root, d)).readMetrics(LearnRecordSchema);
  if (metrics.length && g.config && metrics.length < g.config.iterations) {
    console.error(`${d}: unfinished (${metrics.length} of ${g.config.iterations} iterations), left out`);
    continue;
  }
  const last = metrics[metrics.length - 1] ?? { iteration: NaN, wallTime: NaN };
  const hit = metrics.find((r) => r.evalAccuracy !== null && r.evalAccuracy >= 0.95);
  const evals = metrics.filter((r) => r.evalAccuracy !== null);
  // Without metrics (the committed copies), the held-out figure is best.json's own.
  const best = evals.length ? evals.reduce((a, r) => (r.evalAccuracy! > a ? r.evalAccuracy! : a), 0) : Number(loadPolicyFile(join(root, d, 'best.json'), { anyIo: true }).meta.accuracy);
  const score = scoreGenome(g, N);
  const row: Row = {
    seed: m[2]!, test: score.test.accuracy, heldOut: best, to95: hit ? hit.iteration + 1 : metrics.length ? null : NaN, to95Wall: hit ? hit.wallTime : null,
    iterations: last.iteration + 1, wall: last.wallTime,
  };
  groups.set(m[1]!, [...(groups.get(m[1]!) ?? []), row]);
}
const f = (v: number, d = 3) => (Number.isFinite(v) ? v.toFixed(d) : '—');
console.log(`| variant | seeds | test accuracy, mean ± 95% CI over seeds (${N} sequences each) | per seed | best held-out, per seed | first iteration with held-out >= 0.95 (wall time) | iterations | wall time per run |`);
console.log('|---|---|---|---|---|---|---|---|');
for (const [name, rows] of groups) {
  const ci = meanCI(rows.map((r) => r.test));
  const to95 = rows.map((r) => (r.to95 === null ? 'never' : Number.isNaN(r.to95) ? '—' : `${r.to95} (${f(r.to95Wall! / 60, 1)} min)`)).join(', ');
  const wall = rows.reduce((a, r) => a + r.wall, 0) / rows.length;
  console.log(`| ${name} | ${rows.map((r) => r.seed).join(', ')} | ${f(ci.mean)} ± ${f(ci.ci95)} | ${rows.map((r) => f(r.test)).join(', ')} | ${rows.map((r) => f(r.heldOut)).join(', ')} | ${to95} | ${rows.map((r) => (Number.isFinite(r.iterations) ? r.iterations : '—')).join(', ')} | ${f(wall / 60, 1)} min |`);
}
