/**
 * A saved policy (`best.json`, or any file `propamine eval` reads): the policy config, its
 * flat parameters, the observation normalizer it was trained with, and where it came from.
 * The file carries the digest of its content: one that was changed after it was written is
 * rejected naming the file, as is a parameter that is not a finite number.
 * A policy trained on a task other than the ant (`propamine learn`) records its input and
 * output sizes in `io`; the ant's commands refuse it with one line saying so. An ant policy
 * records the solver settings it was trained under (`sim`, envs/sim-settings.ts), which eval,
 * stress and record use; a file without them was trained under LEGACY_SIM.
 */
import { createPolicy, validatePolicyConfig, type PolicyConfig } from '../../policies/index.ts';
import { ACT_SIZE, OBS_SIZE } from '../../envs/ant-sim.ts';
import type { Normalization } from '../../workers/types.ts';
import { atomicWriteCheckedJson, readCheckedJson } from '../fsutil.ts';
import { finiteList, normalizationFromJSON, normalizationToJSON, type NormalizerState } from './normalizer.ts';
import { LEGACY_SIM, SimSettingsSchema, type SimSettings } from '../../envs/sim-settings.ts';
import { parseWith } from '../../core/schema.ts';

export const POLICY_FORMAT = 'propamine-policy';
/** 2: `meta.generation` counts from 1 like everything else; version 1's (from 0) is converted on reading. */
export const POLICY_VERSION = 2;

export interface PolicyIo {
  obsSize: number;
  actSize: number;
}

export const ANT_IO: Readonly<PolicyIo> = Object.freeze({ obsSize: OBS_SIZE, actSize: ACT_SIZE });

export interface PolicyFile {
  policy: PolicyConfig;
  /** Input and output sizes when they are not the ant's (absent: the ant's 27 and 8). */
  io?: PolicyIo;
  params: Float64Array;
  normalizer: Normalization | null;
  /** The solver settings the policy was trained under (absent: LEGACY_SIM; see simOf). */
  sim?: SimSettings;
  meta: {
    run?: string; generation?: number; testReturn?: number; testDistance?: number; world?: Record<string, unknown>;
    /** A run's starting point (init.json): where it came from, and the normalizer's full running state. */
    source?: string; normalizerState?: NormalizerState;
    /** The task a gradient-trained policy solves (its name and full config), and its held-out accuracy. */
    task?: string; taskConfig?: unknown; iteration?: number; accuracy?: number;
  };
}

export function savePolicyFile(path: string, p: PolicyFile): void {
  const io = p.io ?? ANT_IO;
  atomicWriteCheckedJson(path, {
    format: POLICY_FORMAT,
    version: POLICY_VERSION,
    policy: p.policy,
    ...(p.io ? { io: { obsSize: io.obsSize, actSize: io.actSize } } : {}),
    ...(p.sim ? { sim: { solverIterations: p.sim.solverIterations, pgsIterations: p.sim.pgsIterations, limbInertia: p.sim.limbInertia } } : {}),
    layout: createPolicy(p.policy, io.obsSize, io.actSize).layout(),
    params: Array.from(p.params),
    normalizer: normalizationToJSON(p.normalizer),
    meta: p.meta,
  });
}

function readIo(raw: unknown, path: string): PolicyIo | undefined {
  if (raw === undefined) return undefined;
  const o = raw as Record<string, unknown>;
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 1 << 16;
  if (typeof raw !== 'object' || raw === null || !ok(o.obsSize) || !ok(o.actSize)) throw new Error(`${path}: io must be { obsSize, actSize } with positive whole numbers (got ${JSON.stringify(raw)})`);
  return { obsSize: o.obsSize as number, actSize: o.actSize as number };
}

/**
 * Reads a policy file. Unless `anyIo`, it must be an ant policy: a task policy is refused
 * with one line naming the file and its sizes.
 */
export function loadPolicyFile(path: string, opts: { anyIo?: boolean } = {}): PolicyFile {
  const raw = readCheckedJson(path, 'policy file').value as Record<string, unknown>;
  if (raw?.format !== POLICY_FORMAT) throw new Error(`${path} is not a propamine policy file (format ${JSON.stringify(raw?.format)})`);
  if (raw.version !== 1 && raw.version !== POLICY_VERSION) throw new Error(`${path}: unsupported policy file version ${JSON.stringify(raw.version)}`);
  let policy: PolicyConfig;
  try {
    policy = validatePolicyConfig(raw.policy);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const io = readIo(raw.io, path);
  const { obsSize, actSize } = io ?? ANT_IO;
  if (!opts.anyIo && (obsSize !== OBS_SIZE || actSize !== ACT_SIZE)) {
    const task = (raw.meta as { task?: unknown } | undefined)?.task;
    throw new Error(`${path} is a policy for ${obsSize} inputs and ${actSize} outputs${typeof task === 'string' ? ` (task ${task})` : ''}, not the ant's ${OBS_SIZE} and ${ACT_SIZE}; score it with propamine learn --eval`);
  }
  const n = createPolicy(policy, obsSize, actSize).numParams;
  if (!Array.isArray(raw.params) || raw.params.length !== n) {
    throw new Error(`${path}: params must be ${n} numbers for this policy (got ${Array.isArray(raw.params) ? raw.params.length : 'none'})`);
  }
  finiteList(raw.params, `${path}: params`);
  return {
    policy,
    ...(io ? { io } : {}),
    params: Float64Array.from(raw.params as number[]),
    normalizer: io ? null : normalizationFromJSON(raw.normalizer, OBS_SIZE, path),
    ...(raw.sim !== undefined ? { sim: parseWith(SimSettingsSchema, raw.sim, `${path}: sim`) } : {}),
    meta: metaOf(raw),
  };
}

function metaOf(raw: Record<string, unknown>): PolicyFile['meta'] {
  const meta = { ...(raw.meta ?? {}) } as PolicyFile['meta'];
  if (raw.version === 1 && typeof meta.generation === 'number') meta.generation += 1;
  return meta;
}

/** The solver settings to simulate a policy under: its own, or for a file without them, LEGACY_SIM. */
export function simOf(p: { sim?: SimSettings }): SimSettings {
  return p.sim ?? LEGACY_SIM;
}
