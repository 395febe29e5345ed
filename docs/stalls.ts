/**
 * Stalls after held-out damage: how often a gait stops after the onset, how often it walks
 * again, and what a stopped ant looks like (results.md, experiment 10, *Why no speed
 * recovery*).
 *
 * From `heldout-onset` stress reports (per-episode thirds after the onset): an episode stalls
 * when a third covers at most 1 m forward, and walks again when a later third covers 5 m or
 * more (`stopped` in src/stress.ts, as `propamine stress --compare` counts them); counted as
 * trained and, for a plastic policy, with plasticity frozen at the onset, summed over reports.
 *
 *   node --import tsx docs/stalls.ts reports docs/runs/adaptation/e9-*-s1/stress/heldout-onset.json
 *
 * From replays of the same suite (`propamine record RUN --checkpoint --suite heldout-onset
 * --seed N --out DIR`, one episode per condition): the last third after the onset of each
 * damaged episode, stopped (the torso's path under 1 m) or walking (10 m or more): the share of
 * actuator-steps at a saturated command (|a| > 0.99), the actuators whose command does not move
 * (standard deviation under 0.05), the torso's up axis (1 upright, below 0 upside down), and for
 * a spiking policy the standard deviation of its hidden layer's firing rate.
 *
 *   node --import tsx docs/stalls.ts replays DIR [DIR ...]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReplay, type Replay } from '../envs/replay.ts';
import { readStressReport, stopCounts } from '../src/stress-compare.ts';

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

function sd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

function reports(paths: readonly string[]): void {
  const total = { live: [0, 0, 0], frozen: [0, 0, 0] };
  console.log('| report | held-out episodes | stalled / walked again, as trained | frozen at the onset |');
  console.log('|---|---|---|---|');
  for (const path of paths) {
    const stops = stopCounts(readStressReport(path).conditions.filter((c) => c.name !== 'nominal'));
    if (!stops) throw new Error(`${path}: no per-episode thirds after the onset (a report of heldout-onset, written by a current propamine stress)`);
    const live = [stops.episodes, stops.stopped, stops.walkAgain];
    const frozen = stops.frozen && [stops.episodes, stops.frozen.stopped, stops.frozen.walkAgain];
    live.forEach((x, i) => (total.live[i]! += x));
    frozen?.forEach((x, i) => (total.frozen[i]! += x));
    console.log(`| ${path} | ${live[0]} | ${live[1]} / ${live[2]} | ${frozen ? `${frozen[1]} / ${frozen[2]}` : '—'} |`);
  }
  console.log(`| all | ${total.live[0]} | ${total.live[1]} / ${total.live[2]} | ${total.frozen[1]} / ${total.frozen[2]} (of ${total.frozen[0]}) |`);
}

interface LastThird { stopped: boolean; walking: boolean; saturated: number; held: number; up: number; rateSd: number | null }

function lastThird(r: Replay): LastThird | null {
  if (r.onsetFrame === undefined || r.onsetFrame === null) return null;
  const nb = r.bodies.length;
  const na = r.actuators?.length ?? 8;
  const third = Math.floor((r.frames - 1 - r.onsetFrame) / 3);
  const lo = r.onsetFrame + 2 * third;
  const hi = r.frames - 1;
  const at = (f: number, k: number) => r.poses[(f * nb) * 7 + k]!;
  let path = 0;
  const ups: number[] = [];
  for (let f = lo; f < hi; f++) {
    path += Math.hypot(at(f + 1, 0) - at(f, 0), at(f + 1, 1) - at(f, 1));
    const [x, y] = [at(f, 3), at(f, 4)];
    ups.push(1 - 2 * (x * x + y * y));
  }
  let saturated = 0;
  let held = 0;
  for (let a = 0; a < na; a++) {
    const cmd = Array.from({ length: hi - lo }, (_, i) => r.actions[(lo + i) * na + a]!);
    saturated += cmd.filter((c) => Math.abs(c) > 0.99).length / cmd.length / na;
    if (sd(cmd) < 0.05) held++;
  }
  const rate = (r.internals as { layers?: { rate: number[] }[] } | undefined)?.layers?.[0]?.rate;
  return { stopped: path < 1, walking: path >= 10, saturated, held, up: mean(ups), rateSd: rate ? sd(rate.slice(lo, hi)) : null };
}

function replays(dirs: readonly string[]): void {
  const rows: LastThird[] = [];
  for (const dir of dirs) {
    for (const name of readdirSync(dir).filter((n) => n.startsWith('record-') && n.endsWith('.json')).sort()) {
      const r = parseReplay(readFileSync(join(dir, name), 'utf8'), join(dir, name));
      if (r.conditionText?.startsWith('nominal')) continue;
      const t = lastThird(r);
      if (t) rows.push(t);
    }
  }
  console.log(`${rows.length} damaged episodes (last third after the onset)`);
  for (const [label, group] of [['stopped (path < 1 m)', rows.filter((t) => t.stopped)], ['walking (path >= 10 m)', rows.filter((t) => t.walking)]] as const) {
    const rates = group.map((t) => t.rateSd).filter((x): x is number => x !== null);
    console.log(`${label}: ${group.length} episodes; saturated commands ${mean(group.map((t) => t.saturated)).toFixed(2)} of actuator-steps; actuators held still ${mean(group.map((t) => t.held)).toFixed(1)} of 8 (all 8 in ${group.filter((t) => t.held === 8).length}); torso up axis mean ${mean(group.map((t) => t.up)).toFixed(2)}, lowest ${Math.min(...group.map((t) => t.up)).toFixed(2)}${rates.length ? `; hidden firing rate sd ${mean(rates).toFixed(3)} (${rates.length} spiking)` : ''}`);
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'reports' && rest.length) reports(rest);
else if (mode === 'replays' && rest.length) replays(rest);
else throw new Error('usage: docs/stalls.ts reports REPORT.json [...] | replays DIR [...]');
