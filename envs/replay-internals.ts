/**
 * The optional `internals` of a replay: what happened inside a spiking policy at each control
 * step, so the viewer can show the network's response when damage strikes. Recorded for SNN
 * policies only (an MLP's replay has no `internals`); plain data, no Node or DOM types.
 *
 * Per hidden layer, per frame f (frame 0, the reset, holds zeros like the actions):
 *   rate[f]        spikes per neuron per SNN step during the control step that led to frame f
 *   raster         base64 of frames × ceil(neurons / 8) bytes: bit (j % 8) of byte
 *                  f * ceil(neurons / 8) + floor(j / 8) is set when neuron j spiked at least
 *                  once during that control step
 *   modulator[f]   plastic layers with a modulator: M_t at the control step's last SNN step
 *   dH[f]          plastic layers: RMS over the layer's plastic synapses (input and recurrent
 *                  together) of H after the control step minus H before it
 */

import * as v from 'valibot';
import { looseRecord, pathTo } from '../core/schema.ts';

/** Bytes per frame of a layer's raster. */
export function rasterStride(neurons: number): number {
  return Math.ceil(neurons / 8);
}

/** Length of the base64 text of `bytes` bytes (padded). */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const positiveInt = v.custom<number>((x) => Number.isInteger(x) && (x as number) >= 1, 'must be a positive integer');

/** One value per frame, each `ok`: `must hold 13 numbers in [0, 1] (one per frame)` for a list of another length or a bad value. */
function perFrame(frames: number, ok: (x: number) => boolean, what: string) {
  return v.custom<number[]>((a) => Array.isArray(a) && a.length === frames && a.every((x) => typeof x === 'number' && ok(x)), `must hold ${frames} ${what} (one per frame)`);
}

/** A hidden layer's internals over `frames` frames (see the header); its raster's length follows from its neuron count. */
function layerSchema(frames: number) {
  return v.pipe(
    looseRecord({
      neurons: positiveInt,
      rate: perFrame(frames, (x) => x >= 0 && x <= 1, 'numbers in [0, 1]'),
      raster: v.custom<string>(() => true),
      modulator: v.optional(perFrame(frames, (x) => x >= -1 && x <= 1, 'numbers in [-1, 1]')),
      dH: v.optional(perFrame(frames, (x) => Number.isFinite(x) && x >= 0, 'non-negative numbers')),
    }),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const { neurons, raster } = dataset.value;
      const bytes = frames * rasterStride(neurons);
      if (typeof raster !== 'string' || raster.length !== base64Length(bytes) || !BASE64.test(raster)) {
        addIssue({ message: `must be base64 of frames × ceil(neurons / 8) = ${bytes} bytes (${base64Length(bytes)} characters)`, path: pathTo(dataset.value, 'raster') });
      }
    }),
  );
}

/** A replay's `internals` for its frame count: errors name the field (`internals.layers[0].rate must hold 13 ...`). */
export function internalsSchema(frames: number) {
  return looseRecord({
    /** SNN steps per control step. */
    substeps: positiveInt,
    /** One entry per hidden layer, input side first. */
    layers: v.pipe(v.array(v.unknown(), 'must be a non-empty list'), v.nonEmpty('must be a non-empty list'), v.array(layerSchema(frames))),
  }, 'must be an object with substeps and layers');
}

export type ReplayInternals = v.InferOutput<ReturnType<typeof internalsSchema>>;
export type ReplayLayerInternals = ReplayInternals['layers'][number];
