/**
 * A replay's `internals` (envs/replay-internals.ts, workers/internals.ts): per layer and frame
 * the firing rate, the raster, the modulator and the RMS change of H, checked against the
 * policy's own state read by hand; same episode, same bytes; the recorder leaves every
 * membrane and action as it was; what the reader rejects; replays without the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../core/rng.ts';
import { createPolicy, initParams, validatePolicyConfig, type SnnPolicy } from '../policies/index.ts';
import { InternalsRecorder } from '../workers/internals.ts';
import { recordEpisode } from '../workers/record.ts';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { ACT_SIZE, OBS_SIZE } from '../envs/ant-sim.ts';
import { validateCondition } from '../envs/conditions.ts';
import { parseReplay, type Replay } from '../envs/replay.ts';
import { rasterStride } from '../envs/replay-internals.ts';
import { withDigest } from '../envs/digest.ts';

const R = await loadRapier();

function snn(over: Record<string, unknown>, seed = 4): { policy: SnnPolicy; params: Float32Array } {
  const cfg = validatePolicyConfig({ type: 'snn', hidden: [32], ...over });
  // Scaled up so that neurons fire and H moves within a few steps.
  const params = initParams(cfg, OBS_SIZE, ACT_SIZE, new Rng(seed)).map((v) => v * 3);
  const policy = createPolicy(cfg, OBS_SIZE, ACT_SIZE) as SnnPolicy;
  policy.setParams(params);
  policy.reset();
  return { policy, params };
}

function stream(seed: number, steps: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: steps }, () => Float32Array.from({ length: OBS_SIZE }, () => 2 * rng.normal()));
}

function record(over: Record<string, unknown>, obs: Float32Array[]) {
  const { policy } = snn(over);
  const rec = InternalsRecorder.attach(policy)!;
  rec.start();
  for (const o of obs) {
    policy.act(o);
    rec.frame();
  }
  return rec.finish();
}

const rms = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
};

const bits = (raster: string, neurons: number, f: number): number[] => {
  const bytes = Buffer.from(raster, 'base64');
  const stride = rasterStride(neurons);
  return Array.from({ length: neurons }, (_, j) => (bytes[f * stride + (j >> 3)]! >> (j & 7)) & 1);
};

const sig = (v: number, d: number) => (v === 0 ? 0 : Number(v.toPrecision(d)));

/**
 * The reference, read by hand: for each frame t a fresh policy acts t times and its state is
 * read then (plasticState flushes the deferred update, so each read uses its own policy).
 */
function reference(over: Record<string, unknown>, obs: Float32Array[], l: number) {
  const out: Array<{ H: Float32Array; M: number; spikes: number; s: Float32Array }> = [];
  for (let t = 0; t <= obs.length; t++) {
    const { policy } = snn(over);
    for (let k = 0; k < t; k++) policy.act(obs[k]!);
    const layer = policy.layers[l]!;
    const st = layer.plastic ? policy.plasticState(l) : null;
    out.push({
      H: st ? Float32Array.from([...st.Hin, ...st.Hrec]) : new Float32Array(0),
      M: st?.M ?? 0,
      spikes: layer.spikeCount,
      s: layer.lif.s.slice(),
    });
  }
  return out;
}

test('internals of an SNN: shape, and rate, raster, M and |ΔH| equal to the policy\'s own state read by hand', () => {
  const steps = 30;
  const obs = stream(11, steps);
  // One SNN step per control step: the raster is then the spikes the policy shows after act.
  // Layer 0 plastic with a modulator (retroactive, so the peek also steps E), layer 1 static.
  const over = { hidden: [20, 12], substeps: 1, rule: 'oja', modulation: 'retroactive', plasticLayers: [0] };
  const x = record(over, obs);
  assert.equal(x.substeps, 1);
  assert.equal(x.layers.length, 2);
  assert.deepEqual(x.layers.map((l) => l.neurons), [20, 12]);
  for (const l of x.layers) {
    assert.equal(l.rate.length, steps + 1);
    assert.equal(Buffer.from(l.raster, 'base64').length, (steps + 1) * rasterStride(l.neurons));
  }
  assert.equal(x.layers[0]!.modulator!.length, steps + 1);
  assert.equal(x.layers[0]!.dH!.length, steps + 1);
  assert.equal(x.layers[1]!.modulator, undefined, 'a static layer has no modulator');
  assert.equal(x.layers[1]!.dH, undefined, 'nor an H');
  for (const l of [0, 1]) {
    const ref = reference(over, obs, l);
    const layer = x.layers[l]!;
    const n = layer.neurons;
    assert.deepEqual(bits(layer.raster, n, 0), new Array(n).fill(0));
    for (let t = 1; t <= steps; t++) {
      const spikes = ref[t]!.spikes - ref[t - 1]!.spikes;
      assert.equal(layer.rate[t], sig(spikes / n, 6), `layer ${l} rate at ${t}`);
      assert.deepEqual(bits(layer.raster, n, t), Array.from(ref[t]!.s), `layer ${l} raster at ${t}`);
      if (l === 1) continue;
      assert.equal(layer.modulator![t], Math.round(ref[t]!.M * 1e5) / 1e5 + 0, `M at ${t}`);
      const d = Math.sqrt(rms(ref[t]!.H, ref[t - 1]!.H) / ref[t]!.H.length);
      assert.equal(layer.dH![t], sig(d, 4), `dH at ${t}`);
    }
  }
  assert.ok(x.layers[0]!.rate.some((r) => r > 0) && x.layers[1]!.rate.some((r) => r > 0), 'both layers fire');
  assert.ok(x.layers[0]!.dH!.some((d) => d > 0), 'H moves');
  assert.ok(x.layers[0]!.modulator!.some((m) => m !== 0), 'M moves');
});

