/**
 * Gradient-route speed: milliseconds per training iteration (batch 32, sequences of T = 60 SNN
 * steps: cue-reward with 30 input steps x 2 substeps) at 64 and 128 hidden neurons, for the
 * hand-written BPTT (`js`, the default engine) and TensorFlow.js autodiff (`tf`, wasm
 * backend), with the forward pass alone beside each and the relative difference of the two
 * engines' gradients. An iteration is what `propamine learn` times: batch generation,
 * forward, backward, clip and Adam. Prints figures, asserts nothing. The machine may be
 * shared: the median of the timed iterations after a warm-up is reported, with the fastest.
 *
 *   npm run bench:learn [-- --sizes 64,128 --iterations 5 --tf-iterations 2 --rules hebb/simple,oja/retroactive]
 */
import { Rng } from '../core/rng.ts';
import { resolveLearnConfig } from '../src/learn/config.ts';
import { JsEngine } from '../src/learn/engine.ts';
import { createTask } from '../envs/tasks/index.ts';
import { TfEngine } from '../src/learn/engine-tf.ts';
import { Learner, trainingBatch } from '../src/learn/learner.ts';
import { initLearnParams } from '../src/learn/init.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const sizes = arg('sizes', '64,128').split(',').map(Number);
const iterations = Number(arg('iterations', '5'));
const tfIterations = Number(arg('tf-iterations', '2'));
const variants = arg('rules', 'hebb/simple,oja/retroactive,none/none').split(',').map((v) => v.split('/'));
const TASK = { name: 'cue-reward', options: { cues: 4, show: 3, gap: 1, delay: 12, query: 2 } };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall and CPU milliseconds of `fn` (median over n runs after a warm-up, and the fastest wall time). */
function time(fn: () => void, n: number): { median: number; min: number; cpu: number } {
  fn();
  const ts: number[] = [];
  const cs: number[] = [];
  for (let k = 0; k < n; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cs.push((c.user + c.system) / 1000);
  }
  return { median: median(ts), min: Math.min(...ts), cpu: median(cs) };
}

// CPU time is what an idle core would take (wall time on a shared machine includes waiting for it).
console.log(`ms per iteration, batch 32, T = 60 SNN steps (${process.version}, ${iterations} timed iterations js, ${tfIterations} tf; wall median (fastest) / CPU median)`);
console.log('| network | js iteration | js forward | tf iteration | tf forward | js / tf (wall) | gradient rel. diff |');
console.log('|---|---|---|---|---|---|---|');
const fmt = (t: { median: number; min: number; cpu: number }) => `${t.median.toFixed(0)} (${t.min.toFixed(0)}) / ${t.cpu.toFixed(0)}`;
for (const H of sizes) {
  for (const [rule, modulation] of variants) {
    const config = resolveLearnConfig({}, { policy: { hidden: [H], rule, modulation }, task: TASK, evalEvery: 1_000_000 });
    const js = new JsEngine(config, createTask(config.task));
    const learner = new Learner(config, js);
    if (learner.task.steps * config.policy.substeps !== 60) throw new Error('the benchmark task must have T = 60');
    const params = initLearnParams(config.policy, config.init, learner.task.inputSize, learner.task.outputSize, new Rng(1));
    const batch = trainingBatch(learner.task, 1, 0, 32);
    const it = time(() => learner.step(), iterations);
    const fw = time(() => js.evaluate(params, batch), iterations);
    let tfCols = '— | — | — | —';
    if (tfIterations > 0) {
      const tf = await TfEngine.create(config, learner.task, { native: false });
      const g2 = new Float64Array(tf.numParams);
      const tit = time(() => tf.lossAndGrad(params, batch, g2), tfIterations);
      const tfw = time(() => tf.evaluate(params, batch), tfIterations);
      const g1 = new Float64Array(js.numParams);
      js.lossAndGrad(params, batch, g1);
      let num = 0;
      let den = 0;
      for (let i = 0; i < g1.length; i++) {
        num += (g1[i] - g2[i]) ** 2;
        den += g2[i] ** 2;
      }
      tfCols = `${fmt(tit)} | ${fmt(tfw)} | 1 / ${(tit.median / it.median).toFixed(1)} | ${Math.sqrt(num / den).toExponential(1)}`;
    }
    console.log(`| H ${H} ${rule}/${modulation} | ${fmt(it)} | ${fmt(fw)} | ${tfCols} |`);
  }
}
