// A rollout worker entry for tests: the production worker (workers/worker.ts), wrapped to
// throw or to exit its thread on the first attempts at a task that carries a `fault`
// (test/helpers/faults.ts), so the pool's retries can be tested.
import { register } from 'tsx/esm/api';

register();
const { default: rolloutWorker } = await import('../../workers/worker.ts');

export default function faultyWorker(task) {
  const fault = task.fault;
  if (fault && (task.attempt ?? 0) < fault.times) {
    if (fault.kind === 'exit') process.exit(3);
    throw new Error(`injected fault (${fault.key})`);
  }
  return rolloutWorker(task);
}
