/**
 * Aggregates the adaptation experiment (docs/experiment.sh) into a Markdown table: for each
 * policy variant and held-out condition, the mean over seeds of each seed's mean return and
 * distance, a 95% interval across seeds, and the degradation relative to nominal.
 *
 *   node --import tsx docs/experiment-report.ts [runs/experiment] [--generations 80]
 *
 * It reads <run>/stress-<generations>/heldout.json and the first <generations> records of
 * each run's metrics.jsonl.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { meanCI } from '../src/stats.ts';
import { RunDir } from '../src/train/run-dir.ts';
import type { StressReport } from '../src/stress.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { generations: { type: 'string', default: '80' } } });
const root = positionals[0] ?? 'runs/experiment';
const G = Number(values.generations);
const stressDir = `stress-${G}`;
const runs = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, stressDir, 'heldout.json'))) : [];
const byVariant = new Map<string, { seed: string; report: StressReport; wall: number; steps: number; testDistance: number | null; walkGen: number | null }[]>();
for (const d of runs.sort()) {
  const m = /^(.*)-s(\d+)$/.exec(d);
  if (!m) continue;
  const report = JSON.parse(readFileSync(join(root, d, stressDir, 'heldout.json'), 'utf8')) as StressReport;
  // Generations count from 1 (runs of earlier versions are converted on reading).
  const metrics = new RunDir(join(root, d)).readMetrics().filter((r) => r.generation <= G);
  const last = metrics[metrics.length - 1];
  const tested = metrics.filter((r) => r.testDistance !== null);
  // The first generation whose center covers >= 1 m on the 300-step test episodes (leaves the standing basin).
  const walk = tested.find((r) => r.testDistance! >= 1);
  const list = byVariant.get(m[1]!) ?? [];
  list.push({ seed: m[2]!, report, wall: last!.wallTime, steps: last!.totalSteps, testDistance: tested.length ? tested[tested.length - 1]!.testDistance : null, walkGen: walk ? walk.generation : null });
  byVariant.set(m[1]!, list);
}
const f = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const out: string[] = [];
out.push('| variant | seeds | env steps per run | wall time per run | center\'s last test distance per seed (m, 300 steps) | first generation with test distance >= 1 m, per seed |', '|---|---|---|---|---|---|');
for (const [v, list] of byVariant) out.push(`| ${v} | ${list.map((x) => x.seed).join(', ')} | ${list[0]!.steps.toLocaleString('en')} | ${f(list.reduce((a, x) => a + x.wall, 0) / list.length / 60, 1)} min | ${list.map((x) => (x.testDistance === null ? '—' : f(x.testDistance, 2))).join(', ')} | ${list.map((x) => (x.walkGen === null ? 'never' : String(x.walkGen))).join(', ')} |`);
out.push('');
const conditions = byVariant.size ? [...byVariant.values()][0]![0]!.report.conditions.map((c) => c.name) : [];
out.push(`| condition | ${[...byVariant.keys()].map((v) => `${v}: distance m (95% CI over seeds) · degradation`).join(' | ')} |`);
out.push(`|---|${[...byVariant.keys()].map(() => '---').join('|')}|`);
for (const [ci, name] of conditions.entries()) {
  const cells = [...byVariant.values()].map((list) => {
    const d = meanCI(list.map((x) => x.report.conditions[ci]!.distanceMean));
    const nominal = meanCI(list.map((x) => x.report.conditions[0]!.distanceMean));
    const deg = (100 * (nominal.mean - d.mean)) / Math.abs(nominal.mean);
    return `${f(d.mean, 2)} ± ${f(d.ci95, 2)} · ${ci === 0 ? '—' : `${f(deg, 0)}%`}`;
  });
  out.push(`| ${name} | ${cells.join(' | ')} |`);
}
out.push('');
out.push(`| condition | ${[...byVariant.keys()].map((v) => `${v}: return (95% CI over seeds)`).join(' | ')} |`);
out.push(`|---|${[...byVariant.keys()].map(() => '---').join('|')}|`);
for (const [ci, name] of conditions.entries()) {
  const cells = [...byVariant.values()].map((list) => {
    const r = meanCI(list.map((x) => x.report.conditions[ci]!.returnMean));
    return `${f(r.mean)} ± ${f(r.ci95)}`;
  });
  out.push(`| ${name} | ${cells.join(' | ')} |`);
}
out.push('');
// Robustness where there is a gait to degrade: per seed whose nominal distance is >= 1 m,
// the distance kept under each condition (condition / nominal), averaged over those seeds.
out.push(`Distance kept under each condition, % of the same seed's nominal distance, over the seeds that walk (nominal >= 1 m): mean (min-max)`, '');
out.push(`| condition | ${[...byVariant.keys()].map((v) => `${v} (n = ${byVariant.get(v)!.filter((x) => x.report.conditions[0]!.distanceMean >= 1).length})`).join(' | ')} |`);
out.push(`|---|${[...byVariant.keys()].map(() => '---').join('|')}|`);
const kept = (ci: number, list: NonNullable<ReturnType<typeof byVariant.get>>) => list.filter((x) => x.report.conditions[0]!.distanceMean >= 1).map((x) => (100 * x.report.conditions[ci]!.distanceMean) / x.report.conditions[0]!.distanceMean);
for (const [ci, name] of conditions.entries()) {
  if (ci === 0) continue;
  out.push(`| ${name} | ${[...byVariant.values()].map((list) => {
    const k = kept(ci, list);
    return k.length ? `${f(k.reduce((a, b) => a + b, 0) / k.length, 0)}% (${f(Math.min(...k), 0)}-${f(Math.max(...k), 0)})` : '—';
  }).join(' | ')} |`);
}
out.push(`| **mean over held-out conditions** | ${[...byVariant.values()].map((list) => {
  const per = conditions.slice(1).map((_, i) => kept(i + 1, list));
  const all = per.flat();
  return all.length ? `**${f(all.reduce((a, b) => a + b, 0) / all.length, 0)}%**` : '—';
}).join(' | ')} |`);
console.log(out.join('\n'));
