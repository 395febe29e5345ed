/**
 * A train run's metrics.jsonl line: one record per generation, as the trainer emits it and the
 * run directory, the resume and the viewer read it. One schema gives the record's type and the
 * readers' checks (`metrics.jsonl line 3: returnMean must be a number or null (got "x")`).
 * Plain data with no Node imports: the viewer bundles it.
 *
 * A statistic that came out NaN is written by JSON as null and read back as NaN. Lines written
 * before a field existed lack it (testFitness, limitWorst, limitPast5Fraction: optional), and
 * lines of versions that counted generations from 0 are converted by the run directory.
 */
import * as v from 'valibot';
import { got, numberOrNull, record, statistic, wholeIn } from '../../core/schema.ts';

const stat = statistic();
const maybe = numberOrNull();

/** One record per generation (the line written to metrics.jsonl): its fields. */
const FIELDS = {
  /** The generation this record reports, from 1. */
  generation: wholeIn(0),
  returnMean: stat,
  returnMax: stat,
  returnMin: stat,
  returnStd: stat,
  /** Mean forward distance of the members' episodes (m). */
  distanceMean: stat,
  /** The center's mean return and forward distance on the nominal test seeds, when tested. */
  testReturn: maybe,
  testDistance: maybe,
  /** The center's test fitness (return minus the per-step shift), when tested. */
  testFitness: v.optional(maybe),
  /** Test return of the best center so far (best by test fitness). */
  bestTestReturn: maybe,
  /** Control steps this generation, and since the start of the run. */
  steps: wholeIn(0),
  totalSteps: wholeIn(0),
  /** Seconds since the start of the run (summed over resumed sessions). */
  wallTime: stat,
  /** Control steps per second this generation (rollouts and everything else). */
  stepsPerSec: stat,
  /** Share of this generation's wall time spent outside rollouts (ask, tell, merging, logging). */
  overheadFraction: stat,
  /** Worst joint-limit violation of any member this generation (degrees), and the share of joint-steps past 5°. */
  limitWorst: v.optional(stat),
  limitPast5Fraction: v.optional(stat),
  /** With several starts (config.starts), the start this generation belongs to, from 1; absent after the starts. */
  start: v.optional(wholeIn(1)),
  /** Strategy figures (sigma, lr, gradient norm, ...). */
  strategy: v.record(v.string(), stat, got('must be an object of numbers')),
};

/** One record per generation (the line written to metrics.jsonl); other fields are dropped. */
export const GenerationRecordSchema = record(FIELDS, got('must be an object'));

export type GenerationRecord = v.InferOutput<typeof GenerationRecordSchema>;

/**
 * What the viewer charts of a line, each field checked by the record's own schema: the
 * generation and the mean return, which every line has, and the other charted fields when they
 * are there (a missing one charts as a gap: NaN, or null for a test).
 */
export const ChartedRecordSchema = record({
  generation: FIELDS.generation,
  returnMean: FIELDS.returnMean,
  returnMax: v.optional(stat, null),
  returnMin: v.optional(stat),
  testReturn: v.optional(maybe, null),
  testDistance: v.optional(maybe, null),
  totalSteps: v.optional(FIELDS.totalSteps),
  /** Seconds since the run started, at the end of this generation. */
  wallTime: v.optional(stat),
}, got('must be an object'));

export type ChartedRecord = v.InferOutput<typeof ChartedRecordSchema>;
