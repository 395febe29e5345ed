/**
 * The synapse kernels of synapse-kernels.ts in AssemblyScript, compiled to WebAssembly SIMD
 * (npm run build:kernels writes synapse-kernels.wasm.ts). Arguments are byte offsets into
 * the instance's memory (0 for a null array), sizes, and scalars; the matrices are
 * pre-major float32, as there. Columns go two at a time (nv = n rounded down to even), and
 * the last column of an odd n alone. A row with input (x_i != 0) and one without each get
 * their own loop over the same inlined update, so that no loop tests anything but its
 * bound (a single loop with a flag inside ran 30% slower: V8 does not unswitch it). For the
 * same reason affineFused and abcdFused call one function per case (with E, without), each
 * inlining the rows with a constant flag: with both cases in one function binaryen merges
 * their common code, and the flag became a test inside the loop (23% slower without E).
 *
 * Bit-identical to the JavaScript kernels, which compute in float64 (a float32 read is
 * promoted) and round once at each store to a Float32Array: here two synapses at a time
 * are loaded as float32, promoted to f64x2, computed with the same expression in the same
 * order (no fused multiply-add, no reassociation), and demoted at the store. f32x4
 * arithmetic would be twice as wide but would round every operation to float32: other
 * bits. Where the JavaScript kernel propagates a row by reading H back after the update
 * (affineFused, abcdFused), the stored float32 value is promoted again instead.
 */

/** Eligibility below this is flushed to zero (as TINY in synapse-kernels.ts). */
const TINY: f64 = 1e-30;

/** Clears the sign bit: |v| per lane, kept in a register (f64x2.abs reloads its mask). */
const ABS: v128 = i64x2.splat(0x7fffffffffffffff);

