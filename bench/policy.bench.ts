/**
 * Policy speed: microseconds per environment step (and per SNN step) on ant-sized inputs
 * (27 observations, 8 actions) for hidden sizes 64, 128, 256: the static SNN, every rule x
 * modulation pair, and the MLP; then the TensorFlow.js reference against the fast path.
 * Prints figures, asserts nothing. The machine may be shared: the median of several timed
 * batches after a warm-up is reported, with the fastest batch beside it.
 *
 *   npm run bench:policy [-- --sizes 64,128 --batches 10]
 */

import { Rng } from '../envs/rng.ts';
import {
  MODULATION_NAMES,
  RULE_NAMES,
  createPolicy,
  describePolicy,
  initParams,
  validatePolicyConfig,
  type Policy,
  type PolicyConfig,
  type SnnPolicyConfig,
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

function observations(n: number): Float32Array[] {
  const rng = new Rng(99);
  return Array.from({ length: n }, () => Float32Array.from({ length: OBS }, () => rng.normal()));
}
const OBS_STREAM = observations(256);

/** Median and min microseconds per call of `act`, over `batches` batches after a warm-up. */
function timeAct(act: (o: Float32Array) => unknown, stepsPerBatch: number, warmup: number): { median: number; min: number } {
  for (let t = 0; t < warmup; t++) act(OBS_STREAM[t & 255]);
  const per: number[] = [];
  let k = 0;
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let t = 0; t < stepsPerBatch; t++) act(OBS_STREAM[k++ & 255]);
    per.push(Number(process.hrtime.bigint() - t0) / 1e3 / stepsPerBatch);
  }
  per.sort((a, b) => a - b);
  return { median: per[Math.floor(per.length / 2)], min: per[0] };
}

function build(cfg: PolicyConfig): Policy {
  const p = createPolicy(cfg, OBS, ACT);
  p.setParams(initParams(cfg, OBS, ACT, new Rng(1)));
  return p;
}

const variants: { label: string; over: Record<string, unknown> }[] = [
  { label: 'static SNN (rule none)', over: { rule: 'none' } },
  ...RULE_NAMES.filter((r) => r !== 'none').flatMap((rule) =>
    MODULATION_NAMES.map((modulation) => ({ label: `${rule} / ${modulation}`, over: { rule, modulation } })),
  ),
  { label: 'MLP tanh [h, h]', over: { type: 'mlp' } },
];

console.log(`policy act() cost, ${OBS} obs -> ${ACT} actions, recurrent SNN with 2 substeps; median (min) over ${batches} batches`);
console.log(`base config: ${describePolicy(validatePolicyConfig({}), OBS, ACT)}\n`);
console.log(`| variant | ${sizes.map((h) => `h=${h} µs/env step | h=${h} µs/SNN step`).join(' | ')} |`);
console.log(`|---|${sizes.map(() => '---|---').join('|')}|`);
for (const v of variants) {
  const cells: string[] = [];
  for (const h of sizes) {
    const cfg = validatePolicyConfig({ ...v.over, hidden: v.over.type === 'mlp' ? [h, h] : [h] });
    const p = build(cfg);
    const steps = Math.max(50, Math.round(20000 / h));
    const { median, min } = timeAct((o) => p.act(o), steps, 5 * steps);
    const sub = cfg.type === 'snn' ? cfg.substeps : 1;
    cells.push(`${median.toFixed(1)} (${min.toFixed(1)})`, cfg.type === 'snn' ? (median / sub).toFixed(1) : '-');
  }
  console.log(`| ${v.label} | ${cells.join(' | ')} |`);
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
