/**
 * Policy speed: microseconds per environment step (and per SNN step) on ant-sized inputs
 * (27 observations, 8 actions) for hidden sizes 64, 128, 256: the static SNN, every rule x
 * modulation pair (abcd shared per neuron), abcd's other sharings, and the MLP; then the TensorFlow.js reference against the fast path.
 * Prints figures, asserts nothing. The machine may be shared: the median of several timed
 * batches after a warm-up is reported, with the fastest batch beside it.
 *
 * Beside each variant, the cost of one env step (the ant under new runs' solver settings, one per world, random
 * actions) is measured in the same run, its batches interleaved with the policy's, and the
 * last columns give the policy's cost per env step as a share of an env step (the median
 * of the per-batch ratios, so a change of load hits both sides alike).
 *
 * `--kernels js,wasm` times each SNN variant with both synapse kernels (JavaScript, the
 * reference, and WebAssembly SIMD, the default; same outputs), their batches interleaved,
 * one row each, and adds the ratio js / wasm of the per-batch times.
 *
 * `--arithmetic f64,f32` times each SNN variant in both synapse arithmetics (policy
 * `synapseArithmetic`; default f64, the training presets' f32) the same way: one row per
 * kernels x arithmetic, and the ratio f64 / f32 per kernels.
 *
 *   npm run bench:policy [-- --sizes 64,128 --batches 10 --kernels js,wasm --arithmetic f64,f32]
 */

import { Rng } from '../core/rng.ts';
import { loadRapier } from '../envs/rapier.ts';
import { AntWorld } from '../envs/ant-world.ts';
import { DEFAULT_SIM, simWorld } from '../envs/sim-settings.ts';
import {
  MODULATION_NAMES,
  RULE_NAMES,
  createPolicy,
  describePolicy,
  initParams,
  validatePolicyConfig,
  type KernelName,
  type Policy,
  type PolicyConfig,
  type SnnPolicyConfig,
  type SynapseArithmetic,
} from '../policies/index.ts';
import { loadTf, TfReferencePolicy } from '../policies/tf-reference.ts';

const OBS = 27;
const ACT = 8;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const sizes = arg('sizes', '64,128,256').split(',').map(Number);
const batches = Number(arg('batches', '10'));
const kernelNames = arg('kernels', 'wasm').split(',') as KernelName[];
const arithmetics = arg('arithmetic', 'f64').split(',') as SynapseArithmetic[];

function observations(n: number): Float32Array[] {
  const rng = new Rng(99);
  return Array.from({ length: n }, () => Float32Array.from({ length: OBS }, () => rng.normal()));
}
const OBS_STREAM = observations(256);

const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)];

/** One env step of the ant under new runs' solver settings (a fresh episode when one ends), for the share column. */
const world = new AntWorld(await loadRapier(), simWorld(DEFAULT_SIM));
const envRng = new Rng(3);
const envAction = new Float64Array(ACT);
let envEpisode = 0;
world.reset([{ seed: envEpisode++, condition: {} }]);
function envStep(): void {
  if (world.done[0]) world.reset([{ seed: envEpisode++, condition: {} }]);
  for (let i = 0; i < ACT; i++) envAction[i] = envRng.range(-1, 1);
  world.step(envAction);
}
const ENV_STEPS_PER_BATCH = 40;

interface Timing {
  median: number;
  min: number;
  share: number;
  env: number;
  /** Per batch: µs per act. */
  per: number[];
}

/**
 * Median and min microseconds per call of each `act`, over `batches` batches after a
 * warm-up, the acts' batches interleaved; with `withEnv`, each batch is followed by a batch
 * of env steps and `share` is the median of (µs per act) / (µs per env step) over the pairs.
 */
function timeActs(acts: ((o: Float32Array) => unknown)[], stepsPerBatch: number, warmup: number, withEnv = false): Timing[] {
  for (const act of acts) for (let t = 0; t < warmup; t++) act(OBS_STREAM[t & 255]);
  const runs = acts.map(() => ({ per: [] as number[], env: [] as number[], share: [] as number[] }));
  for (let b = 0; b < batches; b++) {
    acts.forEach((act, a) => {
      const run = runs[a];
      const t0 = process.hrtime.bigint();
      for (let t = 0; t < stepsPerBatch; t++) act(OBS_STREAM[(b * stepsPerBatch + t) & 255]);
      const us = Number(process.hrtime.bigint() - t0) / 1e3 / stepsPerBatch;
      run.per.push(us);
      if (!withEnv) return;
      const e0 = process.hrtime.bigint();
      for (let t = 0; t < ENV_STEPS_PER_BATCH; t++) envStep();
      const envUs = Number(process.hrtime.bigint() - e0) / 1e3 / ENV_STEPS_PER_BATCH;
      run.env.push(envUs);
      run.share.push(us / envUs);
    });
  }
  return runs.map((r) => ({
    median: median(r.per),
    min: Math.min(...r.per),
    share: withEnv ? median(r.share) : NaN,
    env: withEnv ? median(r.env) : NaN,
    per: r.per,
  }));
}

function timeAct(act: (o: Float32Array) => unknown, stepsPerBatch: number, warmup: number): Timing {
  return timeActs([act], stepsPerBatch, warmup)[0];
}

function build(cfg: PolicyConfig, kernels: KernelName = 'wasm'): Policy {
  const p = createPolicy(cfg, OBS, ACT, { kernels });
  p.setParams(initParams(cfg, OBS, ACT, new Rng(1)));
  p.reset(1); // random weights per episode are drawn here
  return p;
}

