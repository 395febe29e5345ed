/**
 * File helpers shared by run directories, checkpoints and replays: atomic writes (temp
 * file in the same folder, fsync, rename) so a crash or Ctrl-C never leaves half a file,
 * and JSON reads whose errors name the file.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, existsSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

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

/** Parses a JSON file; a missing or corrupt file is reported with its path (`what` says what it should be). */
export function readJsonFile(path: string, what = 'JSON file'): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${what} not found: ${path}` : `cannot read ${what} ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} ${path} is corrupt (not valid JSON): ${(e as Error).message}`);
  }
}
