/**
 * The synapse kernels of synapse-kernels.ts and synapse-kernels-f32.ts in AssemblyScript,
 * compiled to WebAssembly SIMD (npm run build:kernels writes synapse-kernels.wasm.ts).
 * Arguments are byte offsets into the instance's memory (0 for a null array), sizes, and
 * scalars; the matrices are pre-major float32, as there. Each kernel is written once, generic
 * over its arithmetic T, and exported twice: `plasticFused` computes in float64 (T = f64, two
 * synapses a lane pair) and `plasticFused32` in float32 (T = f32, four at a time); every
 * helper below picks its instruction from T at compile time, so each export is straight-line
 * code of one lane type. Columns go a vector at a time (nv = n rounded down to the lane
 * count), and the last columns one by one. A row with input (x_i != 0) and one without each
 * get their own loop over the same inlined update, so that no loop tests anything but its
 * bound (a single loop with a flag inside ran 30% slower: V8 does not unswitch it). For the
 * same reason affineFused and abcdFused call one function per case (with E, without), each
 * inlining the rows with a constant flag: with both cases in one function binaryen merges
 * their common code, and the flag became a test inside the loop (23% slower without E).
 *
 * float64: bit-identical to the JavaScript kernels of synapse-kernels.ts, which compute in
 * float64 (a float32 read is promoted) and round once at each store to a Float32Array: here
 * two synapses at a time are loaded as float32, promoted to f64x2, computed with the same
 * expression in the same order (no fused multiply-add, no reassociation), and demoted at the
 * store. Where the JavaScript kernel propagates a row by reading H back after the update
 * (affineFused, abcdFused), the stored float32 value is promoted again instead.
 *
 * float32: bit-identical to synapse-kernels-f32.ts, which rounds every operation to float32
 * as f32x4 does (IEEE, no fused multiply-add); the scalars c and eta_e arrive as float64 and
 * are rounded to float32 first, as there.
 */

/** Eligibility below this is flushed to zero (as TINY in synapse-kernels.ts; in float32, its rounding). */
const TINY: f64 = 1e-30;

/** Clears the sign bit: |v| per lane, kept in a register (f64x2.abs reloads its mask). */
const ABS64: v128 = i64x2.splat(0x7fffffffffffffff);
const ABS32: v128 = i32x4.splat(0x7fffffff);

/** Synapses per vector: two float64 lanes (from two float32 in memory) or four float32. */
// @ts-ignore: decorator
@inline function lanes<T>(): i32 {
  return sizeof<T>() == 8 ? 2 : 4;
}

// @ts-ignore: decorator
@inline function ld<T>(p: usize): v128 {
  if (sizeof<T>() == 8) return f64x2.promote_low_f32x4(v128.load64_zero(p));
  return v128.load(p);
}

// @ts-ignore: decorator
@inline function st<T>(p: usize, v: v128): void {
  if (sizeof<T>() == 8) v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
  else v128.store(p, v);
}

/** Stores v as float32 and returns the stored values as T again (what a read-back gives). */
// @ts-ignore: decorator
@inline function stRead<T>(p: usize, v: v128): v128 {
  if (sizeof<T>() == 8) {
    const r = f32x4.demote_f64x2_zero(v);
    v128.store64_lane(p, r, 0);
    return f64x2.promote_low_f32x4(r);
  }
  v128.store(p, v);
  return v;
}

// @ts-ignore: decorator
@inline function ld1<T>(p: usize): T {
  return <T>load<f32>(p);
}

// @ts-ignore: decorator
@inline function splat<T>(x: T): v128 {
  if (sizeof<T>() == 8) return f64x2.splat(<f64>x);
  return f32x4.splat(<f32>x);
}

// @ts-ignore: decorator
@inline function add<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 8) return f64x2.add(a, b);
  return f32x4.add(a, b);
}

// @ts-ignore: decorator
@inline function sub<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 8) return f64x2.sub(a, b);
  return f32x4.sub(a, b);
}

// @ts-ignore: decorator
@inline function mul<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 8) return f64x2.mul(a, b);
  return f32x4.mul(a, b);
}

