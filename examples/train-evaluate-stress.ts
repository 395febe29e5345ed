/**
 * propamine from a researcher's own code: train a small plastic SNN for a few generations,
 * evaluate its best center on fresh episodes and on a slippery floor, stress-test it on a
 * suite, and step the env by hand with the trained policy. The budget is tiny (seconds);
 * raise it for a real run.
 *
 *   node --import tsx examples/train-evaluate-stress.ts [OUT_DIR]
 *
 * From an installed package, import from 'propamine' instead of '../src/index.ts'.
 */
import {
  AntEnv, ACT_SIZE, OBS_SIZE, RolloutPool, createPolicy, evaluatePolicy, getBuiltinSuite, loadPolicy, loadRapier, normalizeObs,
  resolveTrainConfig, runStress, simOf, simWorld, stressMarkdown, train, type RunObserver,
} from '../src/index.ts';

const outDir = process.argv[2] ?? 'runs';

// 1. A config: a preset, then any fields of a run's config.json (validated, errors name the field).
const config = resolveTrainConfig('quick', {
  outDir, name: 'example', seed: 1, generations: 3, workers: 0, maxSteps: 60, episodesPerMember: 1,
  testEvery: 1, testEpisodes: 1, replayEvery: 0,
  strategy: { name: 'openai-es', popSize: 8 }, policy: { type: 'snn', rule: 'hebb', hidden: [16] },
});

// 2. Train, watching every generation through an observer of our own.
const bestByGeneration: string[] = [];
const watch: RunObserver = {
  generation: (rec) => void bestByGeneration.push(`${rec.generation}: ${rec.returnMean.toFixed(1)}`),
};
const run = await train({ config, quiet: true, log: () => {}, observers: [watch] });
console.log(`trained ${run.runDir}: ${run.status}; mean return by generation ${bestByGeneration.join(', ')}`);

// 3. Evaluate the best center (best.json) on fresh nominal episodes and on a slippery floor.
const policy = loadPolicy(run.runDir);
const pool = new RolloutPool({ threads: 0 });
try {
  const nominal = await evaluatePolicy(policy, { episodes: 2, maxSteps: 60 }, pool);
  const slippery = await evaluatePolicy(policy, { episodes: 2, maxSteps: 60, condition: { name: 'slippery', friction: 0.3 } }, pool);
  console.log(`evaluation: nominal return ${nominal.returnMean.toFixed(1)}, friction 0.3 return ${slippery.returnMean.toFixed(1)}`);

  // 4. Stress-test on a suite (here the built-in `tiny` one).
  const report = await runStress(policy, 'example', getBuiltinSuite('tiny'), { episodes: 1, seed: 7, maxSteps: 60 }, pool);
  console.log(stressMarkdown(report));
} finally {
  await pool.close();
}

// 5. The env and the policy by hand (Gymnasium's contract): reset, then act and step, under the
// solver settings the policy was trained with.
const env = new AntEnv(await loadRapier(), { maxSteps: 60, ...simWorld(simOf(policy)) });
const net = createPolicy(policy.policy, OBS_SIZE, ACT_SIZE);
net.setParams(policy.params);
net.reset();
try {
  let obs = env.reset(42);
  let total = 0;
  const normalized = new Float64Array(OBS_SIZE);
  for (;;) {
    normalizeObs(obs, policy.normalizer, normalized);
    const step = env.step(net.act(normalized));
    total += step.reward;
    obs = step.obs;
    if (step.terminated || step.truncated) break;
  }
  console.log(`by hand: return ${total.toFixed(1)} over one 60-step episode`);
} finally {
  env.close();
}
