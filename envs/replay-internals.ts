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

export interface ReplayLayerInternals {
  neurons: number;
  rate: number[];
  raster: string;
  modulator?: number[];
  dH?: number[];
}

export interface ReplayInternals {
  /** SNN steps per control step. */
  substeps: number;
  /** One entry per hidden layer, input side first. */
  layers: ReplayLayerInternals[];
}

/** Bytes per frame of a layer's raster. */
export function rasterStride(neurons: number): number {
  return Math.ceil(neurons / 8);
}

/** Length of the base64 text of `bytes` bytes (padded). */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Checks a replay's `internals` against its frame count; `fail` throws with the message. */
export function validateInternals(raw: unknown, frames: number, fail: (msg: string) => never): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('internals must be an object with substeps and layers');
  const x = raw as Partial<ReplayInternals>;
  if (!Number.isInteger(x.substeps) || x.substeps! < 1) fail('internals.substeps must be a positive integer');
  if (!Array.isArray(x.layers) || x.layers.length === 0) fail('internals.layers must be a non-empty list');
  x.layers!.forEach((layer: unknown, l) => {
    const at = `internals.layers[${l}]`;
    if (typeof layer !== 'object' || layer === null) fail(`${at} must be an object`);
    const y = layer as Partial<ReplayLayerInternals>;
    if (!Number.isInteger(y.neurons) || y.neurons! < 1) fail(`${at}.neurons must be a positive integer`);
    const list = (name: keyof ReplayLayerInternals, ok: (v: number) => boolean, what: string) => {
      const v = y[name];
      if (!Array.isArray(v) || v.length !== frames || !v.every((e) => typeof e === 'number' && ok(e))) {
        fail(`${at}.${name} must hold ${frames} ${what} (one per frame)`);
      }
    };
    list('rate', (v) => v >= 0 && v <= 1, 'numbers in [0, 1]');
    const bytes = frames * rasterStride(y.neurons!);
    if (typeof y.raster !== 'string' || y.raster.length !== base64Length(bytes) || !BASE64.test(y.raster)) {
      fail(`${at}.raster must be base64 of frames × ceil(neurons / 8) = ${bytes} bytes (${base64Length(bytes)} characters)`);
    }
    if (y.modulator !== undefined) list('modulator', (v) => v >= -1 && v <= 1, 'numbers in [-1, 1]');
    if (y.dH !== undefined) list('dH', (v) => Number.isFinite(v) && v >= 0, 'non-negative numbers');
  });
}