/** |v| per lane. */
// @ts-ignore: decorator
@inline function vabs<T>(v: v128): v128 {
  return v128.and(v, sizeof<T>() == 8 ? ABS64 : ABS32);
}

/** clip(u) = 0.5 (|u + c| - |u - c|), per lane. */
// @ts-ignore: decorator
@inline function clip<T>(u: v128, c: v128): v128 {
  return mul<T>(splat<T>(<T>0.5), sub<T>(vabs<T>(add<T>(u, c)), vabs<T>(sub<T>(u, c))));
}

// @ts-ignore: decorator
@inline function clip1<T>(u: T, c: T): T {
  return <T>0.5 * (abs<T>(u + c) - abs<T>(u - c));
}

/** e, or 0 where |e| < TINY, per lane. */
// @ts-ignore: decorator
@inline function flush<T>(e: v128): v128 {
  if (sizeof<T>() == 8) return v128.andnot(e, f64x2.lt(vabs<T>(e), f64x2.splat(TINY)));
  return v128.andnot(e, f32x4.lt(vabs<T>(e), f32x4.splat(<f32>TINY)));
}

// @ts-ignore: decorator
@inline function flush1<T>(e: T): T {
  return abs<T>(e) < <T>TINY ? <T>0 : e;
}

// @ts-ignore: decorator
@inline function xAt<T>(x: usize, i: i32): T {
  return x == 0 ? <T>0 : ld1<T>(x + (<usize>i << 2));
}

/** out_j += x (W_ij + alpha_ij h_j) for the vector of columns at byte offsets o (out) and q (the matrices). */
// @ts-ignore: decorator
@inline function propagateVec<T>(W: usize, A: usize, out: usize, o: usize, q: usize, xv: v128, h: v128): void {
  st<T>(out + o, add<T>(ld<T>(out + o), mul<T>(xv, add<T>(ld<T>(W + q), mul<T>(ld<T>(A + q), h)))));
}

// @ts-ignore: decorator
@inline function propagateOne<T>(W: usize, A: usize, out: usize, o: usize, q: usize, xi: T, h: T): void {
  store<f32>(out + o, <f32>(ld1<T>(out + o) + xi * (ld1<T>(W + q) + ld1<T>(A + q) * h)));
}

/** out_j += x_i W_ij over the rows with x_i != 0. */
export function propagate(W: usize, x: usize, out: usize, nPre: i32, n: i32): void {
  propagateRows<f64>(W, x, out, nPre, n);
}

export function propagate32(W: usize, x: usize, out: usize, nPre: i32, n: i32): void {
  propagateRows<f32>(W, x, out, nPre, n);
}

// @ts-ignore: decorator
@inline function propagateRows<T>(W: usize, x: usize, out: usize, nPre: i32, n: i32): void {
  const nv = n & ~(lanes<T>() - 1);
  for (let i = 0; i < nPre; i++) {
    const xi = ld1<T>(x + (<usize>i << 2));
    if (xi == 0) continue;
    const xv = splat<T>(xi);
    const row = W + ((<usize>i * <usize>n) << 2);
    for (let j = 0; j < nv; j += lanes<T>()) {
      const o = <usize>j << 2;
      st<T>(out + o, add<T>(ld<T>(out + o), mul<T>(xv, ld<T>(row + o))));
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, <f32>(ld1<T>(out + o) + xi * ld1<T>(row + o)));
    }
  }
}

/** out_j += x_i (W_ij + alpha_ij H_ij) over the rows with x_i != 0. */
export function propagatePlastic(W: usize, A: usize, H: usize, x: usize, out: usize, nPre: i32, n: i32): void {
  propagatePlasticRows<f64>(W, A, H, x, out, nPre, n);
}

export function propagatePlastic32(W: usize, A: usize, H: usize, x: usize, out: usize, nPre: i32, n: i32): void {
  propagatePlasticRows<f32>(W, A, H, x, out, nPre, n);
}

