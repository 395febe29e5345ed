/**
 * The one exact codec for plain data holding typed arrays and non-finite numbers, in two
 * forms that share their tags:
 *
 *  - text (checkpoints, policy files): JSON where a typed array is `{ "$f64": base64 of its
 *    little-endian bytes }` (also $f32, $i32, $u32: what state holds), so
 *    `JSON.stringify` of the result round-trips bit for bit;
 *  - binary (messages between machines): `[u32 header length][header JSON][padding to 8]
 *    [tail]`, where a typed array in the header is `{ "$ta": kind, "o": byte offset in the
 *    tail, "n": length }` and its raw bytes sit 8-aligned in the tail, so a 50,000-parameter
 *    center costs 400 kB, not a megabyte of decimal text.
 *
 * In both, NaN, ±Infinity and -0 are `{ "$num": "NaN" | "Infinity" | "-Infinity" | "-0" }`:
 * JSON would otherwise turn them into null and 0, and a resumed run must continue exactly as
 * the uninterrupted one would have. Errors name the field (`state.core.mean: ...`).
 */

type TypedArray = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array | Int8Array | Int16Array | Uint16Array;
type TypedArrayClass = { new (n: number): TypedArray; BYTES_PER_ELEMENT: number };

/** The typed arrays the codec carries, by kind (the text tag is `$` + kind). */
const KINDS = {
  f64: Float64Array, f32: Float32Array, i32: Int32Array, u32: Uint32Array, u8: Uint8Array, i8: Int8Array, i16: Int16Array, u16: Uint16Array,
} as const satisfies Record<string, TypedArrayClass>;
type Kind = keyof typeof KINDS;
/** The kinds strategy state and policies hold: the only ones the text form carries. */
const TEXT_KINDS: ReadonlySet<string> = new Set<Kind>(['f64', 'f32', 'i32', 'u32']);

function kindOf(v: unknown): Kind | null {
  if (!ArrayBuffer.isView(v)) return null;
  for (const kind of Object.keys(KINDS) as Kind[]) if (v instanceof KINDS[kind]) return kind;
  return null;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A number JSON cannot hold as it is (NaN, ±Infinity, -0) as its tag; null for the others. */
function numberTag(v: number): { $num: string } | null {
  if (Number.isFinite(v) && !Object.is(v, -0)) return null;
  return { $num: Object.is(v, -0) ? '-0' : String(v) };
}

function untagNumber(payload: unknown, path: string): number {
  switch (payload) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    default:
      throw new Error(`${path}: malformed $num (expected "NaN", "Infinity", "-Infinity" or "-0", got ${JSON.stringify(payload)})`);
  }
}

/** The bytes of a typed array in little-endian order. */
function littleEndianBytes(arr: TypedArray): Uint8Array {
  const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  return littleEndian ? bytes : swapBytes(bytes, arr.BYTES_PER_ELEMENT);
}

/** A fresh, aligned typed array from little-endian bytes (which may be a slice of a shared pool). */
function fromLittleEndianBytes(kind: Kind, bytes: Uint8Array): TypedArray {
  const Ctor: TypedArrayClass = KINDS[kind];
  const out = new Ctor(bytes.length / Ctor.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(littleEndian ? bytes : swapBytes(bytes, Ctor.BYTES_PER_ELEMENT));
  return out;
}

function swapBytes(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) {
    for (let b = 0; b < width; b++) out[i + b] = bytes[i + width - 1 - b]!;
  }
  return out;
}

// ---- text form ----

export type SerializedState =
  | null
  | boolean
  | number
  | string
  | SerializedState[]
  | { [key: string]: SerializedState };

