/**
 * Reparametrizations that map any real genome value to a valid model coefficient, so that
 * ES can search an unconstrained vector: a leak or a learning rate lives in (0, 1) through
 * a sigmoid, a threshold or a time constant is positive through an exponential.
 *
 *   sigmoid(x) = 1 / (1 + e^-x),  logit(p) = ln(p / (1 - p))   (inverse of each other)
 *   tau(x) = 1 + e^x,             tauRaw(tau) = ln(tau - 1)     (time constants >= 1 step)
 */

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Inverse of `sigmoid`; `p` must lie in (0, 1). */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** A time constant of at least one step from any real number. */
export function tauFromRaw(x: number): number {
  return 1 + Math.exp(x);
}

/** Inverse of `tauFromRaw`; `tau` must exceed 1. */
export function tauRaw(tau: number): number {
  return Math.log(tau - 1);
}

/** Clamps `x` to [-c, c]; written with comparisons because V8 inlines them in hot loops. */
export function clip(x: number, c: number): number {
  return x > c ? c : x < -c ? -c : x;
}