// @ts-ignore: decorator
@inline function propagatePlasticRows<T>(W: usize, A: usize, H: usize, x: usize, out: usize, nPre: i32, n: i32): void {
  const nv = n & ~(lanes<T>() - 1);
  for (let i = 0; i < nPre; i++) {
    const xi = ld1<T>(x + (<usize>i << 2));
    if (xi == 0) continue;
    const xv = splat<T>(xi);
    const row = (<usize>i * <usize>n) << 2;
    for (let j = 0; j < nv; j += lanes<T>()) {
      const o = <usize>j << 2;
      propagateVec<T>(W, A, out, o, row + o, xv, ld<T>(H + row + o));
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      propagateOne<T>(W, A, out, o, row + o, xi, ld1<T>(H + row + o));
    }
  }
}

/** H_ij <- clip(a_j H_ij + k_j pre_i), then out_j += x_i (W_ij + alpha_ij H_ij) with the unrounded H. */
export function plasticFused(H: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32, a: usize, k: usize, c: f64): void {
  plasticRows<f64>(H, W, A, pre, x, out, nPre, n, a, k, c);
}

export function plasticFused32(H: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32, a: usize, k: usize, c: f64): void {
  plasticRows<f32>(H, W, A, pre, x, out, nPre, n, a, k, <f32>c);
}

// @ts-ignore: decorator
@inline function plasticRows<T>(H: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32, a: usize, k: usize, c: T): void {
  const nv = n & ~(lanes<T>() - 1);
  const cv = splat<T>(c);
  for (let i = 0; i < nPre; i++) {
    const p = ld1<T>(pre + (<usize>i << 2));
    const pv = splat<T>(p);
    const xi = xAt<T>(x, i);
    const row = (<usize>i * <usize>n) << 2;
    if (xi != 0) {
      const xv = splat<T>(xi);
      for (let j = 0; j < nv; j += lanes<T>()) {
        const o = <usize>j << 2;
        propagateVec<T>(W, A, out, o, row + o, xv, plasticVec<T>(H + row + o, a + o, k + o, pv, cv));
      }
    } else {
      for (let j = 0; j < nv; j += lanes<T>()) {
        const o = <usize>j << 2;
        plasticVec<T>(H + row + o, a + o, k + o, pv, cv);
      }
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      const q = row + o;
      const h = clip1<T>(ld1<T>(a + o) * ld1<T>(H + q) + ld1<T>(k + o) * p, c);
      store<f32>(H + q, <f32>h);
      if (xi != 0) propagateOne<T>(W, A, out, o, q, xi, h);
    }
  }
}

/** H <- clip(a H + k p) for a vector of synapses at h (factors at a, k); returns the unrounded H. */
// @ts-ignore: decorator
@inline function plasticVec<T>(h: usize, a: usize, k: usize, pv: v128, cv: v128): v128 {
  const hn = clip<T>(add<T>(mul<T>(ld<T>(a), ld<T>(h)), mul<T>(ld<T>(k), pv)), cv);
  st<T>(h, hn);
  return hn;
}

/**
 * E_ij <- flush((1 - eta_e) E_ij + eta_e (d_j H_ij + k_j pre_i)), H_ij <- clip(H_ij + m_j E_ij)
 * with the unrounded E, then out_j += x_i (W_ij + alpha_ij H_ij) with the unrounded H.
 */
export function plasticFusedRetro(
  H: usize, E: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32,
  d: usize, k: usize, m: usize, etaE: f64, c: f64,
): void {
  retroRows<f64>(H, E, W, A, pre, x, out, nPre, n, d, k, m, etaE, c);
}

export function plasticFusedRetro32(
  H: usize, E: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32,
  d: usize, k: usize, m: usize, etaE: f64, c: f64,
): void {
  retroRows<f32>(H, E, W, A, pre, x, out, nPre, n, d, k, m, <f32>etaE, <f32>c);
}

