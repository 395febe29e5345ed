/**
 * A run directory: `config.json` (the resolved config), `metrics.jsonl` (one record per
 * generation), `checkpoints/latest.json` (everything needed to resume bit for bit) and
 * `checkpoints/previous.json` (the one before it), `best.json` (the policy with the best
 * center test return) and `replays/`. Every file is written atomically, and the JSON files
 * carry a digest of their content; a changed or inconsistent checkpoint or config is
 * reported naming the file, never used, and the previous checkpoint stays to resume from.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { atomicWriteCheckedJson, atomicWriteFile, readCheckedJson } from '../fsutil.ts';
import { validateTrainConfig, type TrainConfig } from './config.ts';
import { checkpointCenter, checkpointJson, parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import type { PolicyFile } from './policy-file.ts';
import type { Trainer } from './trainer.ts';
import { GenerationRecordSchema, type GenerationRecord } from './metrics.ts';
import * as v from 'valibot';
import { parseIn } from '../../core/schema.ts';
import { maximizerFor } from './maximizer.ts';
import { stageAt } from './stages.ts';

export { CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './checkpoint.ts';

/** The files a run writes before its first checkpoint (removed when its start fails). */
const START_FILES = ['config.json', 'metrics.jsonl', 'init.json'];

export class RunDir {
  /** The last checkpoint this process wrote or read: it becomes previous.json when the next one is written. */
  private lastCheckpoint: { generation: number; text: string } | null = null;

  constructor(readonly path: string) {}

  /** The directory a new run will use (a train run's, or a learn run's); nothing is written yet (see writeStart). */
  static forNewRun(config: { outDir: string; name: string }): RunDir {
    const dir = new RunDir(resolve(config.outDir, config.name));
    if (existsSync(dir.checkpointPath) || existsSync(dir.previousCheckpointPath)) {
      throw new Error(`run directory ${dir.path} already holds a run: continue it with --resume ${dir.path}, or pick another --name`);
    }
    return dir;
  }

  /** A new run directory with its config.json and empty metrics.jsonl written (a learn run's has no replays/). */
  static create(config: { outDir: string; name: string }, opts: { replays?: boolean } = {}): RunDir {
    const dir = RunDir.forNewRun(config);
    dir.writeStart(config, opts);
    return dir;
  }

  /** Writes a new run's config.json and empty metrics.jsonl (removeUnstarted undoes it). */
  writeStart(config: object, opts: { replays?: boolean } = {}): void {
    mkdirSync(join(this.path, 'checkpoints'), { recursive: true });
    if (opts.replays !== false) mkdirSync(join(this.path, 'replays'), { recursive: true });
    this.writeConfig(config);
    atomicWriteFile(this.metricsPath, '');
  }

  /** Writes config.json (atomically, with its digest): a new run's, or a resumed one's with its new generation count. */
  writeConfig(config: object): void {
    atomicWriteCheckedJson(this.configPath, config, true);
  }

  static open(path: string): RunDir {
    const dir = new RunDir(resolve(path));
    if (!existsSync(dir.path)) throw new Error(`run directory not found: ${dir.path}`);
    if (!existsSync(dir.configPath)) throw new Error(`${dir.path} is not a run directory (no config.json)`);
    return dir;
  }

  /** Whether `path` names a file in a run's checkpoints/ folder (by its place, not its content). */
  static isCheckpointFile(path: string): boolean {
    return basename(dirname(resolve(path))) === 'checkpoints';
  }

  /**
   * What `--resume` names: a run directory (its latest checkpoint), or one checkpoint file
   * in a run's checkpoints/ folder (previous.json, when latest.json was rejected).
   */
  static forResume(arg: string): { dir: RunDir; checkpoint: string } {
    const path = resolve(arg);
    if (existsSync(path) && !statSync(path).isDirectory()) {
      if (!RunDir.isCheckpointFile(path)) throw new Error(`--resume takes a run directory or a checkpoint in its checkpoints/ folder (got ${arg})`);
      return { dir: RunDir.open(dirname(dirname(path))), checkpoint: path };
    }
    const dir = RunDir.open(path);
    return { dir, checkpoint: dir.checkpointPath };
  }

  get checkpointPath(): string {
    return join(this.path, 'checkpoints', 'latest.json');
  }
  get previousCheckpointPath(): string {
    return join(this.path, 'checkpoints', 'previous.json');
  }
  get configPath(): string {
    return join(this.path, 'config.json');
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
    const { value } = readCheckedJson(this.configPath, 'run config', '; if the change was deliberate, delete its "digest" field to accept it');
    try {
      return validateTrainConfig(value);
    } catch (e) {
      throw new Error(`${this.configPath}: ${(e as Error).message}`);
    }
  }

