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
};

export function loadPolicy(path: string, opts: { checkpoint?: boolean } = {}): LoadedPolicy {
  if (!existsSync(path)) throw new Error(`no such policy file or run directory: ${path}`);
  if (!statSync(path).isDirectory()) return { ...loadPolicyFile(path), runDir: null };
  const dir = RunDir.open(path);
  if (!opts.checkpoint) {
    if (!existsSync(dir.bestPath)) throw new Error(`${dir.path} has no best.json yet (the center is tested every config.testEvery generations); use --checkpoint for the latest center`);
    return { ...loadPolicyFile(dir.bestPath), runDir: dir.path };
  }
  return { ...dir.loadCenterPolicy(), runDir: dir.path };
}