// @ts-ignore: decorator
@inline function retroRows<T>(
  H: usize, E: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32,
  d: usize, k: usize, m: usize, etaE: T, c: T,
): void {
  const nv = n & ~(lanes<T>() - 1);
  const keep = <T>1 - etaE;
  const keepv = splat<T>(keep);
  const etav = splat<T>(etaE);
  const cv = splat<T>(c);
  for (let i = 0; i < nPre; i++) {
    const p = ld1<T>(pre + (<usize>i << 2));
    const pv = splat<T>(p);
    const xi = xAt<T>(x, i);
    const row = (<usize>i * <usize>n) << 2;
    if (xi != 0) {
      const xv = splat<T>(xi);
      for (let j = 0; j < nv; j += lanes<T>()) {
        const o = <usize>j << 2;
        const q = row + o;
        propagateVec<T>(W, A, out, o, q, xv, retroVec<T>(H + q, E + q, d + o, k + o, m + o, pv, keepv, etav, cv));
      }
    } else {
      for (let j = 0; j < nv; j += lanes<T>()) {
        const o = <usize>j << 2;
        const q = row + o;
        retroVec<T>(H + q, E + q, d + o, k + o, m + o, pv, keepv, etav, cv);
      }
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      const q = row + o;
      const hq = ld1<T>(H + q);
      const e = flush1<T>(keep * ld1<T>(E + q) + etaE * (ld1<T>(d + o) * hq + ld1<T>(k + o) * p));
      store<f32>(E + q, <f32>e);
      const h = clip1<T>(hq + ld1<T>(m + o) * e, c);
      store<f32>(H + q, <f32>h);
      if (xi != 0) propagateOne<T>(W, A, out, o, q, xi, h);
    }
  }
}

/** The retroactive update of a vector of synapses at h and e (factors at d, k, m); returns the unrounded H. */
// @ts-ignore: decorator
@inline function retroVec<T>(h: usize, e: usize, d: usize, k: usize, m: usize, pv: v128, keepv: v128, etav: v128, cv: v128): v128 {
  const hq = ld<T>(h);
  const en = flush<T>(add<T>(mul<T>(keepv, ld<T>(e)), mul<T>(etav, add<T>(mul<T>(ld<T>(d), hq), mul<T>(ld<T>(k), pv)))));
  st<T>(e, en);
  const hn = clip<T>(add<T>(hq, mul<T>(ld<T>(m), en)), cv);
  st<T>(h, hn);
  return hn;
}

/**
 * The end of an affine or ABCD update of a vector of synapses at h (and e) from their delta:
 * without E, H <- clip(H + m delta), or for `affine` H <- clip(delta) (its factors carry H and
 * the rate); with E, E <- flush((1 - eta_e) E + eta_e delta), H <- clip(H + m E). Returns the
 * stored (float32) H, as T.
 */
// @ts-ignore: decorator
@inline function finishVec<T>(h: usize, e: usize, m: usize, hq: v128, delta: v128, keepv: v128, etav: v128, cv: v128, retro: bool, affine: bool): v128 {
  // Loads only inside the branches that use them: a load may trap, so one in an argument or
  // a select would stay even where the constant flags make it dead.
  let u = delta;
  if (retro) {
    const en = flush<T>(add<T>(mul<T>(keepv, ld<T>(e)), mul<T>(etav, delta)));
    st<T>(e, en);
    u = add<T>(hq, mul<T>(ld<T>(m), en));
  } else if (!affine) {
    u = add<T>(hq, mul<T>(ld<T>(m), delta));
  }
  return stRead<T>(h, clip<T>(u, cv));
}

/** The scalar form of finishVec; returns the stored (float32) H, as T. */
// @ts-ignore: decorator
@inline function finishOne<T>(h: usize, e: usize, m: usize, hq: T, delta: T, keep: T, etaE: T, c: T, retro: bool, affine: bool): T {
  let u = delta;
  if (retro) {
    const en = flush1<T>(keep * ld1<T>(e) + etaE * delta);
    store<f32>(e, <f32>en);
    u = hq + ld1<T>(m) * en;
  } else if (!affine) {
    u = hq + ld1<T>(m) * delta;
  }
  const r = <f32>clip1<T>(u, c);
  store<f32>(h, r);
  return <T>r;
}

/**
 * delta_ij = a_j H_ij + k_j pre_i + c_j; H_ij <- clip(delta_ij) (E = 0: the factors carry the
 * rate), or E_ij <- flush((1 - eta_e) E_ij + eta_e delta_ij), H_ij <- clip(H_ij + m_j E_ij);
 * then out_j += x_i (W_ij + alpha_ij H_ij) with the stored (float32) H.
 */
