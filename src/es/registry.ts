/**
 * The one name -> strategy table. The config, the CLI and the tests all go through it, so a
 * strategy added here is trained, checkpointed and tested like the others.
 */

import * as v from 'valibot';
import { got, isUnknownField, oneOf, plainObject } from '../../core/schema.ts';
import { notAParameter } from './params.ts';
import { shapingNames, type ShapingName } from './shaping.ts';
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

/**
 * A run config's `strategy`: a registered strategy's name, optionally the fitness shaping, and
 * the parameters the config sets, each checked by the strategy's own schema. It is kept as
 * given, the defaults left out: they are filled in when the strategy is created.
 */
export const StrategyConfigSchema = v.pipe(
  plainObject('must be an object with a name'),
  v.variant('name', strategyNames.map((name) => {
    const entries = strategies[name].paramEntries;
    const given = Object.fromEntries(Object.entries(entries).map(([k, withDefault]) => [k, v.optional(withDefault.wrapped)]));
    return v.strictObject(
      { name: v.literal(name), shaping: v.optional(oneOf(shapingNames)), ...given },
      (issue) => (isUnknownField(issue) ? notAParameter(name, entries) : 'must be an object with a name'),
    );
  }), got(`must be one of ${strategyNames.join(', ')}`)),
  // The parameters' types are each strategy's own; the config sees them as values.
  v.transform((s) => s as StrategyConfig),
);

export type StrategyConfig = { name: StrategyName; shaping?: ShapingName; [param: string]: unknown };
