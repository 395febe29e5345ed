/**
 * One-shot associative recall of pattern pairs. Each sequence shows `pairs` fresh random
 * pairs (a key of `keyBits` +-1 bits and a value of `valueBits` +-1 bits, shown together),
 * once each; after a delay a query shows one key alone and the network must output its
 * value, bit by bit. Every pair is seen once and is new in every sequence, so the
 * association must be stored within the sequence (Hebbian hetero-association does it in one
 * shot); chance is 0.5 per bit.
 *
 * Inputs: [key bits, value bits, query flag]; outputs: the value bits, scored at the last query step.
 * Timeline: per pair `show` steps then `gap` blank steps; `delay` blank steps; `query` steps.
 */
import type { Rng } from '../../core/rng.ts';
import { distinctPatterns, randomPattern, showPattern, type Task, type TaskDefinition, type TaskNoise, type TaskSequence } from './task.ts';

export const pairRecall: TaskDefinition = {
  name: 'pair-recall',
  summary: 'K fresh key-value pattern pairs seen once; after a delay, recall the value of a queried key',
  options: {
    pairs: { doc: 'pairs per sequence (K)', default: 3, min: 1, max: 32 },
    keyBits: { doc: 'bits per key', default: 8, min: 2, max: 256 },
    valueBits: { doc: 'bits per value (the outputs)', default: 4, min: 1, max: 64 },
    show: { doc: 'input steps each pair is shown', default: 2, min: 1, max: 100 },
    gap: { doc: 'blank input steps after each pair', default: 1, min: 0, max: 100 },
    delay: { doc: 'blank input steps before the query', default: 4, min: 0, max: 1000 },
    query: { doc: 'input steps the query key is shown (scored at the last)', default: 2, min: 1, max: 100 },
  },
  create(o, noise: TaskNoise): Task {
    const inputSize = o.keyBits + o.valueBits + 1;
    const steps = o.pairs * (o.show + o.gap) + o.delay + o.query;
    const nOut = o.valueBits;
    return {
      name: 'pair-recall',
      inputSize,
      outputSize: nOut,
      steps,
      sample(rng: Rng): TaskSequence {
        const input = new Float32Array(steps * inputSize);
        const target = new Float32Array(steps * nOut);
        const scored = new Uint8Array(steps);
        const keys = distinctPatterns(rng, o.pairs, o.keyBits);
        const values = keys.map(() => randomPattern(rng, o.valueBits));
        let t = 0;
        for (let p = 0; p < o.pairs; p++) {
          for (let k = 0; k < o.show; k++, t++) {
            showPattern(input, inputSize, t, 0, keys[p], noise, rng);
            showPattern(input, inputSize, t, o.keyBits, values[p], noise, rng);
          }
          t += o.gap;
        }
        t += o.delay;
        const q = rng.int(o.pairs);
        for (let k = 0; k < o.query; k++, t++) {
          showPattern(input, inputSize, t, 0, keys[q], noise, rng);
          input[t * inputSize + inputSize - 1] = 1;
        }
        target.set(values[q], (steps - 1) * nOut);
        scored[steps - 1] = 1;
        return { input, target, scored };
      },
    };
  },
};
