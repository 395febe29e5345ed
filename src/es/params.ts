/**
 * Hyper-parameter validation shared by the strategies. Every error names the field as the
 * config file spells it (`strategy.sigma must be > 0 (got -1)`), so a user can find the
 * line to fix.
 */

/** Merges `input` over `defaults`, rejecting keys the strategy does not have. */
export function mergeParams<P extends object>(strategyName: string, defaults: Readonly<P>, input: object | undefined): P {
  const out = { ...defaults } as Record<string, unknown>;
  if (input === undefined || input === null) return out as P;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new Error(`strategy parameters must be an object (got ${describe(input)})`);
  }
  for (const [key, value] of Object.entries(input)) {
    if (!Object.hasOwn(defaults, key)) {
      throw new Error(
        `strategy.${key} is not a parameter of ${strategyName} (known: ${Object.keys(defaults).join(', ')})`,
      );
    }
    if (value !== undefined) out[key] = value;
  }
  return out as P;
}

export function finiteNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`strategy.${field} must be a finite number (got ${describe(value)})`);
  }
  return value;
}

export function positive(value: unknown, field: string): number {
  const v = finiteNumber(value, field);
  if (!(v > 0)) throw new Error(`strategy.${field} must be > 0 (got ${v})`);
  return v;
}

export function nonNegative(value: unknown, field: string): number {
  const v = finiteNumber(value, field);
  if (!(v >= 0)) throw new Error(`strategy.${field} must be >= 0 (got ${v})`);
  return v;
}

/** lo <= v < hi, or lo <= v <= hi when `closed`. */
export function inRange(value: unknown, field: string, lo: number, hi: number, closed = false): number {
  const v = finiteNumber(value, field);
  const ok = closed ? v >= lo && v <= hi : v >= lo && v < hi;
  if (!ok) throw new Error(`strategy.${field} must be in [${lo}, ${hi}${closed ? ']' : ')'} (got ${v})`);
  return v;
}

/** lo < v <= hi. */
export function inHalfOpenAbove(value: unknown, field: string, lo: number, hi: number): number {
  const v = finiteNumber(value, field);
  if (!(v > lo && v <= hi)) throw new Error(`strategy.${field} must be in (${lo}, ${hi}] (got ${v})`);
  return v;
}

export function integerAtLeast(value: unknown, field: string, min: number): number {
  const v = finiteNumber(value, field);
  if (!Number.isInteger(v) || v < min) throw new Error(`strategy.${field} must be an integer >= ${min} (got ${v})`);
  return v;
}

/** Population sizes of mirrored strategies hold whole (+z, -z) pairs. */
export function evenPopSize(value: unknown, field: string): number {
  const v = integerAtLeast(value, field, 2);
  if (v % 2 !== 0) throw new Error(`strategy.${field} must be even for mirrored sampling (got ${v})`);
  return v;
}

/** 'auto' (a dimension-dependent default) or an integer >= min. */
export function autoOrInteger(value: unknown, field: string, min: number): number | 'auto' {
  if (value === 'auto') return 'auto';
  if (typeof value !== 'number') throw new Error(`strategy.${field} must be "auto" or an integer >= ${min} (got ${describe(value)})`);
  return integerAtLeast(value, field, min);
}

export function autoOrPositive(value: unknown, field: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  if (typeof value !== 'number') throw new Error(`strategy.${field} must be "auto" or a number > 0 (got ${describe(value)})`);
  return positive(value, field);
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
