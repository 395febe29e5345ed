/**
 * Replay files in a run directory: `replays/<name>.json` (the format of envs/replay.ts) and
 * a manifest `replays/index.json` that the viewer reads to list them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ReplayIndexSchema, type Replay, type ReplayIndex, type ReplayIndexEntry } from '../envs/replay.ts';
import { parseIn } from '../core/schema.ts';
import { atomicWriteCheckedJson, atomicWriteJson, readJsonFile } from './fsutil.ts';

export type { ReplayIndex, ReplayIndexEntry };

export function readReplayIndex(dir: string): ReplayIndex {
  const path = join(dir, 'index.json');
  if (!existsSync(path)) return { version: 1, replays: [] };
  return parseIn(ReplayIndexSchema, readJsonFile(path, 'replay index'), `replay index ${path}`);
}

/**
 * Writes a replay atomically with its digest and records it in the manifest (replacing an
 * entry of the same file). The manifest has no digest of its own: it only lists files, and
 * each replay it lists is checked when it is read.
 */
export function writeReplay(dir: string, name: string, replay: Replay): string {
  const file = `${name}.json`;
  atomicWriteCheckedJson(join(dir, file), replay);
  const index = readReplayIndex(dir);
  const entry: ReplayIndexEntry = {
    file,
    label: replay.meta.label ?? name,
    conditionText: replay.conditionText,
    episodeSeed: replay.meta.episodeSeed,
    return: replay.summary.return,
    distance: replay.summary.distance,
    steps: replay.summary.steps,
  };
  if (replay.meta.generation !== undefined) entry.generation = replay.meta.generation;
  index.replays = index.replays.filter((r) => r.file !== file);
  index.replays.push(entry);
  atomicWriteJson(join(dir, 'index.json'), index, true);
  return join(dir, file);
}
