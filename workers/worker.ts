/**
 * The piscina worker entry: initialises Rapier once per thread, then runs rollout tasks.
 */
import { loadRapier } from '../envs/rapier.ts';
import { runRolloutTask } from './rollout.ts';
import type { RolloutResult, RolloutTask } from './types.ts';

const R = await loadRapier();

export default function rolloutWorker(task: RolloutTask & { attempt?: number }): RolloutResult {
  if (task.fault && (task.attempt ?? 0) < task.fault.times) {
    if (task.fault.kind === 'exit') process.exit(3);
    throw new Error(`injected fault (${task.fault.key})`);
  }
  return runRolloutTask(R, task);
}
