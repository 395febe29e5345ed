/**
 * Loads Rapier's WebAssembly once per thread. Every env and worker takes the initialised
 * module from here (or as an argument) instead of initialising its own.
 */
import RAPIER_MODULE from '@dimforge/rapier3d-compat';

export type Rapier = typeof RAPIER_MODULE;

let ready: Promise<Rapier> | null = null;

export function loadRapier(): Promise<Rapier> {
  if (!ready) {
    ready = (async () => {
      // init() warns on stderr about a deprecated parameter form in some releases; silence only that call.
      const warn = console.warn;
      console.warn = () => {};
      try {
        await RAPIER_MODULE.init();
      } finally {
        console.warn = warn;
      }
      return RAPIER_MODULE;
    })();
  }
  return ready;
}
