/**
 * Fault injection for tests: a task marked with a fault throws, or exits its worker thread,
 * on its first `times` attempts when run by a pool whose worker entry is FAULTY_WORKER.
 */
import { fileURLToPath } from 'node:url';
import type { RolloutTask } from '../../workers/types.ts';

export interface Fault {
  kind: 'throw' | 'exit';
  times: number;
  key: string;
}

export const FAULTY_WORKER = fileURLToPath(new URL('./faulty-worker.mjs', import.meta.url));

export function withFault(task: RolloutTask, fault: Fault): RolloutTask {
  return { ...task, fault } as RolloutTask;
}
