/**
 * Compares training arms of the mid-episode damage experiment (docs/results.md): for each
 * policy variant and arm, the distance covered after held-out conditions strike at step
 * 100 (suite heldout-onset), the share of nominal's distance over the same steps that it
 * keeps, and the same for the held-out conditions from the reset (suite heldout).
 *
 *   node --import tsx docs/damage-report.ts ARM=DIR:G [ARM=DIR:G ...]
 *
 * e.g. before=runs/experiment:160 train=runs/finetune-train:80 damage=runs/finetune-damage:80
 * reads <DIR>/<variant>-s<seed>/stress-<G>/{heldout,heldout-onset}.json.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meanCI } from '../src/stats.ts';
import type { ConditionResult, StressReport } from '../src/stress.ts';

interface Run { variant: string; seed: string; onset: StressReport; reset: StressReport | null }
const arms: { name: string; runs: Run[] }[] = [];
for (const a of process.argv.slice(2)) {
  const m = /^([^=]+)=(.+):(\d+)$/.exec(a);
  if (!m) throw new Error(`arguments are ARM=DIR:GENERATIONS (got ${a})`);
  const [, name, dir, g] = m;
  const runs: Run[] = [];
  for (const d of existsSync(dir!) ? readdirSync(dir!).sort() : []) {
    const rm = /^(.*)-s(\d+)$/.exec(d);
    const file = join(dir!, d, `stress-${g}`, 'heldout-onset.json');
    if (!rm || !existsSync(file)) continue;
    const resetFile = join(dir!, d, `stress-${g}`, 'heldout.json');
    runs.push({
      variant: rm[1]!, seed: rm[2]!, onset: JSON.parse(readFileSync(file, 'utf8')) as StressReport,
      reset: existsSync(resetFile) ? (JSON.parse(readFileSync(resetFile, 'utf8')) as StressReport) : null,
    });
  }
  arms.push({ name: name!, runs });
}
const variants = [...new Set(arms.flatMap((a) => a.runs.map((r) => r.variant)))];
const f = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '—');
const after = (c: ConditionResult) => c.onsetDistanceMean ?? NaN;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
/** Per run: mean over held-out conditions of the distance kept, % of its own nominal (null when nominal < min m). */
const keptShare = (r: StressReport, get: (c: ConditionResult) => number, min: number) => {
  const nominal = get(r.conditions[0]!);
  if (!(nominal >= min)) return null;
  return mean(r.conditions.slice(1).map((c) => (100 * get(c)) / nominal));
};

const out: string[] = [];
out.push('| variant | arm | nominal distance after step 100 (m), per seed | held-out after step 100: mean distance (m), per seed | kept after onset, % of nominal (walking seeds) | held-out from the reset: mean distance (m) | kept from the reset |');
out.push('|---|---|---|---|---|---|---|');
for (const v of variants) {
  for (const arm of arms) {
    const runs = arm.runs.filter((r) => r.variant === v);
    if (!runs.length) continue;
    const nominal = runs.map((r) => after(r.onset.conditions[0]!));
    const held = runs.map((r) => mean(r.onset.conditions.slice(1).map(after)));
    const kept = runs.map((r) => keptShare(r.onset, after, 0.5)).filter((x): x is number => x !== null);
    const resetHeld = runs.filter((r) => r.reset).map((r) => mean(r.reset!.conditions.slice(1).map((c) => c.distanceMean)));
    const resetKept = runs.filter((r) => r.reset).map((r) => keptShare(r.reset!, (c) => c.distanceMean, 1)).filter((x): x is number => x !== null);
    out.push(`| ${v} | ${arm.name} | ${nominal.map((x) => f(x, 2)).join(', ')} | ${f(mean(held), 2)} (${held.map((x) => f(x, 2)).join(', ')}) | ${kept.length ? `${f(mean(kept), 0)}% (n = ${kept.length})` : '—'} | ${f(mean(resetHeld), 2)} | ${resetKept.length ? `${f(mean(resetKept), 0)}% (n = ${resetKept.length})` : '—'} |`);
  }
}
out.push('');
// Per seed, side by side across arms: the same starting network, trained on.
out.push(`Per seed: held-out conditions striking at step 100, mean distance after the onset (m) · kept % of nominal's, per arm (${arms.map((a) => a.name).join(' / ')})`, '');
out.push(`| variant | seed | ${arms.map((a) => a.name).join(' | ')} |`, `|---|---|${arms.map(() => '---').join('|')}|`);
for (const v of variants) {
  const seeds = [...new Set(arms.flatMap((a) => a.runs.filter((r) => r.variant === v).map((r) => r.seed)))].sort();
  for (const seed of seeds) {
    out.push(`| ${v} | ${seed} | ${arms.map((arm) => {
      const r = arm.runs.find((x) => x.variant === v && x.seed === seed);
      if (!r) return '—';
      const k = keptShare(r.onset, after, 0.5);
      return `${f(mean(r.onset.conditions.slice(1).map(after)), 2)} · ${k === null ? '—' : `${f(k, 0)}%`}`;
    }).join(' | ')} |`);
  }
}
out.push('');
// Per condition: distance after the onset, mean over seeds with a 95% interval across seeds.
const conditions = arms.find((a) => a.runs.length)?.runs[0]!.onset.conditions.map((c) => c.name) ?? [];
for (const arm of arms) {
  out.push(`Arm **${arm.name}**: distance after step 100 (m), mean ± 95% CI over seeds`, '');
  out.push(`| condition | ${variants.join(' | ')} |`, `|---|${variants.map(() => '---').join('|')}|`);
  for (const [ci, name] of conditions.entries()) {
    out.push(`| ${name} | ${variants.map((v) => {
      const xs = arm.runs.filter((r) => r.variant === v).map((r) => after(r.onset.conditions[ci]!));
      if (!xs.length) return '—';
      const m = meanCI(xs);
      return `${f(m.mean, 2)} ± ${f(m.ci95, 2)}`;
    }).join(' | ')} |`);
  }
  out.push('');
}
console.log(out.join('\n'));
