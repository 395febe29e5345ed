/**
 * A run directory: `config.json` (the resolved config), `metrics.jsonl` (one record per
 * generation), `checkpoints/latest.json` (everything needed to resume bit for bit),
 * `best.json` (the policy with the best center test return) and `replays/`. Every file is
 * written atomically; a corrupt checkpoint is reported, never used.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { atomicWriteFile, atomicWriteJson, readJsonFile } from '../fsutil.ts';
import { deserializeState, serializeState } from '../es/index.ts';
import { OBS_SIZE } from '../../envs/ant-sim.ts';
import { validateTrainConfig, type TrainConfig } from './config.ts';
import { ObsNormalizer } from './normalizer.ts';
import type { GenerationRecord, Trainer, TrainerSnapshot } from './trainer.ts';
import type { MaximizerState } from '../es/index.ts';

export const CHECKPOINT_FORMAT = 'propamine-checkpoint';

export class RunDir {
  constructor(readonly path: string) {}

  /** A new run directory for a config with `outDir` and `name` (a train run's, or a learn run's without replays). */
  static create(config: { outDir: string; name: string }, opts: { replays?: boolean } = {}): RunDir {
    const dir = new RunDir(resolve(config.outDir, config.name));
    if (existsSync(dir.checkpointPath)) {
      throw new Error(`run directory ${dir.path} already holds a run: continue it with --resume ${dir.path}, or pick another --name`);
    }
    mkdirSync(join(dir.path, 'checkpoints'), { recursive: true });
    if (opts.replays !== false) mkdirSync(join(dir.path, 'replays'), { recursive: true });
    atomicWriteJson(join(dir.path, 'config.json'), config, true);
    atomicWriteFile(dir.metricsPath, '');
    return dir;
  }

  static open(path: string): RunDir {
    const dir = new RunDir(resolve(path));
    if (!existsSync(dir.path)) throw new Error(`run directory not found: ${dir.path}`);
    if (!existsSync(join(dir.path, 'config.json'))) throw new Error(`${dir.path} is not a run directory (no config.json)`);
    return dir;
  }

  get checkpointPath(): string {
    return join(this.path, 'checkpoints', 'latest.json');
  }
  get metricsPath(): string {
    return join(this.path, 'metrics.jsonl');
  }
  get bestPath(): string {
    return join(this.path, 'best.json');
  }
  get replaysPath(): string {
    return join(this.path, 'replays');
  }

  readConfig(): TrainConfig {
    const raw = readJsonFile(join(this.path, 'config.json'), 'run config');
    try {
      return validateTrainConfig(raw);
    } catch (e) {
      throw new Error(`${join(this.path, 'config.json')}: ${(e as Error).message}`);
    }
  }

  readMetrics<R = GenerationRecord>(): R[] {
    if (!existsSync(this.metricsPath)) return [];
    const lines = readFileSync(this.metricsPath, 'utf8').split('\n').filter((l) => l.trim());
    return lines.map((l, i) => {
      try {
        return JSON.parse(l) as R;
      } catch {
        throw new Error(`${this.metricsPath} line ${i + 1} is corrupt`);
      }
    });
  }

  /** Rewrites metrics.jsonl atomically with the given records (cheap: one short line per generation). */
  writeMetrics(records: readonly object[]): void {
    atomicWriteFile(this.metricsPath, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
  }

  saveCheckpoint(t: Trainer): void {
    const s = t.snapshot();
    atomicWriteJson(this.checkpointPath, {
      format: CHECKPOINT_FORMAT,
      version: 1,
      runId: t.runId,
      nextGeneration: s.nextGeneration,
      totalSteps: s.totalSteps,
      wallTime: s.wallTime,
      maximizer: t.maximizer.serialize(s.maximizer),
      normalizer: s.normalizer.toJSON(),
      bestTest: s.bestTest ? { ...s.bestTest, params: serializeState(s.bestTest.params) } : null,
    });
  }

  hasCheckpoint(): boolean {
    return existsSync(this.checkpointPath);
  }

  /** Reads and checks the checkpoint; `restore` is the strategy's own state check. */
  loadCheckpoint(config: TrainConfig, restore: (json: unknown) => MaximizerState): TrainerSnapshot & { runId: string } {
    const path = this.checkpointPath;
    const raw = readJsonFile(path, 'checkpoint') as Record<string, unknown>;
    const bad = (msg: string): never => {
      throw new Error(`checkpoint ${path} is corrupt: ${msg}`);
    };
    if (raw?.format !== CHECKPOINT_FORMAT || raw.version !== 1) bad(`unknown format ${JSON.stringify(raw?.format)} version ${JSON.stringify(raw?.version)}`);
    if (!Number.isInteger(raw.nextGeneration) || (raw.nextGeneration as number) < 0) bad('nextGeneration must be a whole number');
    if (typeof raw.runId !== 'string') bad('runId is missing');
    let maximizer: MaximizerState;
    let normalizer: ObsNormalizer;
    let bestTest: TrainerSnapshot['bestTest'] = null;
    try {
      maximizer = restore(raw.maximizer);
      normalizer = ObsNormalizer.fromJSON(raw.normalizer, OBS_SIZE, config.obsClip);
      if (raw.bestTest) {
        const b = raw.bestTest as Record<string, unknown>;
        const params = deserializeState(b.params) as Float64Array;
        if (!(params instanceof Float64Array)) throw new Error('bestTest.params must be a Float64Array');
        bestTest = { return: b.return as number, fitness: Number(b.fitness), generation: b.generation as number, params, normalizer: b.normalizer as never };
      }
    } catch (e) {
      return bad((e as Error).message);
    }
    return {
      runId: raw.runId as string,
      nextGeneration: raw.nextGeneration as number,
      maximizer,
      normalizer,
      bestTest,
      totalSteps: Number(raw.totalSteps) || 0,
      wallTime: Number(raw.wallTime) || 0,
    };
  }
}
