/**
 * What a training run writes, as observers of its generations (EvoTorch's loggers): the
 * trainer emits one plain record per generation and each observer does one thing with it.
 * A run (run.ts) calls them in order, so metrics.jsonl always records a generation before
 * the checkpoint that follows it is written.
 */
import { basename } from 'node:path';
import { OBS_SIZE } from '../../envs/ant-sim.ts';
import { loadRapier } from '../../envs/rapier.ts';
import { simWorld } from '../../envs/sim-settings.ts';
import { describePolicy } from '../../policies/index.ts';
import { recordEpisode } from '../../workers/record.ts';
import { writeReplay } from '../replays.ts';
import type { TrainConfig } from './config.ts';
import { ObsNormalizer } from './normalizer.ts';
import { savePolicyFile } from './policy-file.ts';
import { ProgressPrinter } from './progress.ts';
import type { RunDir } from './run-dir.ts';
import { testEpisodes, type GenerationRecord, type Trainer } from './trainer.ts';
import { stageAt } from './stages.ts';
import { startsEnd } from './starts.ts';

/** What an observer sees of the run. */
export interface RunContext {
  readonly trainer: Trainer;
  readonly config: TrainConfig;
  readonly dir: RunDir;
  /** Every generation's record so far (those of earlier sessions of a resumed run included). */
  readonly records: readonly GenerationRecord[];
}

export interface RunObserver {
  /** After each generation, its record already in `run.records`. */
  generation?(rec: GenerationRecord, run: RunContext): void | Promise<void>;
  /** Once the loop ends: 'done' at `config.generations`, 'stopped' on a stop request. */
  end?(status: 'done' | 'stopped', run: RunContext): void | Promise<void>;
}

const isLast = (rec: GenerationRecord, run: RunContext) => rec.generation >= run.config.generations;

/** metrics.jsonl: rewritten atomically with every record. */
export const metricsObserver: RunObserver = {
  generation: (_rec, run) => run.dir.writeMetrics(run.records),
};

/** checkpoints/: every `checkpointEvery` generations, on a stop request, at the last and at the end. */
export const checkpointObserver: RunObserver = {
  generation(rec, run) {
    const t = run.trainer;
    if (rec.generation % run.config.checkpointEvery === 0 || t.stopping || isLast(rec, run)) run.dir.saveCheckpoint(t);
  },
  end: (_status, run) => run.dir.saveCheckpoint(run.trainer),
};

/** best.json: the best tested center with its observation normalizer, whenever a test finds a new best. */
export const bestObserver: RunObserver = {
  generation(rec, run) {
    const b = run.trainer.bestTest;
    if (rec.testReturn === null || !b || b.generation !== rec.generation) return;
    const { config, dir } = run;
    savePolicyFile(dir.bestPath, {
      policy: config.policy, params: b.params,
      normalizer: ObsNormalizer.fromJSON(b.normalizer, OBS_SIZE, config.obsClip).snapshot(), sim: config.sim,
      meta: { run: basename(dir.path), generation: b.generation, testReturn: b.return, world: { maxSteps: stageAt(config, b.generation).maxSteps } },
    });
  },
};

/** replays/: the center on the first test episode after the first generation, every `replayEvery`-th and the last. */
export const replayObserver: RunObserver = {
  async generation(rec, run) {
    const { config, dir, trainer } = run;
    const gen = rec.generation;
    if (!(config.replayEvery > 0 && (gen === 1 || gen % config.replayEvery === 0 || isLast(rec, run)))) return;
    const replay = recordEpisode(await loadRapier(), {
      policy: config.policy, params: trainer.center(), normalizer: trainer.normalizer.snapshot(), episode: testEpisodes(config)[0]!,
      world: { maxSteps: stageAt(config, gen).maxSteps, ...simWorld(config.sim) }, meta: { label: `center after generation ${gen}`, run: basename(dir.path), generation: gen, policy: describePolicy(config.policy) },
    });
    writeReplay(dir.replaysPath, `gen${String(gen).padStart(5, '0')}-nominal`, replay);
  },
};

/** The run directory's files, in the order they must be written. */
export const RUN_DIR_OBSERVERS: readonly RunObserver[] = [metricsObserver, checkpointObserver, bestObserver, replayObserver];

/**
 * Progress lines: one per generation (unless `quiet`); with several starts, which one continues
 * (always); then a summary of the center's tests, or how to resume a stopped run (always).
 */
export function progressObserver(total: number, log: (line: string) => void, quiet = false): RunObserver {
  const printer = new ProgressPrinter(total, log, quiet);
  return {
    generation(rec, run) {
      printer.generation(rec);
      // The last start has ended: say which one continues (starts.ts).
      const best = run.trainer.bestStart;
      if (best && rec.generation === startsEnd(run.config)) log(`start ${best.start + 1} of ${run.config.starts!.count} tested best (fitness ${best.fitness.toFixed(2)} on the test episodes): it continues from generation ${rec.generation + 1}`);
    },
    end(status, run) {
      if (status === 'stopped') log(`stopped after generation ${run.trainer.generation}; resume with: propamine train --resume ${run.dir.path}`);
      else printer.summary([...run.records], run.dir.path);
    },
  };
}
