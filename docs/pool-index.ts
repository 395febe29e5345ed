/**
 * The adaptation index of one policy over more episodes than one report holds: pools the
 * per-episode indices of two or more `heldout-onset` reports of the same policy run on
 * different episode seeds (`propamine stress RUN --suite heldout-onset --seed 777`, then
 * `--seed 778 --out RUN/stress778`), and prints, per condition, the mean with its 95%
 * interval over all their episodes, and how many conditions are above and below 0. The
 * reports' episodes are independent draws of the same conditions, so pooling them is the
 * same measurement as one report with their episodes together.
 *
 *   node --import tsx docs/pool-index.ts RUN/stress/heldout-onset.json RUN/stress778/heldout-onset.json
 */
import { meanCI, sideOfZero } from '../src/stats.ts';
import { readStressReport } from '../src/stress-compare.ts';

const paths = process.argv.slice(2);
if (paths.length < 2) throw new Error('usage: docs/pool-index.ts REPORT.json REPORT.json [...]: two or more heldout-onset reports of one policy');
const reports = paths.map((p) => ({ path: p, report: readStressReport(p) }));
const first = reports[0]!.report;
for (const { path, report } of reports) {
  if (report.policy !== first.policy) throw new Error(`${path}: policy ${report.policy}, not ${first.policy} as in ${paths[0]}`);
  if (report.suite !== first.suite || report.maxSteps !== first.maxSteps) throw new Error(`${path}: suite ${report.suite} with ${report.maxSteps} steps, not ${first.suite} with ${first.maxSteps} as in ${paths[0]}`);
  const names = report.conditions.map((c) => c.name).join(', ');
  if (names !== first.conditions.map((c) => c.name).join(', ')) throw new Error(`${path}: other conditions than ${paths[0]}`);
}
const seeds = reports.map((r) => r.report.seed);
if (new Set(seeds).size !== seeds.length) throw new Error(`the reports share an episode seed (${seeds.join(', ')}): their episodes are the same, not more`);

const rows: string[] = [];
let above = 0;
let below = 0;
first.conditions.forEach((c, i) => {
  if (c.name === 'nominal') return;
  const xs = reports.flatMap(({ path, report }) => {
    const a = report.conditions[i]!.adaptation;
    if (!a) throw new Error(`${path}: condition "${c.name}" has no adaptation index (not a plastic policy, or no onset)`);
    return a;
  });
  const { mean, ci95, n } = meanCI(xs);
  const sign = ['below 0', '', 'above 0'][sideOfZero(mean, ci95) + 1]!;
  if (sign === 'above 0') above++;
  if (sign === 'below 0') below++;
  rows.push(`| ${c.name} | ${mean.toFixed(2)} ± ${ci95.toFixed(2)} | ${n} | ${sign} |`);
});
console.log(`Adaptation index of ${first.policy} on suite "${first.suite}", ${first.maxSteps} steps, episode seeds ${seeds.join(' and ')} pooled.\n`);
console.log('| condition | adaptation index (m, ± 95% CI) | episodes | |');
console.log('|---|---|---|---|');
console.log(rows.join('\n'));
console.log(`\nabove 0 on ${above}, below 0 on ${below} of ${rows.length} conditions`);