test('internals over several SNN steps per control step: rate from the spike count, raster consistent with it, M and |ΔH| as read by hand', () => {
  const steps = 24;
  const obs = stream(12, steps);
  // The preset's network: 32 neurons, Oja, simple per-neuron modulation, 4 SNN steps.
  const over = { substeps: 4, rule: 'oja', modulation: 'simple', perNeuronModulation: true, readoutLeak: 0.5 };
  const x = record(over, obs);
  const ref = reference(over, obs, 0);
  const layer = x.layers[0]!;
  for (let t = 1; t <= steps; t++) {
    const spikes = ref[t]!.spikes - ref[t - 1]!.spikes;
    assert.equal(layer.rate[t], sig(spikes / (4 * 32), 6), `rate at ${t}`);
    // Each neuron that spiked did so 1 to 4 times within the control step.
    const fired = bits(layer.raster, 32, t).reduce((a, b) => a + b, 0);
    assert.ok(fired <= spikes && spikes <= 4 * fired, `raster at ${t}: ${fired} neurons for ${spikes} spikes`);
    // A neuron whose last SNN step spiked is in the raster.
    for (let j = 0; j < 32; j++) if (ref[t]!.s[j] === 1) assert.equal(bits(layer.raster, 32, t)[j], 1);
    assert.equal(layer.modulator![t], Math.round(ref[t]!.M * 1e5) / 1e5 + 0, `M at ${t}`);
    assert.equal(layer.dH![t], sig(Math.sqrt(rms(ref[t]!.H, ref[t - 1]!.H) / ref[t]!.H.length), 4), `dH at ${t}`);
  }
  // A plastic layer without a modulator has |ΔH| but no M; a static SNN has rates and raster only.
  const plain = record({ rule: 'hebb', modulation: 'none', substeps: 2 }, obs);
  assert.equal(plain.layers[0]!.modulator, undefined);
  assert.equal(plain.layers[0]!.dH!.length, steps + 1);
  const fixed = record({ rule: 'none', substeps: 2 }, obs);
  assert.deepEqual(Object.keys(fixed.layers[0]!).sort(), ['neurons', 'raster', 'rate']);
});

test('recording leaves every membrane and action bit for bit as it was (reading H through plasticState would not)', () => {
  const obs = stream(13, 300);
  for (const over of [
    { substeps: 4, rule: 'oja', modulation: 'simple', perNeuronModulation: true },
    { hidden: [24, 16], substeps: 2, rule: 'bcm', modulation: 'retroactive' },
    { substeps: 3, rule: 'hebb', modulation: 'none' },
  ]) {
    const bare = snn(over).policy;
    const seen = snn(over).policy;
    const flushed = snn(over).policy;
    const rec = InternalsRecorder.attach(seen)!;
    rec.start();
    let flushedMembranes = 0;
    for (const [t, o] of obs.entries()) {
      const a = bare.act(o).slice();
      const b = seen.act(o).slice();
      rec.frame();
      flushed.act(o);
      for (let l = 0; l < bare.layers.length; l++) flushed.plasticState(l);
      assert.deepEqual(b, a, `${JSON.stringify(over)}: action at ${t}`);
      for (let l = 0; l < bare.layers.length; l++) {
        assert.deepEqual(seen.layers[l]!.lif.v, bare.layers[l]!.lif.v, `membranes of layer ${l} at ${t}`);
        if (flushed.layers[l]!.lif.v.some((v, j) => v !== bare.layers[l]!.lif.v[j])) flushedMembranes++;
      }
    }
    rec.finish();
    assert.ok(flushedMembranes > 0, 'plasticState every step moves membranes in their last bits: the recorder must not use it');
    assert.equal(seen.layers[0]!.spikeTally, null, 'finish detaches the tally');
  }
});

