/**
 * The synapse kernels of synapse-kernels.ts in AssemblyScript, compiled to WebAssembly SIMD
 * (npm run build:kernels writes synapse-kernels.wasm.ts). Arguments are byte offsets into
 * the instance's memory (0 for a null array), sizes, and scalars; the matrices are
 * pre-major float32, as there. Columns go two at a time (nv = n rounded down to even), and
 * the last column of an odd n alone.
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
@inline function clip(u: v128, c: v128, mask: v128): v128 {
  return mul(f64x2.splat(0.5), sub(v128.and(add(u, c), mask), v128.and(sub(u, c), mask)));
}

// @ts-ignore: decorator
@inline function clip1(u: f64, c: f64): f64 {
  return 0.5 * (Math.abs(u + c) - Math.abs(u - c));
}

/** e, or 0 where |e| < TINY, per lane. */
// @ts-ignore: decorator
@inline function flush(e: v128, mask: v128): v128 {
  return v128.andnot(e, f64x2.lt(v128.and(e, mask), f64x2.splat(TINY)));
}

// @ts-ignore: decorator
@inline function flush1(e: f64): f64 {
  return Math.abs(e) < TINY ? 0 : e;
}

// @ts-ignore: decorator
@inline function xAt(x: usize, i: i32): f64 {
  return x == 0 ? 0 : ld1(x + (<usize>i << 2));
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
      const q = row + o;
      st(out + o, add(ld(out + o), mul(x2, add(ld(W + q), mul(ld(A + q), ld(H + q))))));
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      const q = row + o;
      store<f32>(out + o, <f32>(ld1(out + o) + xi * (ld1(W + q) + ld1(A + q) * ld1(H + q))));
    }
  }
}