// @ts-ignore: decorator
@inline function ld(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

// @ts-ignore: decorator
@inline function st(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

/** Stores v as float32 and returns the stored values promoted again (what a read-back gives). */
// @ts-ignore: decorator
@inline function stRead(p: usize, v: v128): v128 {
  const r = f32x4.demote_f64x2_zero(v);
  v128.store64_lane(p, r, 0);
  return f64x2.promote_low_f32x4(r);
}

// @ts-ignore: decorator
@inline function ld1(p: usize): f64 {
  return <f64>load<f32>(p);
}

// @ts-ignore: decorator
@inline function add(a: v128, b: v128): v128 {
  return f64x2.add(a, b);
}

// @ts-ignore: decorator
@inline function sub(a: v128, b: v128): v128 {
  return f64x2.sub(a, b);
}

// @ts-ignore: decorator
@inline function mul(a: v128, b: v128): v128 {
  return f64x2.mul(a, b);
}

/** clip(u) = 0.5 (|u + c| - |u - c|), per lane. */
// @ts-ignore: decorator
@inline function clip(u: v128, c: v128): v128 {
  return mul(f64x2.splat(0.5), sub(v128.and(add(u, c), ABS), v128.and(sub(u, c), ABS)));
}

// @ts-ignore: decorator
@inline function clip1(u: f64, c: f64): f64 {
  return 0.5 * (Math.abs(u + c) - Math.abs(u - c));
}

/** e, or 0 where |e| < TINY, per lane. */
// @ts-ignore: decorator
@inline function flush(e: v128): v128 {
  return v128.andnot(e, f64x2.lt(v128.and(e, ABS), f64x2.splat(TINY)));
}

// @ts-ignore: decorator
@inline function flush1(e: f64): f64 {
  return Math.abs(e) < TINY ? 0 : e;
}

// @ts-ignore: decorator
@inline function xAt(x: usize, i: i32): f64 {
  return x == 0 ? 0 : ld1(x + (<usize>i << 2));
}

/** out_j += x (W_ij + alpha_ij h_j) for the two columns at byte offsets o (out) and q (the matrices). */
// @ts-ignore: decorator
@inline function propagatePair(W: usize, A: usize, out: usize, o: usize, q: usize, x2: v128, h: v128): void {
  st(out + o, add(ld(out + o), mul(x2, add(ld(W + q), mul(ld(A + q), h)))));
}

// @ts-ignore: decorator
@inline function propagateOne(W: usize, A: usize, out: usize, o: usize, q: usize, xi: f64, h: f64): void {
  store<f32>(out + o, <f32>(ld1(out + o) + xi * (ld1(W + q) + ld1(A + q) * h)));
}

/** out_j += x_i W_ij over the rows with x_i != 0. */
export function propagate(W: usize, x: usize, out: usize, nPre: i32, n: i32): void {
  const nv = n & ~1;
  for (let i = 0; i < nPre; i++) {
    const xi = ld1(x + (<usize>i << 2));
    if (xi == 0) continue;
    const x2 = f64x2.splat(xi);
    const row = W + ((<usize>i * <usize>n) << 2);
    for (let j = 0; j < nv; j += 2) {
      const o = <usize>j << 2;
      st(out + o, add(ld(out + o), mul(x2, ld(row + o))));
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(out + o, <f32>(ld1(out + o) + xi * ld1(row + o)));
    }
  }
}

/** out_j += x_i (W_ij + alpha_ij H_ij) over the rows with x_i != 0. */
export function propagatePlastic(W: usize, A: usize, H: usize, x: usize, out: usize, nPre: i32, n: i32): void {
  const nv = n & ~1;
  for (let i = 0; i < nPre; i++) {
    const xi = ld1(x + (<usize>i << 2));
    if (xi == 0) continue;
    const x2 = f64x2.splat(xi);
    const row = (<usize>i * <usize>n) << 2;
    for (let j = 0; j < nv; j += 2) {
      const o = <usize>j << 2;
      propagatePair(W, A, out, o, row + o, x2, ld(H + row + o));
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      propagateOne(W, A, out, o, row + o, xi, ld1(H + row + o));
    }
  }
}

/** H_ij <- clip(a_j H_ij + k_j pre_i), then out_j += x_i (W_ij + alpha_ij H_ij) with the unrounded H. */
export function plasticFused(H: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32, a: usize, k: usize, c: f64): void {
  const nv = n & ~1;
  const c2 = f64x2.splat(c);
  for (let i = 0; i < nPre; i++) {
    const p = ld1(pre + (<usize>i << 2));
    const p2 = f64x2.splat(p);
    const xi = xAt(x, i);
    const row = (<usize>i * <usize>n) << 2;
    if (xi != 0) {
      const x2 = f64x2.splat(xi);
      for (let j = 0; j < nv; j += 2) {
        const o = <usize>j << 2;
        propagatePair(W, A, out, o, row + o, x2, plasticPair(H + row + o, a + o, k + o, p2, c2));
      }
    } else {
      for (let j = 0; j < nv; j += 2) {
        const o = <usize>j << 2;
        plasticPair(H + row + o, a + o, k + o, p2, c2);
      }
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      const q = row + o;
      const h = clip1(ld1(a + o) * ld1(H + q) + ld1(k + o) * p, c);
      store<f32>(H + q, <f32>h);
      if (xi != 0) propagateOne(W, A, out, o, q, xi, h);
    }
  }
}

/** H <- clip(a H + k p) for two synapses at h (factors at a, k); returns the unrounded H. */
// @ts-ignore: decorator
@inline function plasticPair(h: usize, a: usize, k: usize, p2: v128, c2: v128): v128 {
  const hn = clip(add(mul(ld(a), ld(h)), mul(ld(k), p2)), c2);
  st(h, hn);
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
  const nv = n & ~1;
  const keep = 1 - etaE;
  const keep2 = f64x2.splat(keep);
  const eta2 = f64x2.splat(etaE);
  const c2 = f64x2.splat(c);
  for (let i = 0; i < nPre; i++) {
    const p = ld1(pre + (<usize>i << 2));
    const p2 = f64x2.splat(p);
    const xi = xAt(x, i);
    const row = (<usize>i * <usize>n) << 2;
    if (xi != 0) {
      const x2 = f64x2.splat(xi);
      for (let j = 0; j < nv; j += 2) {
        const o = <usize>j << 2;
        const q = row + o;
        propagatePair(W, A, out, o, q, x2, retroPair(H + q, E + q, d + o, k + o, m + o, p2, keep2, eta2, c2));
      }
    } else {
      for (let j = 0; j < nv; j += 2) {
        const o = <usize>j << 2;
        const q = row + o;
        retroPair(H + q, E + q, d + o, k + o, m + o, p2, keep2, eta2, c2);
      }
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      const q = row + o;
      const hq = ld1(H + q);
      const e = flush1(keep * ld1(E + q) + etaE * (ld1(d + o) * hq + ld1(k + o) * p));
      store<f32>(E + q, <f32>e);
      const h = clip1(hq + ld1(m + o) * e, c);
      store<f32>(H + q, <f32>h);
      if (xi != 0) propagateOne(W, A, out, o, q, xi, h);
    }
  }
}

/** The retroactive update of two synapses at h and e (factors at d, k, m); returns the unrounded H. */
// @ts-ignore: decorator
@inline function retroPair(h: usize, e: usize, d: usize, k: usize, m: usize, p2: v128, keep2: v128, eta2: v128, c2: v128): v128 {
  const hq = ld(h);
  const en = flush(add(mul(keep2, ld(e)), mul(eta2, add(mul(ld(d), hq), mul(ld(k), p2)))));
  st(e, en);
  const hn = clip(add(hq, mul(ld(m), en)), c2);
  st(h, hn);
  return hn;
}

/**
 * The end of an affine or ABCD update of two synapses at h (and e) from their delta: without
 * E, H <- clip(H + m delta), or for `affine` H <- clip(delta) (its factors carry H and the
 * rate); with E, E <- flush((1 - eta_e) E + eta_e delta), H <- clip(H + m E). Returns the
 * stored (float32) H, promoted.
 */
// @ts-ignore: decorator
@inline function finishPair(h: usize, e: usize, m: usize, hq: v128, delta: v128, keep2: v128, eta2: v128, c2: v128, retro: bool, affine: bool): v128 {
  // Loads only inside the branches that use them: a load may trap, so one in an argument or
  // a select would stay even where the constant flags make it dead.
  let u = delta;
  if (retro) {
    const en = flush(add(mul(keep2, ld(e)), mul(eta2, delta)));
    st(e, en);
    u = add(hq, mul(ld(m), en));
  } else if (!affine) {
    u = add(hq, mul(ld(m), delta));
  }
  return stRead(h, clip(u, c2));
}

/** The scalar form of finishPair; returns the stored (float32) H. */
// @ts-ignore: decorator
@inline function finishOne(h: usize, e: usize, m: usize, hq: f64, delta: f64, keep: f64, etaE: f64, c: f64, retro: bool, affine: bool): f64 {
  let u = delta;
  if (retro) {
    const en = flush1(keep * ld1(e) + etaE * delta);
    store<f32>(e, <f32>en);
    u = hq + ld1(m) * en;
  } else if (!affine) {
    u = hq + ld1(m) * delta;
  }
  const r = <f32>clip1(u, c);
  store<f32>(h, r);
  return <f64>r;
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
  if (E == 0) affinePlain(H, E, W, A, pre, x, out, nPre, n, a, k, cst, m, etaE, c);
  else affineRetro(H, E, W, A, pre, x, out, nPre, n, a, k, cst, m, etaE, c);
}

function affinePlain(
  H: usize, E: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32,
  a: usize, k: usize, cst: usize, m: usize, etaE: f64, c: f64,
): void {
  affineRows(H, E, W, A, pre, x, out, nPre, n, a, k, cst, m, etaE, c, false);
}

function affineRetro(
  H: usize, E: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32,
  a: usize, k: usize, cst: usize, m: usize, etaE: f64, c: f64,
): void {
  affineRows(H, E, W, A, pre, x, out, nPre, n, a, k, cst, m, etaE, c, true);
}

// @ts-ignore: decorator
@inline function affineRows(
  H: usize, E: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32,
  a: usize, k: usize, cst: usize, m: usize, etaE: f64, c: f64, retro: bool,
): void {
  const nv = n & ~1;
  const keep = 1 - etaE;
  const keep2 = f64x2.splat(keep);
  const eta2 = f64x2.splat(etaE);
  const c2 = f64x2.splat(c);
  for (let i = 0; i < nPre; i++) {
    const p = ld1(pre + (<usize>i << 2));
    const p2 = f64x2.splat(p);
    const xi = xAt(x, i);
    const row = (<usize>i * <usize>n) << 2;
    if (xi != 0) {
      const x2 = f64x2.splat(xi);
      for (let j = 0; j < nv; j += 2) {
        const o = <usize>j << 2;
        const q = row + o;
        const hq = ld(H + q);
        const delta = add(add(mul(ld(a + o), hq), mul(ld(k + o), p2)), ld(cst + o));
        propagatePair(W, A, out, o, q, x2, finishPair(H + q, E + q, m + o, hq, delta, keep2, eta2, c2, retro, true));
      }
    } else {
      for (let j = 0; j < nv; j += 2) {
        const o = <usize>j << 2;
        const q = row + o;
        const hq = ld(H + q);
        const delta = add(add(mul(ld(a + o), hq), mul(ld(k + o), p2)), ld(cst + o));
        finishPair(H + q, E + q, m + o, hq, delta, keep2, eta2, c2, retro, true);
      }
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      const q = row + o;
      const hq = ld1(H + q);
      const delta = ld1(a + o) * hq + ld1(k + o) * p + ld1(cst + o);
      const h = finishOne(H + q, E + q, m + o, hq, delta, keep, etaE, c, retro, true);
      if (xi != 0) propagateOne(W, A, out, o, q, xi, h);
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
  if (E == 0) abcdPlain(H, E, W, A, T, pre, post, x, out, nPre, n, m, etaE, c);
  else abcdRetro(H, E, W, A, T, pre, post, x, out, nPre, n, m, etaE, c);
}

function abcdPlain(
  H: usize, E: usize, W: usize, A: usize, T: usize, pre: usize, post: usize, x: usize, out: usize, nPre: i32, n: i32,
  m: usize, etaE: f64, c: f64,
): void {
  abcdRows(H, E, W, A, T, pre, post, x, out, nPre, n, m, etaE, c, false);
}

function abcdRetro(
  H: usize, E: usize, W: usize, A: usize, T: usize, pre: usize, post: usize, x: usize, out: usize, nPre: i32, n: i32,
  m: usize, etaE: f64, c: f64,
): void {
  abcdRows(H, E, W, A, T, pre, post, x, out, nPre, n, m, etaE, c, true);
}

// @ts-ignore: decorator
@inline function abcdRows(
  H: usize, E: usize, W: usize, A: usize, T: usize, pre: usize, post: usize, x: usize, out: usize, nPre: i32, n: i32,
  m: usize, etaE: f64, c: f64, retro: bool,
): void {
  const nv = n & ~1;
  const keep = 1 - etaE;
  const keep2 = f64x2.splat(keep);
  const eta2 = f64x2.splat(etaE);
  const c2 = f64x2.splat(c);
  const N = (<usize>nPre * <usize>n) << 2;
  const TB = T + N;
  const TC = T + 2 * N;
  const TD = T + 3 * N;
  for (let i = 0; i < nPre; i++) {
    const p = ld1(pre + (<usize>i << 2));
    const p2 = f64x2.splat(p);
    const xi = xAt(x, i);
    const row = (<usize>i * <usize>n) << 2;
    if (xi != 0) {
      const x2 = f64x2.splat(xi);
      for (let j = 0; j < nv; j += 2) {
        const o = <usize>j << 2;
        const q = row + o;
        const delta = add(add(mul(add(mul(ld(T + q), p2), ld(TC + q)), ld(post + o)), mul(ld(TB + q), p2)), ld(TD + q));
        propagatePair(W, A, out, o, q, x2, finishPair(H + q, E + q, m + o, ld(H + q), delta, keep2, eta2, c2, retro, false));
      }
    } else {
      for (let j = 0; j < nv; j += 2) {
        const o = <usize>j << 2;
        const q = row + o;
        const delta = add(add(mul(add(mul(ld(T + q), p2), ld(TC + q)), ld(post + o)), mul(ld(TB + q), p2)), ld(TD + q));
        finishPair(H + q, E + q, m + o, ld(H + q), delta, keep2, eta2, c2, retro, false);
      }
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      const q = row + o;
      const delta = (ld1(T + q) * p + ld1(TC + q)) * ld1(post + o) + ld1(TB + q) * p + ld1(TD + q);
      const h = finishOne(H + q, E + q, m + o, ld1(H + q), delta, keep, etaE, c, retro, false);
      if (xi != 0) propagateOne(W, A, out, o, q, xi, h);
    }
  }
}
