/**
 * Tables for the adaptation experiments (docs/results.md): per held-out condition striking
 * mid-episode, each run's distance covered after the onset (m, ± 95% interval), its
 * adaptation index (m, ± 95% interval; bold where the interval excludes 0) and its speed
 * recovery (last third after the onset over the first third), then per run how many
 * conditions have an index above 0 and below 0 (intervals excluding 0).
 *
 *   node --import tsx docs/adaptation-report.ts LABEL=STRESS.json [LABEL=STRESS.json ...]
 *
 * e.g. plain-s1=runs/ft-plain-s1/stress/heldout-onset.json (written by `propamine stress
 * RUN --checkpoint --suite heldout-onset --out DIR`).
 */
import { readFileSync } from 'node:fs';
import type { StressReport } from '../src/stress.ts';

const runs = process.argv.slice(2).map((a) => {
  const m = /^([^=]+)=(.+)$/.exec(a);
  if (!m) throw new Error(`arguments are LABEL=STRESS.json (got ${a})`);
  return { label: m[1]!, report: JSON.parse(readFileSync(m[2]!, 'utf8')) as StressReport };
});
if (runs.length === 0) throw new Error('give at least one LABEL=STRESS.json');

const f1 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(1));
const f2 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(2));
const names = runs[0]!.report.conditions.map((c) => c.name);
console.log(`| condition | ${runs.map((r) => `${r.label}: after onset m / index m / recovery`).join(' | ')} |`);
console.log(`|---|${runs.map(() => '---').join('|')}|`);
for (const name of names) {
  const cells = runs.map(({ report }) => {
    const c = report.conditions.find((x) => x.name === name);
    if (!c) return 'n/a';
    const idx = c.adaptationMean === null || c.adaptationMean === undefined ? '—' : `${f1(c.adaptationMean)} ± ${f1(c.adaptationCI95)}`;
    const sig = c.adaptationMean !== null && c.adaptationMean !== undefined && c.adaptationCI95 !== null && c.adaptationCI95 !== undefined && Math.abs(c.adaptationMean) > c.adaptationCI95;
    return `${f1(c.onsetDistanceMean)} ± ${f1(c.onsetDistanceCI95)} / ${sig ? `**${idx}**` : idx} / ${f2(c.speedRecovery)}`;
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
console.log('');
for (const { label, report } of runs) {
  const damaged = report.conditions.filter((c) => c.name !== 'nominal');
  const up = damaged.filter((c) => c.adaptationMean != null && c.adaptationCI95 != null && c.adaptationMean > c.adaptationCI95).length;
  const down = damaged.filter((c) => c.adaptationMean != null && c.adaptationCI95 != null && -c.adaptationMean > c.adaptationCI95).length;
  const meanIdx = damaged.reduce((s, c) => s + (c.adaptationMean ?? 0), 0) / damaged.length;
  const recovered = damaged.filter((c) => (c.speedRecovery ?? 0) >= 1).length;
  const after = damaged.reduce((s, c) => s + (c.onsetDistanceMean ?? 0), 0) / damaged.length;
  console.log(`- ${label}: index above 0 on ${up} of ${damaged.length} conditions, below 0 on ${down}; mean index ${meanIdx.toFixed(2)} m; speed recovered (>= 1) on ${recovered}; mean distance after the onset ${after.toFixed(1)} m`);
}