/** H_ij <- clip(a_j H_ij + k_j pre_i), then out_j += x_i (W_ij + alpha_ij H_ij) with the unrounded H. */
export function plasticFused(H: usize, W: usize, A: usize, pre: usize, x: usize, out: usize, nPre: i32, n: i32, a: usize, k: usize, c: f64): void {
  const nv = n & ~1;
  const c2 = f64x2.splat(c);
  const mask = ABS;
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
        const h = clip(add(mul(ld(a + o), ld(H + q)), mul(ld(k + o), p2)), c2, mask);
        st(H + q, h);
        st(out + o, add(ld(out + o), mul(x2, add(ld(W + q), mul(ld(A + q), h)))));
      }
    } else {
      for (let j = 0; j < nv; j += 2) {
        const o = <usize>j << 2;
        const q = row + o;
        st(H + q, clip(add(mul(ld(a + o), ld(H + q)), mul(ld(k + o), p2)), c2, mask));
      }
    }
    for (let j = nv; j < n; j++) {
      const o = <usize>j << 2;
      const q = row + o;
      const h = clip1(ld1(a + o) * ld1(H + q) + ld1(k + o) * p, c);
      store<f32>(H + q, <f32>h);
      if (xi != 0) store<f32>(out + o, <f32>(ld1(out + o) + xi * (ld1(W + q) + ld1(A + q) * h)));
    }
  }
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
  const mask = ABS;
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
        const e = flush(add(mul(keep2, ld(E + q)), mul(eta2, add(mul(ld(d + o), hq), mul(ld(k + o), p2)))), mask);
        st(E + q, e);
        const h = clip(add(hq, mul(ld(m + o), e)), c2, mask);
        st(H + q, h);
        st(out + o, add(ld(out + o), mul(x2, add(ld(W + q), mul(ld(A + q), h)))));
      }
    } else {
      for (let j = 0; j < nv; j += 2) {
        const o = <usize>j << 2;
        const q = row + o;
        const hq = ld(H + q);
        const e = flush(add(mul(keep2, ld(E + q)), mul(eta2, add(mul(ld(d + o), hq), mul(ld(k + o), p2)))), mask);
        st(E + q, e);
        st(H + q, clip(add(hq, mul(ld(m + o), e)), c2, mask));
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
      if (xi != 0) store<f32>(out + o, <f32>(ld1(out + o) + xi * (ld1(W + q) + ld1(A + q) * h)));
    }
  }
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
  const nv = n & ~1;
  const keep = 1 - etaE;
  const keep2 = f64x2.splat(keep);
  const eta2 = f64x2.splat(etaE);
  const c2 = f64x2.splat(c);
  const mask = ABS;
  for (let i = 0; i < nPre; i++) {
    const p = ld1(pre + (<usize>i << 2));
    const p2 = f64x2.splat(p);
    const xi = xAt(x, i);
    const x2 = f64x2.splat(xi);
    const row = (<usize>i * <usize>n) << 2;
    if (E == 0) {
      if (xi != 0) {
        for (let j = 0; j < nv; j += 2) {
          const o = <usize>j << 2;
          const q = row + o;
          const h = stRead(H + q, clip(add(add(mul(ld(a + o), ld(H + q)), mul(ld(k + o), p2)), ld(cst + o)), c2, mask));
          st(out + o, add(ld(out + o), mul(x2, add(ld(W + q), mul(ld(A + q), h)))));
        }
      } else {
        for (let j = 0; j < nv; j += 2) {
          const o = <usize>j << 2;
          const q = row + o;
          st(H + q, clip(add(add(mul(ld(a + o), ld(H + q)), mul(ld(k + o), p2)), ld(cst + o)), c2, mask));
        }
      }
      for (let j = nv; j < n; j++) {
        const o = <usize>j << 2;
        const q = row + o;
        store<f32>(H + q, <f32>clip1(ld1(a + o) * ld1(H + q) + ld1(k + o) * p + ld1(cst + o), c));
      }
    } else {
      if (xi != 0) {
        for (let j = 0; j < nv; j += 2) {
          const o = <usize>j << 2;
          const q = row + o;
          const hq = ld(H + q);
          const e = flush(add(mul(keep2, ld(E + q)), mul(eta2, add(add(mul(ld(a + o), hq), mul(ld(k + o), p2)), ld(cst + o)))), mask);
          st(E + q, e);
          const h = stRead(H + q, clip(add(hq, mul(ld(m + o), e)), c2, mask));
          st(out + o, add(ld(out + o), mul(x2, add(ld(W + q), mul(ld(A + q), h)))));
        }
      } else {
        for (let j = 0; j < nv; j += 2) {
          const o = <usize>j << 2;
          const q = row + o;
          const hq = ld(H + q);
          const e = flush(add(mul(keep2, ld(E + q)), mul(eta2, add(add(mul(ld(a + o), hq), mul(ld(k + o), p2)), ld(cst + o)))), mask);
          st(E + q, e);
          st(H + q, clip(add(hq, mul(ld(m + o), e)), c2, mask));
        }
      }
      for (let j = nv; j < n; j++) {
        const o = <usize>j << 2;
        const q = row + o;
        const hq = ld1(H + q);
        const e = flush1(keep * ld1(E + q) + etaE * (ld1(a + o) * hq + ld1(k + o) * p + ld1(cst + o)));
        store<f32>(E + q, <f32>e);
        store<f32>(H + q, <f32>clip1(hq + ld1(m + o) * e, c));
      }
    }
    if (xi != 0) tailPropagate(W, A, H, row, nv, n, xi, out);
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
  const nv = n & ~1;
  const keep = 1 - etaE;
  const keep2 = f64x2.splat(keep);
  const eta2 = f64x2.splat(etaE);
  const c2 = f64x2.splat(c);
  const mask = ABS;
  const N = (<usize>nPre * <usize>n) << 2;
  const TB = T + N;
  const TC = T + 2 * N;
  const TD = T + 3 * N;
  for (let i = 0; i < nPre; i++) {
    const p = ld1(pre + (<usize>i << 2));
    const p2 = f64x2.splat(p);
    const xi = xAt(x, i);
    const x2 = f64x2.splat(xi);
    const row = (<usize>i * <usize>n) << 2;
    if (E == 0) {
      if (xi != 0) {
        for (let j = 0; j < nv; j += 2) {
          const o = <usize>j << 2;
          const q = row + o;
          const delta = add(add(mul(add(mul(ld(T + q), p2), ld(TC + q)), ld(post + o)), mul(ld(TB + q), p2)), ld(TD + q));
          const h = stRead(H + q, clip(add(ld(H + q), mul(ld(m + o), delta)), c2, mask));
          st(out + o, add(ld(out + o), mul(x2, add(ld(W + q), mul(ld(A + q), h)))));
        }
      } else {
        for (let j = 0; j < nv; j += 2) {
          const o = <usize>j << 2;
          const q = row + o;
          const delta = add(add(mul(add(mul(ld(T + q), p2), ld(TC + q)), ld(post + o)), mul(ld(TB + q), p2)), ld(TD + q));
          st(H + q, clip(add(ld(H + q), mul(ld(m + o), delta)), c2, mask));
        }
      }
      for (let j = nv; j < n; j++) {
        const o = <usize>j << 2;
        const q = row + o;
        const delta = (ld1(T + q) * p + ld1(TC + q)) * ld1(post + o) + ld1(TB + q) * p + ld1(TD + q);
        store<f32>(H + q, <f32>clip1(ld1(H + q) + ld1(m + o) * delta, c));
      }
    } else {
      if (xi != 0) {
        for (let j = 0; j < nv; j += 2) {
          const o = <usize>j << 2;
          const q = row + o;
          const delta = add(add(mul(add(mul(ld(T + q), p2), ld(TC + q)), ld(post + o)), mul(ld(TB + q), p2)), ld(TD + q));
          const e = flush(add(mul(keep2, ld(E + q)), mul(eta2, delta)), mask);
          st(E + q, e);
          const h = stRead(H + q, clip(add(ld(H + q), mul(ld(m + o), e)), c2, mask));
          st(out + o, add(ld(out + o), mul(x2, add(ld(W + q), mul(ld(A + q), h)))));
        }
      } else {
        for (let j = 0; j < nv; j += 2) {
          const o = <usize>j << 2;
          const q = row + o;
          const delta = add(add(mul(add(mul(ld(T + q), p2), ld(TC + q)), ld(post + o)), mul(ld(TB + q), p2)), ld(TD + q));
          const e = flush(add(mul(keep2, ld(E + q)), mul(eta2, delta)), mask);
          st(E + q, e);
          st(H + q, clip(add(ld(H + q), mul(ld(m + o), e)), c2, mask));
        }
      }
      for (let j = nv; j < n; j++) {
        const o = <usize>j << 2;
        const q = row + o;
        const delta = (ld1(T + q) * p + ld1(TC + q)) * ld1(post + o) + ld1(TB + q) * p + ld1(TD + q);
        const e = flush1(keep * ld1(E + q) + etaE * delta);
        store<f32>(E + q, <f32>e);
        store<f32>(H + q, <f32>clip1(ld1(H + q) + ld1(m + o) * e, c));
      }
    }
    if (xi != 0) tailPropagate(W, A, H, row, nv, n, xi, out);
  }
}

/** out_j += x (W_ij + alpha_ij H_ij) for j in [from, n) of the row at byte offset `row` (the scalar tail). */
// @ts-ignore: decorator
@inline function tailPropagate(W: usize, A: usize, H: usize, row: usize, from: i32, n: i32, xi: f64, out: usize): void {
  for (let j = from; j < n; j++) {
    const o = <usize>j << 2;
    const q = row + o;
    store<f32>(out + o, <f32>(ld1(out + o) + xi * (ld1(W + q) + ld1(A + q) * ld1(H + q))));
  }
}
