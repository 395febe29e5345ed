/**
 * A policy argument: a policy file, or a run directory (its best.json, or with
 * `--checkpoint` the center of its latest checkpoint).
 */
import { existsSync, statSync } from 'node:fs';

import { loadPolicyFile, type PolicyFile } from '../train/policy-file.ts';
import { RunDir } from '../train/run-dir.ts';
import { CliError } from './command.ts';

export async function loadPolicyArg(arg: string, useCheckpoint = false): Promise<PolicyFile & { runDir: string | null }> {
  if (!existsSync(arg)) throw new CliError(`no such policy file or run directory: ${arg}`);
  if (!statSync(arg).isDirectory()) return { ...loadPolicyFile(arg), runDir: null };
  const dir = RunDir.open(arg);
  if (!useCheckpoint) {
    if (!existsSync(dir.bestPath)) throw new CliError(`${dir.path} has no best.json yet (the center is tested every config.testEvery generations); use --checkpoint for the latest center`);
    return { ...loadPolicyFile(dir.bestPath), runDir: dir.path };
  }
  return { ...dir.loadCenterPolicy(), runDir: dir.path };
}