/** Serializes plain state (numbers, strings, booleans, null, arrays, plain objects, typed arrays). */
export function serializeState(value: unknown, path = 'state'): SerializedState {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return numberTag(value) ?? value;
  if (typeof value !== 'object') throw new Error(`${path}: cannot serialize a value of type ${typeof value}`);
  if (Array.isArray(value)) return value.map((v, i) => serializeState(v, `${path}[${i}]`));
  const kind = kindOf(value);
  if (kind !== null && TEXT_KINDS.has(kind)) return { [`$${kind}`]: Buffer.from(littleEndianBytes(value as TypedArray)).toString('base64') };
  if (ArrayBuffer.isView(value)) throw new Error(`${path}: cannot serialize a ${value.constructor.name}`);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new Error(`${path}: cannot serialize an instance of ${(value as object).constructor?.name ?? 'a class'}`);
  }
  const out: { [key: string]: SerializedState } = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) throw new Error(`${path}.${k}: keys starting with "$" are reserved for tags`);
    if (v === undefined) throw new Error(`${path}.${k}: cannot serialize undefined`);
    out[k] = serializeState(v, `${path}.${k}`);
  }
  return out;
}

/** Inverse of serializeState; throws naming the field when the input is malformed. */
export function deserializeState(json: unknown, path = 'state'): unknown {
  if (json === null || typeof json === 'boolean' || typeof json === 'string') return json;
  if (typeof json === 'number') {
    if (!Number.isFinite(json)) throw new Error(`${path}: non-finite number must be tagged with $num`);
    return json;
  }
  if (typeof json !== 'object') throw new Error(`${path}: unexpected value of type ${typeof json}`);
  if (Array.isArray(json)) return json.map((v, i) => deserializeState(v, `${path}[${i}]`));
  const entries = Object.entries(json as Record<string, unknown>);
  const tagged = entries.find(([k]) => k.startsWith('$'));
  if (tagged !== undefined) {
    if (entries.length !== 1) throw new Error(`${path}: a tagged value must have exactly one key (got ${entries.map(([k]) => k).join(', ')})`);
    const [tag, payload] = tagged;
    if (tag === '$num') return untagNumber(payload, path);
    const kind = tag.slice(1);
    if (!TEXT_KINDS.has(kind)) throw new Error(`${path}: unknown tag ${tag}`);
    return decodeBase64(kind as Kind, payload, path);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[k] = deserializeState(v, `${path}.${k}`);
  return out;
}

function decodeBase64(kind: Kind, payload: unknown, path: string): TypedArray {
  const width = KINDS[kind].BYTES_PER_ELEMENT;
  if (typeof payload !== 'string' || payload.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) {
    throw new Error(`${path}: malformed $${kind} (expected a base64 string)`);
  }
  const buf = Buffer.from(payload, 'base64');
  if (buf.length % width !== 0) throw new Error(`${path}: malformed $${kind} (${buf.length} bytes is not a multiple of ${width})`);
  return fromLittleEndianBytes(kind, buf);
}

// ---- binary form ----

const align8 = (n: number) => (n + 7) & ~7;

/** The binary form of `value` (see the header). */
export function encode(value: unknown): Buffer {
  const arrays: Uint8Array[] = [];
  let tailBytes = 0;
  const header = JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    const kind = kindOf(v);
    if (!kind) return typeof v === 'number' ? (numberTag(v) ?? v) : v;
    const a = v as TypedArray;
    const o = tailBytes;
    arrays.push(littleEndianBytes(a));
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
    out.set(a, o);
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
  try {
    return JSON.parse(buf.toString('utf8', 4, 4 + headerLen), (_key, v: unknown) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
      const r = v as { $ta?: unknown; o?: unknown; n?: unknown; $num?: unknown };
      if (typeof r.$num === 'string' && Object.keys(r).length === 1) return untagNumber(r.$num, 'a number');
      if (typeof r.$ta !== 'string' || typeof r.o !== 'number' || typeof r.n !== 'number') return v;
      if (!Object.hasOwn(KINDS, r.$ta)) throw new Error(`unknown array kind ${r.$ta}`);
      const kind = r.$ta as Kind;
      const bytes = r.n * KINDS[kind].BYTES_PER_ELEMENT;
      if (start + r.o + bytes > buf.length) throw new Error(`array of ${bytes} bytes at ${r.o} runs past the end`);
      return fromLittleEndianBytes(kind, buf.subarray(start + r.o, start + r.o + bytes));
    }) as T;
  } catch (e) {
    throw new Error(`${what} is not a valid message: ${(e as Error).message}`);
  }
}
