/**
 * A compact, exact binary encoding for the messages that cross machines (tasks, results,
 * a generation's shared payload): JSON for the structure, and the raw bytes of every typed
 * array in a binary tail, so a Float64Array arrives bit for bit and a 50,000-parameter
 * center costs 400 kB, not a megabyte of decimal text.
 *
 *   [u32 header length][header JSON, UTF-8][padding to 8][tail: typed arrays, each 8-aligned]
 *
 * In the header a typed array is `{"$ta": kind, "o": byte offset in tail, "n": length}`.
 */

type Typed = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array | Int8Array | Int16Array | Uint16Array;
const KINDS: Record<string, { new (n: number): Typed; BYTES_PER_ELEMENT: number }> = {
  f64: Float64Array, f32: Float32Array, i32: Int32Array, u32: Uint32Array, u8: Uint8Array, i8: Int8Array, i16: Int16Array, u16: Uint16Array,
};
function kindOf(v: unknown): string | null {
  if (!ArrayBuffer.isView(v)) return null;
  for (const [kind, C] of Object.entries(KINDS)) if (v instanceof C) return kind;
  return null;
}

const align8 = (n: number) => (n + 7) & ~7;

export function encode(value: unknown): Buffer {
  const arrays: Typed[] = [];
  let tailBytes = 0;
  const header = JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    const kind = kindOf(v);
    if (!kind) {
      if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { $num: Object.is(v, -0) ? '-0' : String(v) };
      return v;
    }
    const a = v as Typed;
    const o = tailBytes;
    arrays.push(a);
    tailBytes = align8(tailBytes + a.byteLength);
    return { $ta: kind, o, n: a.length };
  });
  const headerBytes = Buffer.from(header ?? 'null', 'utf8');
  const start = align8(4 + headerBytes.length);
  const out = Buffer.alloc(start + tailBytes);
  out.writeUInt32LE(headerBytes.length, 0);
  headerBytes.copy(out, 4);
  let o = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
    o = align8(o + a.byteLength);
  }
  return out;
}

/** Decodes what `encode` wrote; a truncated or foreign buffer throws a clear error. */
export function decode<T = unknown>(buf: Buffer, what = 'message'): T {
  if (buf.length < 4) throw new Error(`${what} is truncated (${buf.length} bytes)`);
  const headerLen = buf.readUInt32LE(0);
  if (4 + headerLen > buf.length) throw new Error(`${what} is truncated (header of ${headerLen} bytes in ${buf.length})`);
  const start = align8(4 + headerLen);
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8', 4, 4 + headerLen), (_key, v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const r = v as { $ta?: string; o?: number; n?: number; $num?: string };
        if (typeof r.$num === 'string' && Object.keys(r).length === 1) return Number(r.$num);
        if (typeof r.$ta === 'string' && typeof r.o === 'number' && typeof r.n === 'number') {
          const K = KINDS[r.$ta];
          if (!K) throw new Error(`unknown array kind ${r.$ta}`);
          const bytes = r.n * K.BYTES_PER_ELEMENT;
          if (start + r.o + bytes > buf.length) throw new Error(`array of ${bytes} bytes at ${r.o} runs past the end`);
          const a = new K(r.n);
          new Uint8Array(a.buffer).set(buf.subarray(start + r.o, start + r.o + bytes));
          return a;
        }
      }
      return v;
    });
  } catch (e) {
    throw new Error(`${what} is not a valid message: ${(e as Error).message}`);
  }
  return parsed as T;
}
