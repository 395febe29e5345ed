/**
 * Checkpoint form of strategy state: plain data whose typed arrays become tagged base64
 * objects, so `JSON.stringify` of the result round-trips bit for bit.
 *
 *   Float64Array  -> { "$f64": base64 of the little-endian bytes }   (also $f32, $i32, $u32)
 *   NaN, +-Infinity, -0 -> { "$num": "NaN" | "Infinity" | "-Infinity" | "-0" }
 *
 * JSON would otherwise turn non-finite numbers into null and -0 into 0, and a resumed run
 * must continue exactly as the uninterrupted one would have. Errors name the field
 * (`state.core.mean: ...`).
 */

type TypedArray = Float64Array | Float32Array | Int32Array | Uint32Array;

export type SerializedState =
  | null
  | boolean
  | number
  | string
  | SerializedState[]
  | { [key: string]: SerializedState };

const tags = {
  $f64: Float64Array,
  $f32: Float32Array,
  $i32: Int32Array,
  $u32: Uint32Array,
} as const;
type Tag = keyof typeof tags;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function tagOf(v: object): Tag | null {
  if (v instanceof Float64Array) return '$f64';
  if (v instanceof Float32Array) return '$f32';
  if (v instanceof Int32Array) return '$i32';
  if (v instanceof Uint32Array) return '$u32';
  return null;
}

/** Serializes plain state (numbers, strings, booleans, null, arrays, plain objects, typed arrays). */
export function serializeState(value: unknown, path = 'state'): SerializedState {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { $num: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (typeof value !== 'object') throw new Error(`${path}: cannot serialize a value of type ${typeof value}`);
  if (Array.isArray(value)) return value.map((v, i) => serializeState(v, `${path}[${i}]`));
  const tag = tagOf(value);
  if (tag !== null) return { [tag]: encode(value as TypedArray) };
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
    if (tag === '$num') return decodeNumber(payload, path);
    if (!Object.hasOwn(tags, tag)) throw new Error(`${path}: unknown tag ${tag}`);
    return decode(tag as Tag, payload, path);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[k] = deserializeState(v, `${path}.${k}`);
  return out;
}

function decodeNumber(payload: unknown, path: string): number {
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

function encode(arr: TypedArray): string {
  const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  if (littleEndian) return Buffer.from(bytes).toString('base64');
  return Buffer.from(swapBytes(bytes, arr.BYTES_PER_ELEMENT)).toString('base64');
}

function decode(tag: Tag, payload: unknown, path: string): TypedArray {
  const Ctor = tags[tag];
  if (typeof payload !== 'string' || payload.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) {
    throw new Error(`${path}: malformed ${tag} (expected a base64 string)`);
  }
  const buf = Buffer.from(payload, 'base64');
  if (buf.length % Ctor.BYTES_PER_ELEMENT !== 0) {
    throw new Error(`${path}: malformed ${tag} (${buf.length} bytes is not a multiple of ${Ctor.BYTES_PER_ELEMENT})`);
  }
  // Copy into a fresh, aligned buffer: Buffer.from may return a slice of a shared pool.
  const out = new Ctor(buf.length / Ctor.BYTES_PER_ELEMENT);
  const bytes = new Uint8Array(out.buffer);
  bytes.set(littleEndian ? buf : swapBytes(buf, Ctor.BYTES_PER_ELEMENT));
  return out;
}

function swapBytes(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) {
    for (let b = 0; b < width; b++) out[i + b] = bytes[i + width - 1 - b];
  }
  return out;
}