export function affineFused(
  H: usize, E: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32,
  a: usize, k: usize, cst: usize, m: usize, etaE: f64, c: f64,
): void {
  if (E == 0) affinePlain<f64>(H, E, W, A, pre, x, out, nPre, n, a, k, cst, m, etaE, c);
  else affineRetro<f64>(H, E, W, A, pre, x, out, nPre, n, a, k, cst, m, etaE, c);
}

export function affineFused32(
  H: usize, E: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32,
  a: usize, k: usize, cst: usize, m: usize, etaE: f64, c: f64,
): void {
  if (E == 0) affinePlain<f32>(H, E, W, A, pre, x, out, nPre, n, a, k, cst, m, <f32>etaE, <f32>c);
  else affineRetro<f32>(H, E, W, A, pre, x, out, nPre, n, a, k, cst, m, <f32>etaE, <f32>c);
}

function affinePlain<T>(
  H: usize, E: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32,
  a: usize, k: usize, cst: usize, m: usize, etaE: T, c: T,
): void {
  affineRows<T>(H, E, W, A, pre, x, out, nPre, n, a, k, cst, m, etaE, c, false);
}

function affineRetro<T>(
  H: usize, E: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32,
  a: usize, k: usize, cst: usize, m: usize, etaE: T, c: T,
): void {
  affineRows<T>(H, E, W, A, pre, x, out, nPre, n, a, k, cst, m, etaE, c, true);
}

// @ts-ignore: decorator
@inline function affineRows<T>(
  H: usize, E: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32,
  a: usize, k: usize, cst: usize, m: usize, etaE: T, c: T, retro: bool,
): void {
  const nv = n & ~(lanes<T>() - 1);
  const keep = <T>1 - etaE;
  const keepv = splat<T>(keep);
  const etav = splat<T>(etaE);
  const cv = splat<T>(c);
  for (let i = 0; i < nPre; i++) {
    const p = ld1<T>(pre + (<usize>i << 2));
    const pv = splat<T>(p);
    const xi = xAt<T>(x, i);
    const row = (<usize>i * <usize>n) << 2;
    if (xi != 0) {
      const xv = splat<T>(xi);
      for (let j = 0; j < nv; j += lanes<T>()) {
        const o = <usize>j << 2;
        const q = row + o;
        const hq = ld<T>(H + q);
        const delta = add<T>(add<T>(mul<T>(ld<T>(a + o), hq), mul<T>(ld<T>(k + o), pv)), ld<T>(cst + o));
        propagateVec<T>(W, A, out, o, q, xv, finishVec<T>(H + q, E + q, m + o, hq, delta, keepv, etav, cv, retro, true));
      }
    } else {
      for (let j = 0; j < nv; j += lanes<T>()) {
        const o = <usize>j << 2;
        const q = row + o;
        const hq = ld<T>(H + q);
        const delta = add<T>(add<T>(mul<T>(ld<T>(a + o), hq), mul<T>(ld<T>(k + o), pv)), ld<T>(cst + o));
        finishVec<T>(H + q, E + q, m + o, hq, delta, keepv, etav, cv, retro, true);
      }
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      const q = row + o;
      const hq = ld1<T>(H + q);
      const delta = ld1<T>(a + o) * hq + ld1<T>(k + o) * p + ld1<T>(cst + o);
      const h = finishOne<T>(H + q, E + q, m + o, hq, delta, keep, etaE, c, retro, true);
      if (xi != 0) propagateOne<T>(W, A, out, o, q, xi, h);
    }
  }
}

/**
 * ABCD per synapse: with T the coefficient rows [A; B; C; D] (nPre x n each),
 * delta_ij = (A_ij pre_i + C_ij) post_j + B_ij pre_i + D_ij; H_ij <- clip(H_ij + m_j delta_ij)
 * (E = 0) or E_ij <- flush((1 - eta_e) E_ij + eta_e delta_ij), H_ij <- clip(H_ij + m_j E_ij);
 * then out_j += x_i (W_ij + alpha_ij H_ij) with the stored (float32) H.
 */