const variants: { label: string; over: Record<string, unknown> }[] = [
  { label: 'static SNN (rule none)', over: { rule: 'none' } },
  ...RULE_NAMES.filter((r) => r !== 'none').flatMap((rule) =>
    MODULATION_NAMES.map((modulation) => ({ label: `${rule}${rule === 'abcd' ? '(post)' : ''} / ${modulation}`, over: { rule, modulation } })),
  ),
  // ABCD's other sharings (post is the default above), and on weights drawn per episode.
  ...(['synapse', 'layer'] as const).map((ruleSharing) => ({ label: `abcd(${ruleSharing}) / simple`, over: { rule: 'abcd', ruleSharing } })),
  { label: 'abcd(synapse) / simple, random W per episode', over: { rule: 'abcd', ruleSharing: 'synapse', weights: 'random-per-episode' } },
  { label: 'MLP tanh [h, h]', over: { type: 'mlp' } },
];

console.log(
  `policy act() cost, ${OBS} obs -> ${ACT} actions, recurrent SNN with 2 substeps; median (min) over ${batches} batches; ` +
    `SNN kernels ${kernelNames.join(', ')}, synapse arithmetic ${arithmetics.join(', ')}`,
);
console.log(`base config: ${describePolicy(validatePolicyConfig({}), OBS, ACT)}\n`);
for (let t = 0; t < 200; t++) envStep(); // WebAssembly warm-up
console.log(`| variant | ${sizes.map((h) => `h=${h} µs/env step | h=${h} µs/SNN step | h=${h} share of an env step (env µs)`).join(' | ')} |`);
console.log(`|---|${sizes.map(() => '---|---|---').join('|')}|`);
/** The ratio of two runs' per-batch times (median over the batches). */
const ratio = (a: Timing, b: Timing) => median(a.per.map((t, q) => t / b.per[q])).toFixed(2);
for (const v of variants) {
  const mlp = v.over.type === 'mlp';
  // One run per kernels x arithmetic, kernels outermost; the MLP has neither.
  const runs = (mlp ? kernelNames.slice(0, 1) : kernelNames).flatMap((kernels) =>
    (mlp ? arithmetics.slice(0, 1) : arithmetics).map((arithmetic) => ({ kernels, arithmetic })),
  );
  const label = (r: { kernels: KernelName; arithmetic: SynapseArithmetic }) =>
    [kernelNames.length > 1 || arithmetics.length === 1 ? r.kernels : '', arithmetics.length > 1 ? r.arithmetic : ''].filter((x) => x).join(' ');
  const rows = runs.map(() => [] as string[]);
  const kernelRatios: string[] = [];
  const arithmeticRatios = kernelNames.map(() => [] as string[]);
  for (const h of sizes) {
    const ps = runs.map((r) => build(validatePolicyConfig(mlp ? { ...v.over, hidden: [h, h] } : { ...v.over, hidden: [h], synapseArithmetic: r.arithmetic }), r.kernels));
    const steps = Math.max(50, Math.round(20000 / h));
    const timings = timeActs(ps.map((p) => (o: Float32Array) => p.act(o)), steps, 5 * steps, true);
    const sub = mlp ? 1 : (ps[0] as unknown as { config: SnnPolicyConfig }).config.substeps;
    timings.forEach(({ median: med, min, share, env }, k) =>
      rows[k].push(`${med.toFixed(1)} (${min.toFixed(1)})`, mlp ? '-' : (med / sub).toFixed(1), `${share.toFixed(2)} (${env.toFixed(0)})`),
    );
    if (mlp) continue;
    const at = (kernels: KernelName, arithmetic: SynapseArithmetic) => timings[runs.findIndex((r) => r.kernels === kernels && r.arithmetic === arithmetic)];
    if (kernelNames.length === 2) kernelRatios.push(ratio(at(kernelNames[0], arithmetics[0]), at(kernelNames[1], arithmetics[0])), '', '');
    if (arithmetics.length === 2) kernelNames.forEach((k, q) => arithmeticRatios[q].push(ratio(at(k, arithmetics[0]), at(k, arithmetics[1])), '', ''));
  }
  rows.forEach((cells, k) => console.log(`| ${v.label}${mlp ? '' : ` [${label(runs[k])}]`} | ${cells.join(' | ')} |`));
  if (kernelRatios.length > 0) console.log(`| ${v.label}: ${kernelNames[0]} / ${kernelNames[1]}${arithmetics.length > 1 ? ` (${arithmetics[0]})` : ''} | ${kernelRatios.join(' | ')} |`);
  arithmeticRatios.forEach((cells, q) => {
    if (cells.length > 0) console.log(`| ${v.label}: ${arithmetics[0]} / ${arithmetics[1]}${kernelNames.length > 1 ? ` (${kernelNames[q]})` : ''} | ${cells.join(' | ')} |`);
  });
}

const { tf, backend } = await loadTf();
console.log(`\nTensorFlow.js reference (backend ${backend}) vs the fast path, oja / simple:`);
console.log('| hidden | fast µs/env step | tfjs µs/env step | tfjs / fast |');
console.log('|---|---|---|---|');
for (const h of sizes.filter((s) => s <= 128)) {
  const cfg = validatePolicyConfig({ hidden: [h] }) as SnnPolicyConfig;
  const params = initParams(cfg, OBS, ACT, new Rng(1));
  const fast = createPolicy(cfg, OBS, ACT);
  fast.setParams(params);
  const ref = new TfReferencePolicy(tf, cfg, OBS, ACT, params);
  const f = timeAct((o) => fast.act(o), 200, 1000);
  const r = timeAct((o) => ref.act(o), 10, 20);
  ref.dispose();
  console.log(`| ${h} | ${f.median.toFixed(1)} | ${r.median.toFixed(0)} | ${(r.median / f.median).toFixed(0)}x |`);
}
world.close();
