/**
 * Per-group genome scales: the searched genome g and the model's parameters p differ by a
 * fixed factor per parameter group, p = s_group * g. Evolution strategies perturb and step
 * the genome with one sigma and one learning rate, so a group of scale s sees noise
 * s * sigma and steps of about s * lr: a reparametrization that lets groups of very
 * different sensitivity (the fixed weights W, the plasticity coefficients alpha, the
 * modulator, the readout) share one sigma without the small ones being swamped.
 *
 * Groups (by slice name in layout.ts):
 *   weights  hidden{l}.W_in, W_rec, b (SNN); layer{l}.W, b (MLP)
 *   alpha    hidden{l}.alpha_in, alpha_rec
 *   rule     hidden{l}.rule.* (eta, tau, the abcd rule's coefficient tables)
 *   mod      hidden{l}.mod.*
 *   neuron   hidden{l}.leak_raw, threshold_raw, trace_raw, readout.leak_raw
 *   readout  readout.W, readout.b (SNN); output.W, output.b (MLP)
 * A scale of 1 everywhere (the default) leaves genome and parameters equal.
 */

import type { ParamSlice } from './types.ts';
import { layoutSize } from './layout.ts';

export const GENOME_GROUPS = ['weights', 'alpha', 'rule', 'mod', 'neuron', 'readout'] as const;
export type GenomeGroup = (typeof GENOME_GROUPS)[number];
export type GenomeScale = Record<GenomeGroup, number>;

export const unitGenomeScale: Readonly<GenomeScale> = Object.freeze({ weights: 1, alpha: 1, rule: 1, mod: 1, neuron: 1, readout: 1 });

/**
 * A plastic network's parameters with its plasticity removed: every alpha set to 0, so that
 * W_eff = W whatever H does. Evaluated side by side with the parameters as trained, it
 * measures what the plasticity adds (`propamine eval --no-plasticity`).
 */
export function withoutPlasticity(slices: readonly ParamSlice[], params: Float64Array): Float64Array {
  const out = Float64Array.from(params);
  const alphas = slices.filter((s) => genomeGroupOf(s.name) === 'alpha');
  if (alphas.length === 0) throw new Error('the policy has no plasticity to remove (no alpha parameters)');
  for (const s of alphas) out.fill(0, s.offset, s.offset + s.length);
  return out;
}

/** Whether a plastic network's plasticity acts: some alpha is not 0 (false for a network without alpha parameters). */
export function hasPlasticity(slices: readonly ParamSlice[], params: ArrayLike<number>): boolean {
  for (const s of slices) {
    if (genomeGroupOf(s.name) !== 'alpha') continue;
    for (let i = s.offset; i < s.offset + s.length; i++) if (params[i] !== 0) return true;
  }
  return false;
}

/** The group a layout slice belongs to. */
export function genomeGroupOf(sliceName: string): GenomeGroup {
  if (sliceName === 'readout.leak_raw' || /\.(leak_raw|threshold_raw|trace_raw)$/.test(sliceName)) return 'neuron';
  if (sliceName.startsWith('readout.') || sliceName.startsWith('output.')) return 'readout';
  if (/\.alpha_(in|rec)$/.test(sliceName)) return 'alpha';
  if (sliceName.includes('.rule.')) return 'rule';
  if (sliceName.includes('.mod.')) return 'mod';
  return 'weights';
}

function isUnit(scale: Readonly<GenomeScale>): boolean {
  return GENOME_GROUPS.every((g) => scale[g] === 1);
}

/** The per-entry factor p_j / g_j for a layout, or null when every group's scale is 1. */
export function genomeScaleVector(slices: readonly ParamSlice[], scale: Readonly<GenomeScale>): Float32Array | null {
  if (isUnit(scale)) return null;
  const out = new Float32Array(layoutSize(slices));
  for (const s of slices) out.fill(scale[genomeGroupOf(s.name)], s.offset, s.offset + s.length);
  return out;
}

/** p = s ⊙ g into `out` (the identity when `factors` is null). */
export function decodeGenome(genome: ArrayLike<number>, factors: Float32Array | null, out: Float32Array): void {
  if (!factors) {
    out.set(genome);
    return;
  }
  for (let j = 0; j < out.length; j++) out[j] = factors[j] * genome[j];
}

/** g = p / s in place (how the initializer turns parameters into a genome). */
export function encodeParams(params: Float32Array, factors: Float32Array | null): void {
  if (!factors) return;
  for (let j = 0; j < params.length; j++) params[j] = params[j] / factors[j];
}
