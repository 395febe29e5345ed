/**
 * Where a trained policy comes from: a policy file, or a run directory (its best.json, or
 * with `checkpoint` the center of its latest checkpoint with its observation normalizer).
 */
import { existsSync, statSync } from 'node:fs';
import { loadPolicyFile, type PolicyFile } from './train/policy-file.ts';
import { RunDir } from './train/run-dir.ts';

export type LoadedPolicy = PolicyFile & {
  /** The run directory it came from, or null for a policy file. */
  runDir: string | null;
  /**
   * Which center it is, for reports: "best.json, generation 44", "the latest checkpoint's
   * center, generation 60" or "a policy file" (a run's best.json and its latest center differ
   * unless the last test was the best, and so do their figures).
   */
  source: string;
};

const gen = (g: unknown) => (typeof g === 'number' ? `, generation ${g}` : '');

export function loadPolicy(path: string, opts: { checkpoint?: boolean } = {}): LoadedPolicy {
  if (!existsSync(path)) throw new Error(`no such policy file or run directory: ${path}`);
  if (!statSync(path).isDirectory()) {
    const f = loadPolicyFile(path);
    return { ...f, runDir: null, source: `a policy file${gen(f.meta.generation)}` };
  }
  const dir = RunDir.open(path);
  if (!opts.checkpoint) {
    if (!existsSync(dir.bestPath)) throw new Error(`${dir.path} has no best.json yet (the center is tested every config.testEvery generations); use --checkpoint for the latest center`);
    const f = loadPolicyFile(dir.bestPath);
    return { ...f, runDir: dir.path, source: `best.json${gen(f.meta.generation)}` };
  }
  const f = dir.loadCenterPolicy();
  return { ...f, runDir: dir.path, source: `the latest checkpoint's center${gen(f.meta.generation)}` };
}
