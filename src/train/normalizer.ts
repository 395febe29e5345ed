/**
 * Running observation normalization: sums of raw observations merged from every worker
 * (in task order, so the result does not depend on which worker ran what). The variance
 * has a floor so that near-constant inputs are not blown up.
 */
import * as v from 'valibot';
import type { Normalization, ObsStats } from '../../workers/types.ts';
import { finiteNumber, got, listOf, parseWith, record } from '../../core/schema.ts';

/**
 * The running state (a checkpoint's `normalizer`, init.json's `meta.normalizerState`) for
 * `size` observations: how many were seen, and their per-index sums and sums of squares.
 */
export function normalizerStateSchema(size: number) {
  return record({
    count: v.pipe(v.number(got('must be a whole number >= 0')), v.integer(got('must be a whole number >= 0')), v.minValue(0, got('must be a whole number >= 0'))),
    sum: listOf(size, finiteNumber()),
    sumSq: listOf(size, finiteNumber('nonNegative')),
  }, got('must be an object with count, sum and sumSq'));
}

export type NormalizerState = v.InferOutput<ReturnType<typeof normalizerStateSchema>>;

/**
 * The normalization a policy file saves for `size` observations (`normalizer` of best.json):
 * x -> clip((x - mean) / std, -clip, clip). Absent or null: none.
 */
export function normalizationSchema(size: number) {
  return v.nullish(v.pipe(
    record({
      mean: listOf(size, finiteNumber()),
      std: listOf(size, finiteNumber('positive')),
      clip: v.pipe(v.number(got('must be a number > 0')), v.gtValue(0, got('must be a number > 0'))),
    }, got('must be null or an object with mean, std and clip')),
    v.transform((n): Normalization => ({ mean: Float64Array.from(n.mean), std: Float64Array.from(n.std), clip: n.clip })),
  ), null);
}

const VAR_FLOOR = 1e-2;

export class ObsNormalizer {
  count = 0;
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;

  constructor(readonly size: number, readonly clip: number) {
    this.sum = new Float64Array(size);
    this.sumSq = new Float64Array(size);
  }

  merge(s: ObsStats): void {
    this.count += s.count;
    for (let i = 0; i < this.size; i++) {
      this.sum[i]! += s.sum[i]!;
      this.sumSq[i]! += s.sumSq[i]!;
    }
  }

  /** The normalization workers apply; null until anything was observed. */
  snapshot(): Normalization | null {
    if (this.count === 0) return null;
    const mean = new Float64Array(this.size);
    const std = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const m = this.sum[i]! / this.count;
      mean[i] = m;
      std[i] = Math.sqrt(Math.max(this.sumSq[i]! / this.count - m * m, VAR_FLOOR));
    }
    return { mean, std, clip: this.clip };
  }

  /** An independent copy of the statistics, clipping at `clip` (this one's by default). */
  copy(clip = this.clip): ObsNormalizer {
    const n = new ObsNormalizer(this.size, clip);
    n.count = this.count;
    n.sum.set(this.sum);
    n.sumSq.set(this.sumSq);
    return n;
  }

  toJSON(): NormalizerState {
    return { count: this.count, sum: Array.from(this.sum), sumSq: Array.from(this.sumSq) };
  }

  /** The normalizer of a saved state (`where` names it in errors: `checkpoint.normalizer.sum[3] must be ...`). */
  static fromJSON(raw: unknown, size: number, clip: number, where = 'normalizer'): ObsNormalizer {
    const r = parseWith(normalizerStateSchema(size), raw, where);
    const n = new ObsNormalizer(size, clip);
    n.count = r.count;
    n.sum.set(r.sum);
    n.sumSq.set(r.sumSq);
    return n;
  }
}

/** The normalization as plain JSON (saved with a policy). */
export function normalizationToJSON(n: Normalization | null): { mean: number[]; std: number[]; clip: number } | null {
  return n ? { mean: Array.from(n.mean), std: Array.from(n.std), clip: n.clip } : null;
}
