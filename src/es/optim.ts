/**
 * Gradient-ascent optimizers over plain state: each step takes the current state and an
 * ascent direction g (we maximise) and returns fresh state plus the step to ADD to the
 * parameters. Inputs are never mutated, so a checkpointed state stays valid.
 *
 * Adam (Kingma & Ba 2015), t counted from 1:
 *   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2
 *   step = lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * SGD with momentum:
 *   u <- mu u + g,  step = lr * u
 * ClipUp (Toklu et al. 2020), a normalized step with momentum and a speed limit:
 *   u <- mu u + alpha g / |g|,  u <- u * min(1, maxSpeed / |u|),  step = u
 */

export interface AdamParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}
export interface AdamState {
  m: Float64Array;
  v: Float64Array;
  /** Number of steps taken. */
  t: number;
}

export interface MomentumParams {
  lr: number;
  momentum: number;
}
export interface MomentumState {
  velocity: Float64Array;
}

export interface ClipUpParams {
  /** Length of the normalized gradient step (alpha). */
  stepSize: number;
  momentum: number;
  /** Upper bound on the length of the velocity, hence of every step. */
  maxSpeed: number;
}
export interface ClipUpState {
  velocity: Float64Array;
}

export interface OptimStep<S> {
  state: S;
  /** Add this to the parameters. */
  step: Float64Array;
}

export function adamInit(dim: number): AdamState {
  return { m: new Float64Array(dim), v: new Float64Array(dim), t: 0 };
}

export function adamStep(state: AdamState, ascentGrad: Float64Array, p: AdamParams): OptimStep<AdamState> {
  checkLength(state.m.length, ascentGrad.length);
  const d = ascentGrad.length;
  const t = state.t + 1;
  const m = new Float64Array(d);
  const v = new Float64Array(d);
  const step = new Float64Array(d);
  const c1 = 1 - Math.pow(p.beta1, t);
  const c2 = 1 - Math.pow(p.beta2, t);
  for (let j = 0; j < d; j++) {
    const g = ascentGrad[j];
    const mj = p.beta1 * state.m[j] + (1 - p.beta1) * g;
    const vj = p.beta2 * state.v[j] + (1 - p.beta2) * g * g;
    m[j] = mj;
    v[j] = vj;
    step[j] = (p.lr * (mj / c1)) / (Math.sqrt(vj / c2) + p.eps);
  }
  return { state: { m, v, t }, step };
}

export function sgdInit(dim: number): MomentumState {
  return { velocity: new Float64Array(dim) };
}

export function sgdStep(state: MomentumState, ascentGrad: Float64Array, p: MomentumParams): OptimStep<MomentumState> {
  checkLength(state.velocity.length, ascentGrad.length);
  const d = ascentGrad.length;
  const velocity = new Float64Array(d);
  const step = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const u = p.momentum * state.velocity[j] + ascentGrad[j];
    velocity[j] = u;
    step[j] = p.lr * u;
  }
  return { state: { velocity }, step };
}

export function clipUpInit(dim: number): ClipUpState {
  return { velocity: new Float64Array(dim) };
}

export function clipUpStep(state: ClipUpState, ascentGrad: Float64Array, p: ClipUpParams): OptimStep<ClipUpState> {
  checkLength(state.velocity.length, ascentGrad.length);
  const d = ascentGrad.length;
  const gNorm = norm(ascentGrad);
  // A zero gradient (a flat generation) has no direction: coast on momentum alone.
  const gScale = gNorm > 0 ? p.stepSize / gNorm : 0;
  const velocity = new Float64Array(d);
  for (let j = 0; j < d; j++) velocity[j] = p.momentum * state.velocity[j] + gScale * ascentGrad[j];
  const speed = norm(velocity);
  if (speed > p.maxSpeed) {
    const c = p.maxSpeed / speed;
    for (let j = 0; j < d; j++) velocity[j] *= c;
  }
  return { state: { velocity }, step: Float64Array.from(velocity) };
}

/** Euclidean norm. */
export function norm(x: Float64Array): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j];
  return Math.sqrt(s);
}

function checkLength(stateLen: number, gradLen: number): void {
  if (stateLen !== gradLen) throw new Error(`optimizer: gradient has length ${gradLen}, state has ${stateLen}`);
}
