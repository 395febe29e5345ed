/**
 * The one name -> strategy table. The config, the CLI and the tests all go through it, so a
 * strategy added here is trained, checkpointed and tested like the others.
 */

import { openaiES } from './openai-es.ts';
import { pgpe } from './pgpe.ts';
import { sepCmaES } from './sep-cma-es.ts';
import { snes } from './snes.ts';
import type { AnyStrategy, StrategyName } from './types.ts';

export const DEFAULT_STRATEGY: StrategyName = 'openai-es';

export const strategies: Readonly<Record<StrategyName, AnyStrategy>> = {
  'openai-es': openaiES,
  pgpe,
  snes,
  'sep-cma-es': sepCmaES,
};

export const strategyNames = Object.keys(strategies) as StrategyName[];

export function isStrategyName(name: unknown): name is StrategyName {
  return typeof name === 'string' && Object.hasOwn(strategies, name);
}

export function getStrategy(name: string): AnyStrategy {
  if (!isStrategyName(name)) {
    throw new Error(`strategy.name must be one of ${strategyNames.join(', ')} (got ${JSON.stringify(name)})`);
  }
  return strategies[name];
}
