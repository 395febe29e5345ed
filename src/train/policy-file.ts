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
import * as v from 'valibot';
import { createPolicy, PolicyConfigSchema, type PolicyConfig } from '../../policies/index.ts';
import { ACT_SIZE, OBS_SIZE } from '../../envs/ant-sim.ts';
import type { Normalization } from '../../workers/types.ts';
import { finiteNumber, got, listOf, looseRecord, numberOrNull, parseIn, plainObject, record, wholeIn } from '../../core/schema.ts';
import { atomicWriteCheckedJson, readCheckedJson } from '../fsutil.ts';
import { normalizationSchema, normalizationToJSON, normalizerStateSchema } from './normalizer.ts';
import { LEGACY_SIM, SimSettingsSchema, type SimSettings } from '../../envs/sim-settings.ts';

export const POLICY_FORMAT = 'propamine-policy';
/** 2: `meta.generation` counts from 1 like everything else; version 1's (from 0) is converted on reading. */
export const POLICY_VERSION = 2;

const size = wholeIn(1, 1 << 16);
const IoSchema = record({ obsSize: size, actSize: size }, got('must be { obsSize, actSize } with positive whole numbers'));

export type PolicyIo = v.InferOutput<typeof IoSchema>;

export const ANT_IO: Readonly<PolicyIo> = Object.freeze({ obsSize: OBS_SIZE, actSize: ACT_SIZE });

const text = v.string(got('must be text'));
/** A test's or an evaluation's result: a number, or null (a NaN, as JSON writes it). */
const result = numberOrNull();

/** Where a policy came from; fields of other versions are kept as they are. */
const PolicyMetaSchema = looseRecord({
  /** The run directory's name. */
  run: v.optional(text),
  /** The center's generation (from 1; version 1 counted from 0, and is converted on reading). */
  generation: v.optional(wholeIn(0)),
  testReturn: v.optional(result),
  testDistance: v.optional(result),
  /** The world the policy was trained in (`maxSteps`). */
  world: v.optional(plainObject()),
  /** A run's starting point (init.json): where it came from, and the normalizer's full running state. */
  source: v.optional(text),
  normalizerState: v.optional(normalizerStateSchema(OBS_SIZE)),
  /** The task a gradient-trained policy solves (its name and full config: checked when it is used), and its held-out accuracy. */
  task: v.optional(text),
  taskConfig: v.optional(v.unknown()),
  iteration: v.optional(wholeIn(0)),
  accuracy: v.optional(result),
}, got('must be an object'));

export type PolicyMeta = v.InferOutput<typeof PolicyMetaSchema>;

/**
 * What a policy file holds whatever its policy (its format and version are checked before it):
 * the policy config, its sizes when they are not the ant's, and where it came from. The
 * parameters and the normalizer depend on the policy and its sizes: policyFileBody checks them.
 */
const PolicyFileSchema = v.pipe(
  looseRecord({
    version: v.picklist([1, POLICY_VERSION]),
    policy: PolicyConfigSchema,
    /** Input and output sizes when they are not the ant's (absent: the ant's 27 and 8). */
    io: v.optional(IoSchema),
    /** The solver settings the policy was trained under (absent: LEGACY_SIM; see simOf). */
    sim: v.optional(SimSettingsSchema),
    params: v.unknown(),
    normalizer: v.unknown(),
    meta: v.optional(PolicyMetaSchema, {}),
  }),
  v.transform((f) => (f.version === 1 && f.meta.generation !== undefined ? { ...f, meta: { ...f.meta, generation: f.meta.generation + 1 } } : f)),
);

/**
 * A policy file's parameters for a policy of `numParams` parameters, and its normalizer: an ant
 * policy's normalizes the ant's observations; a task policy (`io`) has none (the field is not read).
 */
function policyFileBody(numParams: number, io: PolicyIo | undefined) {
  return looseRecord({
    params: v.pipe(listOf(numParams, finiteNumber(), `${numParams} numbers for this policy`), v.transform((p) => Float64Array.from(p))),
    normalizer: io ? v.pipe(v.unknown(), v.transform(() => null)) : normalizationSchema(OBS_SIZE),
  });
}

export interface PolicyFile {
  policy: PolicyConfig;
  /** Input and output sizes when they are not the ant's (absent: the ant's 27 and 8). */
  io?: PolicyIo;
  params: Float64Array;
  normalizer: Normalization | null;
  /** The solver settings the policy was trained under (absent: LEGACY_SIM; see simOf). */
  sim?: SimSettings;
  meta: PolicyMeta;
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

/**
 * Reads a policy file. Unless `anyIo`, it must be an ant policy: a task policy is refused
 * with one line naming the file and its sizes.
 */
export function loadPolicyFile(path: string, opts: { anyIo?: boolean } = {}): PolicyFile {
  const raw = readCheckedJson(path, 'policy file').value as Record<string, unknown>;
  if (raw?.format !== POLICY_FORMAT) throw new Error(`${path} is not a propamine policy file (format ${JSON.stringify(raw?.format)})`);
  if (raw.version !== 1 && raw.version !== POLICY_VERSION) throw new Error(`${path}: unsupported policy file version ${JSON.stringify(raw.version)}`);
  const { policy, io, sim, meta, ...file } = parseIn(PolicyFileSchema, raw, path);
  const { obsSize, actSize } = io ?? ANT_IO;
  if (!opts.anyIo && (obsSize !== OBS_SIZE || actSize !== ACT_SIZE)) {
    throw new Error(`${path} is a policy for ${obsSize} inputs and ${actSize} outputs${meta.task !== undefined ? ` (task ${meta.task})` : ''}, not the ant's ${OBS_SIZE} and ${ACT_SIZE}; score it with propamine learn --eval`);
  }
  const { params, normalizer } = parseIn(policyFileBody(createPolicy(policy, obsSize, actSize).numParams, io), file, path);
  return { policy, ...(io ? { io } : {}), params, normalizer, ...(sim ? { sim } : {}), meta };
}

/** The solver settings to simulate a policy under: its own, or for a file without them, LEGACY_SIM. */
export function simOf(p: { sim?: SimSettings }): SimSettings {
  return p.sim ?? LEGACY_SIM;
}
