/**
 * propamine as a library: everything the CLI does, callable from a researcher's own code.
 * README's "Using it as a library" and examples/train-evaluate-stress.ts show it at work.
 *
 *  - train: `resolveTrainConfig` -> `train` (or `TrainingRun` to hold the run, `RunObserver`s
 *    to see every generation), the run directory and its files;
 *  - evaluate and stress: `loadPolicy` (a policy file or a run directory), `evaluatePolicy`,
 *    `runStress` on a `RolloutBackend` (`RolloutPool` here, `RedisBackend` across machines);
 *  - the env: `AntEnv` (Gymnasium's contract) and `AntWorld` (many ants in one world), conditions
 *    and suites, replays;
 *  - the policies: `createPolicy`, `initParams`, the plastic SNN and the MLP;
 *  - learn: `learnSession` (gradient training on the temporal tasks), `scoreGenome`;
 *  - the ES core: strategies over plain state, and the seeded generator.
 */

// Training
export { train, TrainingRun, type TrainOptions, type TrainOutcome, type BackendChoice } from './train/run.ts';
export { RUN_DIR_OBSERVERS, metricsObserver, checkpointObserver, bestObserver, replayObserver, progressObserver, type RunObserver, type RunContext } from './train/observers.ts';
export { resolveTrainConfig, resolveSavedRunConfig, validateTrainConfig, PRESETS, type TrainConfig, type PresetName, type StrategyConfig } from './train/config.ts';
export { Trainer, testEpisodes, generationEpisodes, type GenerationRecord } from './train/trainer.ts';
export { stageAt } from './train/stages.ts';
export { RunDir } from './train/run-dir.ts';
export { checkpointCenter, type Checkpoint } from './train/checkpoint.ts';
export { loadPolicyFile, savePolicyFile, simOf, type PolicyFile } from './train/policy-file.ts';
export { ObsNormalizer } from './train/normalizer.ts';

// Evaluating and stress-testing a trained policy
export { loadPolicy, type LoadedPolicy } from './policy-source.ts';
export { evaluatePolicy, type EvaluateOptions, type EvaluationReport } from './evaluate.ts';
export { runStress, stressMarkdown, stressSeeds, collapsed, stopped, type StressOptions, type StressReport, type ConditionResult } from './stress.ts';
export { readStressReport, compareStress, comparisonMarkdown, type LabelledReport, type StressComparison, type ComparedPolicy, type ComparedCondition, type ComparedCell } from './stress-compare.ts';
export { loadSuite } from './suites.ts';
export { RolloutPool, threadsFor, type RolloutBackend } from '../workers/pool.ts';
export { RedisBackend } from '../workers/redis.ts';
export type { RolloutTask, RolloutResult } from '../workers/types.ts';
export { recordEpisode } from '../workers/record.ts';
export { runRolloutTask, normalizeObs } from '../workers/rollout.ts';
export { writeReplay, readReplayIndex } from './replays.ts';

// The env
export { loadRapier, type Rapier } from '../envs/rapier.ts';
export { AntEnv, observationSpace, actionSpace, OBSERVATION_NAMES, type StepResult, type StepInfo, type BoxSpace } from '../envs/ant-env.ts';
export { AntWorld, DEFAULT_WORLD, type AntWorldConfig, type EpisodeSpec } from '../envs/ant-world.ts';
export { DEFAULT_SIM, LEGACY_SIM, simWorld, type SimSettings } from '../envs/sim-settings.ts';
export { OBS_SIZE, ACT_SIZE } from '../envs/ant-sim.ts';
export { NOMINAL, validateCondition, describeCondition, type Condition } from '../envs/conditions.ts';
export { BUILTIN_SUITES, getBuiltinSuite, validateSuite, type Suite } from '../envs/suites.ts';
export type { Replay } from '../envs/replay.ts';

// The policies
export {
  createPolicy, initParams, validatePolicyConfig, describePolicy, defaultPolicyConfig, policyLayout, layoutSize,
  SnnPolicy, MlpPolicy, RULE_NAMES, MODULATION_NAMES,
  type Policy, type PolicyConfig, type PolicyConfigInput, type SnnPolicyConfig, type MlpPolicyConfig, type RuleName, type ModulationName,
  type PolicyOptions, type KernelName,
} from '../policies/index.ts';

// The gradient route
export { learnSession, type LearnSessionOptions, type LearnOutcome } from './learn/session.ts';
export { resolveLearnConfig, validateLearnConfig, type LearnConfig } from './learn/config.ts';
export { loadTrainedGenome, scoreGenome, describeScore, type TrainedGenome, type GenomeScore } from './learn/evaluate.ts';
export { createTask, TASKS, type Task, type TaskConfig, type TaskSequence } from '../envs/tasks/index.ts';

// The ES core and the seeded generator
export { strategies, strategyNames, getStrategy, createMaximizer, type Strategy, type Maximizer, type MaximizerState, type Population } from './es/index.ts';
export { Rng, mixSeed, type RandomSource } from '../core/rng.ts';