  /**
   * The records, each line checked by `schema` (a train run's by default; a learn run's is
   * learn/learner.ts's). A train run's generations count from 1: files of earlier versions,
   * which counted from 0, are converted.
   */
  readMetrics(): GenerationRecord[];
  readMetrics<S extends v.GenericSchema>(schema: S): v.InferOutput<S>[];
  readMetrics(schema: v.GenericSchema = GenerationRecordSchema): unknown[] {
    if (!existsSync(this.metricsPath)) return [];
    const lines = readFileSync(this.metricsPath, 'utf8').split('\n').filter((l) => l.trim());
    const records = lines.map((l, i) => {
      let raw: unknown;
      try {
        raw = JSON.parse(l);
      } catch {
        throw new Error(`${this.metricsPath} line ${i + 1} is corrupt`);
      }
      return parseIn(schema, raw, `${this.metricsPath} line ${i + 1}`);
    });
    const generations = records as { generation?: number }[];
    if (generations[0]?.generation === 0) for (const r of generations) r.generation! += 1;
    return records;
  }

  /** Rewrites metrics.jsonl atomically with the given records (cheap: one short line per generation). */
  writeMetrics(records: readonly object[]): void {
    atomicWriteFile(this.metricsPath, records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : ''));
  }

  /**
   * Writes the trainer's checkpoint as latest.json, after keeping the one it replaces as
   * previous.json (from memory, as this process wrote or read it, so a file changed on disk
   * is never carried forward). A generation already saved is not saved again.
   */
  saveCheckpoint(t: Trainer): void {
    if (this.lastCheckpoint?.generation === t.generation) return;
    if (this.lastCheckpoint) atomicWriteFile(this.previousCheckpointPath, this.lastCheckpoint.text);
    const text = atomicWriteCheckedJson(this.checkpointPath, checkpointJson(t));
    this.lastCheckpoint = { generation: t.generation, text };
  }

  hasCheckpoint(): boolean {
    return existsSync(this.checkpointPath);
  }

  /**
   * Reads and checks a checkpoint (the latest unless `path` names another): its digest,
   * its content and its agreement with metrics.jsonl. When the latest is rejected, the error
   * says whether previous.json is intact and how to continue from it. The strategy state is
   * checked by the strategy the config names.
   */
  loadCheckpoint(config: TrainConfig, path = this.checkpointPath): Checkpoint {
    const restore = (json: unknown, generation: number) => maximizerFor(stageAt(config, generation).strategy).restore(json);
    try {
      const { value, text } = readCheckedJson(path, 'checkpoint');
      let cp: Checkpoint;
      try {
        cp = parseCheckpoint(value, { config, restore, metrics: this.readMetrics(), metricsPath: this.metricsPath });
      } catch (e) {
        throw new Error(`checkpoint ${path} is corrupt: ${(e as Error).message}`);
      }
      this.lastCheckpoint = { generation: cp.generation, text };
      return cp;
    } catch (e) {
      if (path === this.checkpointPath && e instanceof Error) e.message += this.previousHint(config);
      throw e;
    }
  }

  /** The center of the latest checkpoint as a policy, with the observation normalizer it was trained with. */
  loadCenterPolicy(): PolicyFile {
    const config = this.readConfig();
    const cp = this.loadCheckpoint(config);
    return {
      policy: config.policy, params: Float64Array.from(checkpointCenter(cp, config)), normalizer: cp.normalizer.snapshot(), sim: config.sim,
      meta: { run: this.path, generation: cp.generation, world: { maxSteps: stageAt(config, cp.generation).maxSteps } },
    };
  }

  /** Where a run whose latest checkpoint was rejected can continue from, as the end of the error message. */
  private previousHint(config: TrainConfig): string {
    const prev = this.previousCheckpointPath;
    if (!existsSync(prev)) return '';
    try {
      const g = new RunDir(this.path).loadCheckpoint(config, prev).generation;
      return `; the previous checkpoint (after generation ${g}) is intact: continue from it with propamine train --resume ${prev}`;
    } catch {
      return `; the previous checkpoint ${prev} is not intact either`;
    }
  }

  /** Moves latest.json aside (to latest.rejected.json) when a run continues from another checkpoint; returns where it went. */
  setAsideLatest(): string | null {
    if (!existsSync(this.checkpointPath)) return null;
    const to = join(this.path, 'checkpoints', 'latest.rejected.json');
    renameSync(this.checkpointPath, to);
    return to;
  }

  /**
   * Removes what a new run wrote before its first checkpoint (config.json, an empty
   * metrics.jsonl, init.json, empty folders), so a start that failed leaves nothing behind.
   * Anything else in the directory is left alone.
   */
  removeUnstarted(): void {
    if (existsSync(this.checkpointPath) || existsSync(this.previousCheckpointPath)) return;
    for (const f of START_FILES) if (existsSync(join(this.path, f))) unlinkSync(join(this.path, f));
    for (const d of [join(this.path, 'checkpoints'), join(this.path, 'replays'), this.path]) {
      if (existsSync(d) && readdirSync(d).length === 0) rmdirSync(d);
    }
  }
}
