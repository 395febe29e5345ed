/**
 * Records what happens inside a spiking policy during an episode, for a replay's `internals`
 * (envs/replay-internals.ts): per control step and hidden layer the firing rate, which neurons
 * spiked, the modulator M and the RMS change of H. It only reads the policy's state: the
 * spike tally it attaches is never read by the network, and H is read through
 * `SnnLayer.peekInput`, which does not apply the deferred update the way `plasticState` does,
 * so the actions are bit for bit those of an unrecorded episode.
 */
import type { ReplayInternals, ReplayLayerInternals } from '../envs/replay-internals.ts';
import { rasterStride } from '../envs/replay-internals.ts';
import { SnnPolicy, type Policy } from '../policies/index.ts';
import type { SnnLayer } from '../policies/snn-layer.ts';

/** Rounded so that files stay small; the same episode gives the same text. */
const sig = (v: number, digits: number) => (v === 0 ? 0 : Number(v.toPrecision(digits)));
const round5 = (v: number) => Math.round(v * 1e5) / 1e5 + 0;

interface LayerTrack {
  layer: SnnLayer;
  tally: Uint16Array;
  rate: number[];
  raster: number[];
  modulator: number[] | null;
  dH: number[] | null;
  /** H_in (peeked) and H_rec at the end of the previous control step, and scratch for the next. */
  prevIn: Float32Array;
  prevRec: Float32Array;
  nextIn: Float32Array;
  scratchE: Float32Array;
}

export class InternalsRecorder {
  private readonly tracks: LayerTrack[];

  /** A recorder for an SNN policy; null for other policies (their replays have no internals). */
  static attach(policy: Policy): InternalsRecorder | null {
    return policy instanceof SnnPolicy ? new InternalsRecorder(policy) : null;
  }

  private constructor(private readonly policy: SnnPolicy) {
    this.tracks = policy.layers.map((layer) => {
      const tally = new Uint16Array(layer.n);
      layer.spikeTally = tally;
      const withMod = layer.plastic && layer.modulation !== 'none';
      return {
        layer, tally, rate: [], raster: [],
        modulator: withMod ? [] : null,
        dH: layer.plastic ? [] : null,
        prevIn: new Float32Array(layer.Hin.length),
        prevRec: new Float32Array(layer.Hrec.length),
        nextIn: new Float32Array(layer.Hin.length),
        scratchE: new Float32Array(layer.Ein.length),
      };
    });
  }

  /** Frame 0: call right after the policy's reset (records zeros and H's starting value). */
  start(): void {
    for (const t of this.tracks) {
      t.layer.peekInput(t.prevIn, t.scratchE);
      t.prevRec.set(t.layer.Hrec);
      t.tally.fill(0);
      t.rate.push(0);
      for (let k = 0; k < rasterStride(t.layer.n); k++) t.raster.push(0);
      t.modulator?.push(0);
      t.dH?.push(0);
    }
  }

  /** One frame: call after each `act`, for the control step it just ran. */
  frame(): void {
    const substeps = this.policy.config.substeps;
    for (const t of this.tracks) {
      const { layer, tally } = t;
      const n = layer.n;
      let spikes = 0;
      const stride = rasterStride(n);
      const at = t.raster.length;
      for (let k = 0; k < stride; k++) t.raster.push(0);
      for (let j = 0; j < n; j++) {
        spikes += tally[j]!;
        if (tally[j]! > 0) t.raster[at + (j >> 3)]! |= 1 << (j & 7);
      }
      tally.fill(0);
      t.rate.push(sig(spikes / (substeps * n), 6));
      t.modulator?.push(round5(layer.M));
      if (t.dH) {
        layer.peekInput(t.nextIn, t.scratchE);
        let sum = 0;
        for (let q = 0; q < t.nextIn.length; q++) {
          const d = t.nextIn[q]! - t.prevIn[q]!;
          sum += d * d;
        }
        const Hrec = layer.Hrec;
        for (let q = 0; q < Hrec.length; q++) {
          const d = Hrec[q]! - t.prevRec[q]!;
          sum += d * d;
        }
        t.dH.push(sig(Math.sqrt(sum / (t.nextIn.length + Hrec.length)), 4));
        t.prevIn.set(t.nextIn);
        t.prevRec.set(Hrec);
      }
    }
  }

  /** The recorded internals; detaches the spike tallies from the policy. */
  finish(): ReplayInternals {
    const layers = this.tracks.map((t): ReplayLayerInternals => {
      t.layer.spikeTally = null;
      return {
        neurons: t.layer.n,
        rate: t.rate,
        raster: Buffer.from(t.raster).toString('base64'),
        ...(t.modulator ? { modulator: t.modulator } : {}),
        ...(t.dH ? { dH: t.dH } : {}),
      };
    });
    return { substeps: this.policy.config.substeps, layers };
  }
}