const SNN_POLICY = validatePolicyConfig({ type: 'snn', hidden: [32], substeps: 4, rule: 'oja', modulation: 'simple', perNeuronModulation: true, modInputs: ['reward'], readoutLeak: 0.5 });
const onsetEpisode = { seed: 5, condition: validateCondition({ jointDamage: [{ joint: 'ankle_1', mode: 'disabled' }], onset: 20 }) };

function snnReplay(steps = 60): Replay {
  const params = initParams(SNN_POLICY, OBS_SIZE, ACT_SIZE, new Rng(8));
  return recordEpisode(R, { policy: SNN_POLICY, params, normalizer: null, episode: onsetEpisode, world: { maxSteps: steps } });
}

test('a recorded SNN episode: same episode, same bytes; the actions are those of the policy without the recorder; an MLP has no internals', () => {
  const a = snnReplay();
  const b = snnReplay();
  assert.equal(JSON.stringify(a), JSON.stringify(b));
  assert.equal(a.internals!.layers[0]!.rate.length, a.frames);
  assert.equal(a.onsetFrame, 21);
  // The same episode run by hand without the recorder.
  const policy = createPolicy(SNN_POLICY, OBS_SIZE, ACT_SIZE);
  policy.setParams(initParams(SNN_POLICY, OBS_SIZE, ACT_SIZE, new Rng(8)));
  policy.reset();
  const world = new AntWorld(R, { maxSteps: 60 });
  const actions: number[] = new Array(ACT_SIZE).fill(0);
  try {
    const obs = world.reset([onsetEpisode]);
    while (!world.done[0]) {
      const act = Float64Array.from(policy.act(obs));
      world.step(act);
      policy.observeReward?.(world.rewards[0]!);
      for (const v of act) actions.push(Math.round(v * 1e5) / 1e5);
    }
  } finally {
    world.close();
  }
  assert.deepEqual(a.actions, actions);
  const mlp = validatePolicyConfig({ type: 'mlp', hidden: [16] });
  const m = recordEpisode(R, { policy: mlp, params: initParams(mlp, OBS_SIZE, ACT_SIZE, new Rng(1)), normalizer: null, episode: onsetEpisode, world: { maxSteps: 10 } });
  assert.equal('internals' in m, false);
});

test('the reader checks internals with messages naming the field, and reads replays without them', () => {
  const r = snnReplay(12);
  assert.equal(parseReplay(JSON.stringify(withDigest(r))).internals!.layers[0]!.neurons, 32);
  const bad = (change: (x: Record<string, unknown>, l: Record<string, unknown>) => void, msg: RegExp) => {
    const copy = JSON.parse(JSON.stringify(r)) as Record<string, unknown> & { internals: { layers: Array<Record<string, unknown>> } };
    change(copy.internals, copy.internals.layers[0]!);
    assert.throws(() => parseReplay(JSON.stringify(copy), 'r.json'), msg);
  };
  bad((x) => { x.substeps = 0; }, /^Error: r\.json: internals\.substeps must be a positive integer$/);
  bad((x) => { x.layers = []; }, /^Error: r\.json: internals\.layers must be a non-empty list$/);
  bad((_x, l) => { l.neurons = 'many'; }, /^Error: r\.json: internals\.layers\[0\]\.neurons must be a positive integer$/);
  bad((_x, l) => { (l.rate as number[]).pop(); }, /^Error: r\.json: internals\.layers\[0\]\.rate must hold 13 numbers in \[0, 1\] \(one per frame\)$/);
  bad((_x, l) => { (l.rate as number[])[3] = 2; }, /internals\.layers\[0\]\.rate must hold 13 numbers in \[0, 1\]/);
  bad((_x, l) => { l.raster = (l.raster as string).slice(4); }, /^Error: r\.json: internals\.layers\[0\]\.raster must be base64 of frames × ceil\(neurons \/ 8\) = 52 bytes \(72 characters\)$/);
  bad((_x, l) => { l.raster = `!${(l.raster as string).slice(1)}`; }, /internals\.layers\[0\]\.raster must be base64/);
  bad((_x, l) => { (l.modulator as number[])[0] = 1.5; }, /^Error: r\.json: internals\.layers\[0\]\.modulator must hold 13 numbers in \[-1, 1\] \(one per frame\)$/);
  bad((_x, l) => { (l.dH as number[])[1] = -1; }, /^Error: r\.json: internals\.layers\[0\]\.dH must hold 13 non-negative numbers \(one per frame\)$/);
  const notObject = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
  notObject.internals = [1];
  assert.throws(() => parseReplay(JSON.stringify(notObject), 'r.json'), /^Error: r\.json: internals must be an object with substeps and layers$/);
  // A replay without internals (an MLP's, or one written before they existed) is read as it is.
  const { internals: _i, ...old } = r;
  const parsed = parseReplay(JSON.stringify(withDigest(old)), 'old.json');
  assert.equal(parsed.internals, undefined);
  assert.equal(parsed.frames, 13);
});
