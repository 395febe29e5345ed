/**
 * Ctrl-C (and SIGTERM) for a training loop: the first asks it to stop after the current step
 * (generation or iteration) and write a checkpoint; a second exits at once, the previous
 * checkpoint being intact. `beforeQuit` may clean up on that second interrupt and return the
 * line to print (a run with no checkpoint yet removes what it wrote). Returns the function
 * that removes the handlers.
 */
export function onInterrupt(
  loop: { readonly stopping: boolean; requestStop(): void },
  step: string,
  log: (line: string) => void,
  beforeQuit: () => string | null = () => null,
): () => void {
  const handler = () => {
    if (loop.stopping) {
      log(`second interrupt: exiting now (${beforeQuit() ?? 'the last checkpoint is intact'})`);
      process.exit(130);
    }
    log(`interrupt: finishing this ${step}, then writing a checkpoint (Ctrl-C again to quit at once)`);
    loop.requestStop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
