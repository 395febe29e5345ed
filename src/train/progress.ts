/**
 * The live display of a training run: one line per generation with a progress bar,
 * mean/max return, the center's test return and distance, steps per second and ETA.
 */
import type { GenerationRecord } from './trainer.ts';

export function clock(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const ss = String(Math.floor(s % 60)).padStart(2, '0');
  return h > 0 ? `${h}:${String(m % 60).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

function fmt(v: number | null, d = 1): string {
  return v === null ? '—' : v.toFixed(d);
}

export class ProgressPrinter {
  private readonly started = performance.now();
  /** Generations done before this session (a resumed run); -1 until the first record. */
  private doneBefore = -1;

  constructor(private readonly total: number, private readonly log: (l: string) => void, private readonly quiet: boolean) {}

  generation(r: GenerationRecord): void {
    if (this.doneBefore < 0) this.doneBefore = r.generation - 1;
    if (this.quiet) return;
    const done = r.generation;
    const width = 20;
    const filled = Math.round((done / this.total) * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const elapsed = (performance.now() - this.started) / 1000;
    const perGen = elapsed / (done - this.doneBefore);
    const eta = perGen * (this.total - done);
    const test = r.testReturn === null ? '' : ` | test ${fmt(r.testReturn)} (${fmt(r.testDistance, 2)} m)`;
    const start = r.start === undefined ? '' : ` start ${r.start}`;
    this.log(`gen ${String(done).padStart(String(this.total).length)}/${this.total} [${bar}]${start} return mean ${fmt(r.returnMean)} max ${fmt(r.returnMax)}${test} | ${Math.round(r.stepsPerSec)} steps/s | ${clock(r.wallTime)} ETA ${clock(eta)}`);
  }

  summary(records: GenerationRecord[], dir: string): void {
    const tested = records.filter((r) => r.testReturn !== null);
    if (tested.length) {
      const first = tested[0]!;
      const last = tested[tested.length - 1]!;
      const best = tested.reduce((a, b) => ((b.testFitness ?? -Infinity) > (a.testFitness ?? -Infinity) ? b : a));
      this.log(`center on the test seeds: forward distance ${fmt(first.testDistance, 2)} m -> ${fmt(last.testDistance, 2)} m, return ${fmt(first.testReturn)} -> ${fmt(last.testReturn)} (generation ${first.generation} -> ${last.generation}); best.json is the center after generation ${best.generation} (distance ${fmt(best.testDistance, 2)} m)`);
    }
    this.log(`done: ${dir} (best policy: best.json; watch it: propamine view ${dir})`);
  }
}
