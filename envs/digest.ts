/**
 * The integrity check of the JSON files a run writes and reads back (checkpoints, config,
 * policies, replays): a SHA-256 digest of the file's canonical content, kept in the file as
 * its last field, `"digest": "sha256:<hex>"`. The canonical content is `JSON.stringify` of
 * the object without that field, so reformatting the file keeps the digest valid while
 * changing any value (one digit, one base64 character) does not.
 *
 * Plain TypeScript with no Node imports, because the viewer checks replays in the browser
 * (where `crypto.subtle` exists only on secure origins).
 */

export const DIGEST_FIELD = 'digest';
const PREFIX = 'sha256:';

/** What a file's digest says: it matches, the file has none (written by an earlier version), or it does not match. */
export type DigestCheck = 'ok' | 'missing' | 'mismatch';

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

/** SHA-256 (FIPS 180-4) of the UTF-8 bytes of `text`, as 64 hex digits. */
export function sha256Hex(text: string): string {
  const data = new TextEncoder().encode(text);
  // Message, the 0x80 byte, zero padding and the 64-bit bit length, in whole 64-byte blocks.
  const blocks = Math.ceil((data.length + 9) / 64);
  const msg = new Uint8Array(blocks * 64);
  msg.set(data);
  msg[data.length] = 0x80;
  const view = new DataView(msg.buffer);
  view.setUint32(msg.length - 8, Math.floor(data.length / 0x20000000));
  view.setUint32(msg.length - 4, (data.length * 8) >>> 0);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  for (let off = 0; off < msg.length; off += 64) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(off + 4 * t);
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15]!;
      const b = w[t - 2]!;
      w[t] = w[t - 16]! + (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) + w[t - 7]! + (rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10));
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let t = 0; t < 64; t++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + hh;
  }
  return Array.from(h, (x) => x.toString(16).padStart(8, '0')).join('');
}

/** The digest of a value's canonical content. */
export function contentDigest(value: unknown): string {
  return PREFIX + sha256Hex(JSON.stringify(value));
}

/** The object with the digest of its other fields added last (any old digest is replaced). */
export function withDigest<T extends object>(value: T): T & { digest: string } {
  const { [DIGEST_FIELD]: _old, ...rest } = value as Record<string, unknown>;
  return { ...rest, [DIGEST_FIELD]: contentDigest(rest) } as T & { digest: string };
}

/** Checks a parsed file's digest against its other fields. */
export function checkDigest(raw: Record<string, unknown>): DigestCheck {
  if (!Object.hasOwn(raw, DIGEST_FIELD)) return 'missing';
  const { [DIGEST_FIELD]: digest, ...rest } = raw;
  return digest === contentDigest(rest) ? 'ok' : 'mismatch';
}

/** What the error says about a file whose digest does not match. */
export const DIGEST_MISMATCH = 'its content does not match its digest (it was changed after it was written)';
