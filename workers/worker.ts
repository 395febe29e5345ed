/**
 * The piscina worker entry: initialises Rapier once per thread, then runs rollout tasks.
 */
import { loadRapier } from '../envs/rapier.ts';
import { runRolloutTask } from './rollout.ts';
import type { RolloutResult, RolloutTask } from './types.ts';

const R = await loadRapier();

export default function rolloutWorker(task: RolloutTask): RolloutResult {
  return runRolloutTask(R, task);
}
