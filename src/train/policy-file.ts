/**
 * A saved policy (`best.json`, or any file `propamine eval` reads): the policy config, its
 * flat parameters, the observation normalizer it was trained with, and where it came from.
 * The file carries the digest of its content: one that was changed after it was written is
 * rejected naming the file, as is a parameter that is not a finite number.
 */
import { createPolicy, validatePolicyConfig, type PolicyConfig } from '../../policies/index.ts';
import { ACT_SIZE, OBS_SIZE } from '../../envs/ant-sim.ts';
import type { Normalization } from '../../workers/types.ts';
import { atomicWriteCheckedJson, readCheckedJson } from '../fsutil.ts';
import { finiteList, normalizationFromJSON, normalizationToJSON, type NormalizerState } from './normalizer.ts';

export const POLICY_FORMAT = 'propamine-policy';
/** 2: `meta.generation` counts from 1 like everything else; version 1's (from 0) is converted on reading. */
export const POLICY_VERSION = 2;

export interface PolicyFile {
  policy: PolicyConfig;
  params: Float64Array;
  normalizer: Normalization | null;
  meta: {
    run?: string; generation?: number; testReturn?: number; testDistance?: number; world?: Record<string, unknown>;
    /** A run's starting point (init.json): where it came from, and the normalizer's full running state. */
    source?: string; normalizerState?: NormalizerState;
  };
}

export function savePolicyFile(path: string, p: PolicyFile): void {
  atomicWriteCheckedJson(path, {
    format: POLICY_FORMAT,
    version: POLICY_VERSION,
    policy: p.policy,
    layout: createPolicy(p.policy, OBS_SIZE, ACT_SIZE).layout(),
    params: Array.from(p.params),
    normalizer: normalizationToJSON(p.normalizer),
    meta: p.meta,
  });
}

export function loadPolicyFile(path: string): PolicyFile {
  const raw = readCheckedJson(path, 'policy file').value as Record<string, unknown>;
  if (raw?.format !== POLICY_FORMAT) throw new Error(`${path} is not a propamine policy file (format ${JSON.stringify(raw?.format)})`);
  if (raw.version !== 1 && raw.version !== POLICY_VERSION) throw new Error(`${path}: unsupported policy file version ${JSON.stringify(raw.version)}`);
  let policy: PolicyConfig;
  try {
    policy = validatePolicyConfig(raw.policy);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const n = createPolicy(policy, OBS_SIZE, ACT_SIZE).numParams;
  if (!Array.isArray(raw.params) || raw.params.length !== n) {
    throw new Error(`${path}: params must be ${n} numbers for this policy (got ${Array.isArray(raw.params) ? raw.params.length : 'none'})`);
  }
  finiteList(raw.params, `${path}: params`);
  return {
    policy,
    params: Float64Array.from(raw.params as number[]),
    normalizer: normalizationFromJSON(raw.normalizer, OBS_SIZE, path),
    meta: metaOf(raw),
  };
}

function metaOf(raw: Record<string, unknown>): PolicyFile['meta'] {
  const meta = { ...(raw.meta ?? {}) } as PolicyFile['meta'];
  if (raw.version === 1 && typeof meta.generation === 'number') meta.generation += 1;
  return meta;
}
