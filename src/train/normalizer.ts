/**
 * Running observation normalization: sums of raw observations merged from every worker
 * (in task order, so the result does not depend on which worker ran what). The variance
 * has a floor so that near-constant inputs are not blown up.
 */
import type { Normalization, ObsStats } from '../../workers/types.ts';
import { shown } from '../../core/shown.ts';

export interface NormalizerState { count: number; sum: number[]; sumSq: number[] }

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

  toJSON(): NormalizerState {
    return { count: this.count, sum: Array.from(this.sum), sumSq: Array.from(this.sumSq) };
  }

  static fromJSON(raw: unknown, size: number, clip: number, where = 'normalizer'): ObsNormalizer {
    const r = raw as NormalizerState;
    if (!r || !Array.isArray(r.sum) || r.sum.length !== size || !Array.isArray(r.sumSq) || r.sumSq.length !== size) {
      throw new Error(`${where} must hold count and ${size} sums and squared sums`);
    }
    if (!Number.isInteger(r.count) || r.count < 0) throw new Error(`${where}.count must be a whole number >= 0 (got ${shown(r.count)})`);
    finiteList(r.sum, `${where}.sum`);
    finiteList(r.sumSq, `${where}.sumSq`, 'nonNegative');
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

export function normalizationFromJSON(raw: unknown, size: number, where: string): Normalization | null {
  if (raw === null || raw === undefined) return null;
  const r = raw as { mean: number[]; std: number[]; clip: number };
  if (!Array.isArray(r.mean) || r.mean.length !== size || !Array.isArray(r.std) || r.std.length !== size || !(r.clip > 0)) {
    throw new Error(`${where}.normalizer must hold mean and std of ${size} numbers and a clip > 0`);
  }
  finiteList(r.mean, `${where}.normalizer.mean`);
  finiteList(r.std, `${where}.normalizer.std`, 'positive');
  return { mean: Float64Array.from(r.mean), std: Float64Array.from(r.std), clip: r.clip };
}

const BOUNDS = { any: [-Infinity, ''], nonNegative: [0, ' >= 0'], positive: [Number.MIN_VALUE, ' above 0'] } as const;

/** Every entry a finite number (within `bound`): a null or NaN in saved statistics or parameters names its index. */
export function finiteList(xs: readonly unknown[], where: string, bound: keyof typeof BOUNDS = 'any'): void {
  const [min, text] = BOUNDS[bound];
  xs.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new Error(`${where}[${i}] must be a finite number${text} (got ${shown(v)})`);
  });
}
