/**
 * The stress report as its readers read it (`propamine stress --compare`, the viewer's stress
 * charts): one schema, so a report is accepted or refused, with the same message naming the
 * field, wherever it is opened. Browser-safe: no Node imports.
 */
import * as v from 'valibot';
import { got, looseRecord, numberOrNull, statistic } from '../core/schema.ts';
import type { StressReport } from './stress.ts';

const numbers = v.array(v.number(), got('must be a list of numbers'));
const aNumber = v.number(got('must be a number'));
const aString = v.string(got('must be a string'));

/** A condition's fields that readers use; the others are kept as written. An interval over one episode is NaN, written as null. */
const ConditionSchema = looseRecord({
  name: aString,
  description: aString,
  returns: numbers,
  distances: numbers,
  returnMean: aNumber,
  returnCI95: statistic(),
  distanceMean: aNumber,
  distanceCI95: statistic(),
  distanceDegradationPct: numberOrNull(),
  falls: aNumber,
  onsetStep: v.nullable(v.union([v.number(), v.tuple([v.number(), v.number()])], got('must be a step, a [from, to] pair or null'))),
  // A condition without an onset may lack these (read as null).
  onsetDistances: v.optional(v.nullable(numbers), null),
  onsetDistanceMean: v.optional(numberOrNull(), null),
  onsetDistanceCI95: v.optional(numberOrNull(), null),
});

/** A report written by `propamine stress` (format version 1). */
export const StressReportSchema = looseRecord({
  format: v.literal('propamine-stress', got('must be "propamine-stress" (write one with propamine stress)')),
  version: v.literal(1, got('must be 1, the version this build reads')),
  suite: aString,
  policy: aString,
  episodes: aNumber,
  seed: aNumber,
  maxSteps: aNumber,
  episodeSeeds: numbers,
  conditions: v.pipe(v.array(ConditionSchema, got('must be a list')), v.minLength(1, 'must not be empty')),
});

/** The report's fields as the schema checked them, typed as the writer's report. */
export function asStressReport(parsed: v.InferOutput<typeof StressReportSchema>): StressReport {
  return parsed as unknown as StressReport;
}
