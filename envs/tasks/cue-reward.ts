/**
 * Cue-reward association (after Backpropamine's, Miconi et al. 2019). Each sequence shows
 * `cues` fresh random +-1 cues, one after another; one of them, drawn at random, is shown
 * together with a reward input. After a delay a query shows one of the cues again (the
 * rewarded one half of the time) and the network must answer +1 if it is the rewarded cue,
 * -1 otherwise. Cues are new in every sequence, so only what changes within the sequence
 * (plastic synapses, or activity held over the delay) can solve it; chance is 0.5.
 *
 * Inputs: [cue bits (bits), reward flag, query flag]; one output, scored at the last query step.
 * Timeline: per cue `show` steps then `gap` blank steps; `delay` blank steps; `query` steps.
 */
import type { Rng } from '../../core/rng.ts';
import { distinctPatterns, showPattern, type Task, type TaskDefinition, type TaskNoise, type TaskSequence } from './task.ts';

export const cueReward: TaskDefinition = {
  name: 'cue-reward',
  summary: 'K fresh random cues, one shown with a reward; after a delay, answer whether a queried cue was the rewarded one',
  options: {
    cues: { doc: 'cues per sequence (K)', default: 4, min: 2, max: 32 },
    bits: { doc: 'bits per cue', default: 8, min: 2, max: 256 },
    show: { doc: 'input steps each cue is shown', default: 2, min: 1, max: 100 },
    gap: { doc: 'blank input steps after each cue', default: 1, min: 0, max: 100 },
    delay: { doc: 'blank input steps before the query', default: 4, min: 0, max: 1000 },
    query: { doc: 'input steps the query is shown (scored at the last)', default: 2, min: 1, max: 100 },
  },
  create(o, noise: TaskNoise): Task {
    const inputSize = o.bits + 2;
    const steps = o.cues * (o.show + o.gap) + o.delay + o.query;
    return {
      name: 'cue-reward',
      inputSize,
      outputSize: 1,
      steps,
      sample(rng: Rng): TaskSequence {
        const input = new Float32Array(steps * inputSize);
        const target = new Float32Array(steps);
        const scored = new Uint8Array(steps);
        const cues = distinctPatterns(rng, o.cues, o.bits);
        const rewarded = rng.int(o.cues);
        let t = 0;
        for (let c = 0; c < o.cues; c++) {
          for (let k = 0; k < o.show; k++, t++) {
            showPattern(input, inputSize, t, 0, cues[c], noise, rng);
            if (c === rewarded) input[t * inputSize + o.bits] = 1;
          }
          t += o.gap;
        }
        t += o.delay;
        const positive = rng.uniform() < 0.5;
        // A negative query is one of the other cues, uniformly.
        const other = (rewarded + 1 + rng.int(o.cues - 1)) % o.cues;
        const q = positive ? rewarded : other;
        for (let k = 0; k < o.query; k++, t++) {
          showPattern(input, inputSize, t, 0, cues[q], noise, rng);
          input[t * inputSize + o.bits + 1] = 1;
        }
        target[steps - 1] = positive ? 1 : -1;
        scored[steps - 1] = 1;
        return { input, target, scored };
      },
    };
  },
};