export function abcdFused(
  H: usize, E: usize, W: usize, A: usize, T: usize, pre: usize, post: usize, x: usize, out: usize, nPre: i32, n: i32,
  m: usize, etaE: f64, c: f64,
): void {
  if (E == 0) abcdPlain<f64>(H, E, W, A, T, pre, post, x, out, nPre, n, m, etaE, c);
  else abcdRetro<f64>(H, E, W, A, T, pre, post, x, out, nPre, n, m, etaE, c);
}

export function abcdFused32(
  H: usize, E: usize, W: usize, A: usize, T: usize, pre: usize, post: usize, x: usize, out: usize, nPre: i32, n: i32,
  m: usize, etaE: f64, c: f64,
): void {
  if (E == 0) abcdPlain<f32>(H, E, W, A, T, pre, post, x, out, nPre, n, m, <f32>etaE, <f32>c);
  else abcdRetro<f32>(H, E, W, A, T, pre, post, x, out, nPre, n, m, <f32>etaE, <f32>c);
}

function abcdPlain<F>(
  H: usize, E: usize, W: usize, A: usize, T: usize, pre: usize, post: usize, x: usize, out: usize, nPre: i32, n: i32,
  m: usize, etaE: F, c: F,
): void {
  abcdRows<F>(H, E, W, A, T, pre, post, x, out, nPre, n, m, etaE, c, false);
}

function abcdRetro<F>(
  H: usize, E: usize, W: usize, A: usize, T: usize, pre: usize, post: usize, x: usize, out: usize, nPre: i32, n: i32,
  m: usize, etaE: F, c: F,
): void {
  abcdRows<F>(H, E, W, A, T, pre, post, x, out, nPre, n, m, etaE, c, true);
}

/** (The arithmetic is F here: T names the coefficient rows.) */
// @ts-ignore: decorator
@inline function abcdRows<F>(
  H: usize, E: usize, W: usize, A: usize, T: usize, pre: usize, post: usize, x: usize, out: usize, nPre: i32, n: i32,
  m: usize, etaE: F, c: F, retro: bool,
): void {
  const nv = n & ~(lanes<F>() - 1);
  const keep = <F>1 - etaE;
  const keepv = splat<F>(keep);
  const etav = splat<F>(etaE);
  const cv = splat<F>(c);
  const N = (<usize>nPre * <usize>n) << 2;
  const TB = T + N;
  const TC = T + 2 * N;
  const TD = T + 3 * N;
  for (let i = 0; i < nPre; i++) {
    const p = ld1<F>(pre + (<usize>i << 2));
    const pv = splat<F>(p);
    const xi = xAt<F>(x, i);
    const row = (<usize>i * <usize>n) << 2;
    if (xi != 0) {
      const xv = splat<F>(xi);
      for (let j = 0; j < nv; j += lanes<F>()) {
        const o = <usize>j << 2;
        const q = row + o;
        const delta = add<F>(add<F>(mul<F>(add<F>(mul<F>(ld<F>(T + q), pv), ld<F>(TC + q)), ld<F>(post + o)), mul<F>(ld<F>(TB + q), pv)), ld<F>(TD + q));
        propagateVec<F>(W, A, out, o, q, xv, finishVec<F>(H + q, E + q, m + o, ld<F>(H + q), delta, keepv, etav, cv, retro, false));
      }
    } else {
      for (let j = 0; j < nv; j += lanes<F>()) {
        const o = <usize>j << 2;
        const q = row + o;
        const delta = add<F>(add<F>(mul<F>(add<F>(mul<F>(ld<F>(T + q), pv), ld<F>(TC + q)), ld<F>(post + o)), mul<F>(ld<F>(TB + q), pv)), ld<F>(TD + q));
        finishVec<F>(H + q, E + q, m + o, ld<F>(H + q), delta, keepv, etav, cv, retro, false);
      }
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      const q = row + o;
      const delta = (ld1<F>(T + q) * p + ld1<F>(TC + q)) * ld1<F>(post + o) + ld1<F>(TB + q) * p + ld1<F>(TD + q);
      const h = finishOne<F>(H + q, E + q, m + o, ld1<F>(H + q), delta, keep, etaE, c, retro, false);
      if (xi != 0) propagateOne<F>(W, A, out, o, q, xi, h);
    }
  }
}
