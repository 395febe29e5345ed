/**
 * The strategy a train config names, built from the strategy registry with the config's
 * hyper-parameters and fitness shaping: the trainer runs it and a checkpoint is restored by
 * it, so reading a checkpoint needs only the config.
 */
import { createMaximizer, getStrategy, type Maximizer, type MaximizerState } from '../es/index.ts';
import type { TrainConfig } from './config.ts';

export type TrainMaximizer = Maximizer<object, MaximizerState['core']>;

export function maximizerFor(strategy: TrainConfig['strategy']): TrainMaximizer {
  const { name, shaping, ...hyper } = strategy;
  const opts = shaping === undefined ? {} : { shaping: shaping as never };
  return createMaximizer(getStrategy(name), hyper, opts) as unknown as TrainMaximizer;
}
