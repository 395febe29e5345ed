/**
 * Starting a run from a trained policy instead of random parameters (`config.init`,
 * `propamine train --init-from`): fine-tuning a gait on another training distribution, for
 * example damage that strikes mid-episode. The source is a run directory (its best center,
 * or its last center when it was never tested, with the observation statistics it was
 * trained with, read from its checkpoint), one of its checkpoint files (`checkpoints/latest.json`:
 * the center after that generation, best or not) or a policy file (whose normalizer holds only a
 * mean and std: it enters as if seen over PRIOR_COUNT observations, so fresh statistics
 * move it slowly).
 */
import { existsSync, statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { ACT_SIZE, OBS_SIZE } from '../../envs/ant-sim.ts';
import type { SimSettings } from '../../envs/sim-settings.ts';
import { initParams, policyLayout, type PolicyConfig } from '../../policies/index.ts';
import type { RandomSource } from '../../core/rng.ts';
import { SliceIndex } from '../../policies/layout.ts';
import { GENOME_GROUPS, genomeGroupOf } from '../../policies/genome-scale.ts';
import { loadPolicyFile, savePolicyFile } from './policy-file.ts';
import { ObsNormalizer } from './normalizer.ts';
import { RunDir } from './run-dir.ts';
import { checkpointCenter } from './checkpoint.ts';

/** Weight of a policy file's normalizer, in observations (about 30 episodes of 1000 steps). */
export const PRIOR_COUNT = 30_000;

export interface InitialPolicy {
  policy: PolicyConfig;
  params: Float64Array;
  normalizer: ObsNormalizer;
  /** Where it came from, for the log: "runs/x (best center, after generation 152)". */
  description: string;
}

export function loadInitialPolicy(path: string, obsClip: number): InitialPolicy {
  if (!existsSync(path)) throw new Error(`${path} does not exist (give a run directory, a checkpoint in its checkpoints/ folder, or a policy file)`);
  const isDir = statSync(path).isDirectory();
  if (isDir || RunDir.isCheckpointFile(path)) {
    const { dir, checkpoint } = RunDir.forResume(path);
    const config = dir.readConfig();
    const snap = dir.loadCheckpoint(config, checkpoint);
    // A run directory starts from its best tested center; a checkpoint file (or a run never tested) from the center after its generation.
    if (isDir && snap.bestTest) {
      return {
        policy: config.policy, params: snap.bestTest.params,
        normalizer: ObsNormalizer.fromJSON(snap.bestTest.normalizer, OBS_SIZE, obsClip),
        description: `${path} (best center, after generation ${snap.bestTest.generation})`,
      };
    }
    return { policy: config.policy, params: checkpointCenter(snap, config), normalizer: snap.normalizer, description: `${path} (center after generation ${snap.generation})` };
  }
  const file = loadPolicyFile(path);
  if (file.meta.normalizerState) {
    const normalizer = ObsNormalizer.fromJSON(file.meta.normalizerState, OBS_SIZE, obsClip, `${path}: meta.normalizerState`);
    return { policy: file.policy, params: file.params, normalizer, description: `${path} (${file.meta.source ?? 'a run\'s starting point'})` };
  }
  const normalizer = new ObsNormalizer(OBS_SIZE, obsClip);
  if (file.normalizer) {
    normalizer.count = PRIOR_COUNT;
    for (let i = 0; i < OBS_SIZE; i++) {
      const m = file.normalizer.mean[i]!;
      const s = file.normalizer.std[i]!;
      normalizer.sum[i] = PRIOR_COUNT * m;
      normalizer.sumSq[i] = PRIOR_COUNT * (s * s + m * m);
    }
  }
  return { policy: file.policy, params: file.params, normalizer, description: `${path} (policy file)` };
}

/** The fields a grown network may change: what plasticity it has and what its modulator reads. */
const GROWABLE = ['rule', 'ruleSharing', 'modulation', 'perNeuronModulation', 'plasticLayers', 'clip', 'modInputs'] as const;

/** The fields that set when a plastic network's traces change (slow plasticity), not what it is made of. */
const TIMING = ['plasticityEvery', 'activityDecay'] as const;

/**
 * The plastic SNN `source` with `target`'s plasticity timing (`plasticityEvery`, `activityDecay`),
 * or null when there is nothing to retime (not two SNNs, no plasticity, or the same timing): the
 * same genome, read as it is. Unlike growing, the start does not act exactly as the source: its
 * traces follow the new timing from the first step.
 */
export function withTimingOf(source: PolicyConfig, target: PolicyConfig): PolicyConfig | null {
  if (source.type !== 'snn' || target.type !== 'snn' || source.rule === 'none') return null;
  const timed: Record<string, unknown> = { ...source };
  for (const k of TIMING) timed[k] = target[k];
  return TIMING.every((k) => source[k] === target[k]) ? null : (timed as PolicyConfig);
}

/** Whether `target` is the plastic SNN `source` with only its plasticity's timing changed. */
export function retimed(source: PolicyConfig, target: PolicyConfig): boolean {
  const timed = withTimingOf(source, target);
  return timed !== null && isDeepStrictEqual(timed, target);
}

/**
 * The genome of `source` for `target`, the same policy searched at other per-group genome
 * scales (p = s * g): each entry becomes p / s_target, so the network decodes to exactly the
 * parameters it was trained to (p is a float32, and float64 division and product give it back
 * bit for bit) while evolution now perturbs and steps each group at its new scale. Null when
 * anything but `genomeScale` differs, or nothing does.
 */
export function rescaledGenome(source: PolicyConfig, params: Float64Array, target: PolicyConfig): Float64Array | null {
  const { genomeScale: from, ...sourceRest } = source;
  const { genomeScale: to, ...targetRest } = target;
  if (isDeepStrictEqual(from, to) || !isDeepStrictEqual(sourceRest, targetRest)) return null;
  const out = new Float64Array(params.length);
  for (const s of policyLayout(target, OBS_SIZE, ACT_SIZE)) {
    const g = genomeGroupOf(s.name);
    const a = Math.fround(from[g]);
    const b = Math.fround(to[g]);
    for (let j = s.offset; j < s.offset + s.length; j++) out[j] = Math.fround(a * params[j]!) / b;
  }
  return out;
}

/** "alpha 0.1 -> 1, mod 0.1 -> 1": the groups whose scale differs, for the log. */
export function describeRescale(source: PolicyConfig, target: PolicyConfig): string {
  return GENOME_GROUPS.filter((g) => source.genomeScale[g] !== target.genomeScale[g]).map((g) => `${g} ${source.genomeScale[g]} -> ${target.genomeScale[g]}`).join(', ');
}

/**
 * The genome of `source` (a trained SNN) for `target`, the same network with more to it:
 * plasticity added to a static network (rule none -> a rule, with any modulation) and/or
 * modulator inputs added. Every slice of the source is copied by name; the new alpha are 0,
 * so W + alpha H = W and the new network acts exactly as the trained one whatever its
 * synapses' traces do, until evolution moves alpha; the other new slices (rule, modulator)
 * take their initial values from `rng`, and v_M starts at 0. Null when `target` is not
 * `source` grown this way (other sizes, neurons, readout, or group scales of the copied
 * groups).
 */
export function grownGenome(source: PolicyConfig, params: Float64Array, target: PolicyConfig, rng: RandomSource): Float64Array | null {
  if (source.type !== 'snn' || target.type !== 'snn') return null;
  const plasticityAdded = source.rule === 'none' && target.rule !== 'none';
  const inputsAdded = source.modInputs.length === 0 && target.modInputs.length > 0;
  if (!plasticityAdded && !inputsAdded) return null;
  if (!plasticityAdded && !isDeepStrictEqual(source.rule, target.rule)) return null;
  const fixed = (c: typeof source) => {
    const rest: Record<string, unknown> = { ...c, genomeScale: { weights: c.genomeScale.weights, neuron: c.genomeScale.neuron, readout: c.genomeScale.readout } };
    for (const k of GROWABLE) delete rest[k];
    return rest;
  };
  if (!isDeepStrictEqual(fixed(source), fixed(target))) return null;
  if (!plasticityAdded && !isDeepStrictEqual({ ...source, modInputs: [] }, { ...target, modInputs: [] })) return null;
  const from = new SliceIndex(policyLayout(source, OBS_SIZE, ACT_SIZE));
  const to = policyLayout(target, OBS_SIZE, ACT_SIZE);
  const out = Float64Array.from(initParams(target, OBS_SIZE, ACT_SIZE, rng));
  for (const s of to) {
    if (from.has(s.name)) {
      const f = from.get(s.name);
      out.set(params.subarray(f.offset, f.offset + f.length), s.offset);
    } else if (/\.alpha_(in|rec)$/.test(s.name)) {
      out.fill(0, s.offset, s.offset + s.length);
    }
  }
  return out;
}

/** Writes a run's starting point (see the header): a policy file with the normalizer's running state. */
export function saveInitialPolicy(path: string, init: InitialPolicy, sim: SimSettings): void {
  savePolicyFile(path, {
    policy: init.policy, params: init.params, normalizer: init.normalizer.snapshot(), sim,
    meta: { source: init.description, normalizerState: init.normalizer.toJSON() },
  });
}
