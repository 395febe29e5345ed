/**
 * File helpers shared by run directories, checkpoints and replays: atomic writes (temp
 * file in the same folder, fsync, rename) so a crash or Ctrl-C never leaves half a file,
 * JSON reads whose errors name the file, and JSON files that carry the digest of their
 * content (envs/digest.ts), written in the same atomic write and checked on reading.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { checkDigest, DIGEST_MISMATCH, withDigest } from '../envs/digest.ts';

let counter = 0;

export function atomicWriteFile(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

export function atomicWriteJson(path: string, value: unknown, pretty = false): void {
  atomicWriteFile(path, JSON.stringify(value, null, pretty ? 2 : undefined) + '\n');
}

/** Writes a JSON object with the digest of its content as its last field; returns the text written. */
export function atomicWriteCheckedJson(path: string, value: object, pretty = false): string {
  const text = JSON.stringify(withDigest(value), null, pretty ? 2 : undefined) + '\n';
  atomicWriteFile(path, text);
  return text;
}

/**
 * Reads a JSON file written by atomicWriteCheckedJson and checks its digest: a file whose
 * content changed after it was written is reported with its path (`what` says what it is,
 * `hint` how to go on). A file without a digest, written by an earlier version, is accepted.
 * Returns the content without the digest, and the text read.
 */
export function readCheckedJson(path: string, what: string, hint = ''): { value: unknown; text: string } {
  const text = readText(path, what);
  const value = parseJson(text, path, what);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { value, text };
  if (checkDigest(value as Record<string, unknown>) === 'mismatch') throw new Error(`${what} ${path} is corrupt: ${DIGEST_MISMATCH}${hint}`);
  const { digest: _digest, ...rest } = value as Record<string, unknown>;
  return { value: rest, text };
}

/** Parses a JSON file; a missing or corrupt file is reported with its path (`what` says what it should be). */
export function readJsonFile(path: string, what = 'JSON file'): unknown {
  return parseJson(readText(path, what), path, what);
}

function readText(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${what} not found: ${path}` : `cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  return text;
}

function parseJson(text: string, path: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} ${path} is corrupt: not valid JSON (${(e as Error).message})`);
  }
}
