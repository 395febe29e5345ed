/**
 * Training stages (`config.stages`): from a given generation on, longer episodes or other
 * strategy parameters, with the strategy restarted around the center at that generation.
 *
 * Why: a gait found on short episodes is cheap to find and keeps improving when the search
 * then ranks it over episodes as long as the evaluation's (docs/snn-learning.md, the
 * 1000-step continuation: 2.28 → 2.46 m/s, where the same budget of short episodes gave
 * 2.34). A stage writes that in one config instead of a second run started from the first.
 *
 * A stage changes what it names and keeps the rest, so stages add up: the settings of
 * generation g are the config's, overridden by every stage whose `from` is at most g, in
 * order. The restart is the one `plasticFrom` makes (plastic-from.ts): a fresh strategy state
 * around the center, seeded from the run's seed and the generation, so a run stays the same
 * whatever the number of workers, and a resumed run continues bit for bit.
 */
import type { TrainConfig } from './config.ts';
import { staticStagePolicy } from './plastic-from.ts';
import { startsEnd, strategyGenerationsOfStarts } from './starts.ts';

type StagedFields = Pick<TrainConfig, 'maxSteps' | 'strategy' | 'stages'>;

/** The episode length and strategy of generation `gen` (from 1). */
export function stageAt(config: StagedFields, gen: number): { maxSteps: number; strategy: TrainConfig['strategy'] } {
  let maxSteps = config.maxSteps;
  let strategy = config.strategy;
  for (const s of config.stages) {
    if (s.from > gen) break;
    if (s.maxSteps !== undefined) maxSteps = s.maxSteps;
    if (s.strategy !== undefined) strategy = { ...strategy, ...s.strategy } as TrainConfig['strategy'];
  }
  return { maxSteps, strategy };
}

type RestartFields = Pick<TrainConfig, 'policy' | 'plasticFrom' | 'init' | 'stages'>;

/** How many stages have started by generation `gen` (0: the config's own settings). */
export function stageIndex(config: Pick<TrainConfig, 'stages'>, gen: number): number {
  return config.stages.filter((s) => s.from <= gen).length;
}

/** The generations at which the strategy restarts around the center: where a stage starts, or plasticity does. */
function restartGenerations(config: RestartFields): number[] {
  const starts = config.stages.map((s) => s.from);
  if (staticStagePolicy(config)) starts.push(config.plasticFrom);
  return starts;
}

/** Whether the strategy restarts around the center as generation `gen` starts. */
export function restartsAt(config: RestartFields, gen: number): boolean {
  return restartGenerations(config).includes(gen);
}

/** The last generation, at most `gen`, at which the strategy restarted (1 when it never did). */
export function lastRestart(config: RestartFields, gen: number): number {
  return Math.max(1, ...restartGenerations(config).filter((g) => g <= gen));
}

/** The strategy's own generation count once `generationsDone` are done: it restarts with each stage, and with each of several starts. */
export function strategyGenerations(config: RestartFields & Pick<TrainConfig, 'starts'>, generationsDone: number): number {
  if (generationsDone === 0) return 0;
  const last = lastRestart(config, generationsDone);
  // Within the starts, or after them with no stage restarted since: the starts decide (starts.ts).
  if (config.starts && last <= startsEnd(config)) return strategyGenerationsOfStarts(config.starts, generationsDone);
  return generationsDone - (last - 1);
}

/** The strategy of every stage up to generation `generations`, the first's included (for sizing the rollout backend). */
export function stageStrategies(config: StagedFields, generations: number): TrainConfig['strategy'][] {
  return [1, ...config.stages.map((s) => s.from).filter((g) => g <= generations)].map((g) => stageAt(config, g).strategy);
}

/** `from generation 1601: 1000-step episodes; from generation 1801: popSize 64, sigma 0.04` (each stage's changes). */
export function describeStages(config: Pick<TrainConfig, 'stages'>): string {
  return config.stages.map((s) => {
    const what = [
      ...(s.maxSteps !== undefined ? [`${s.maxSteps}-step episodes`] : []),
      ...Object.entries(s.strategy ?? {}).map(([k, v]) => `${k} ${String(v)}`),
    ];
    return `from generation ${s.from}: ${what.length ? what.join(', ') : 'a strategy restart'}`;
  }).join('; ');
}
