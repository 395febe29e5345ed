/**
 * The strategies' hyper-parameter schemas. A strategy declares its parameters once, each a
 * check with its default (`strategyParams`), which gives its parameter type, its defaults and
 * `resolveParams`; the registry builds the config's `strategy` schema from the same entries.
 * Every error names the field as the config file spells it (`strategy.sigma must be > 0 (got
 * -1)`), so a user can find the line to fix.
 */
import * as v from 'valibot';
import { isPlainObject, parseWith } from '../../core/schema.ts';

type Issue = v.BaseIssue<unknown>;

/** A number the message shows as itself, anything else by its kind (`an array`, `object`). */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

const said = (text: string) => (issue: Issue) => `${text} (got ${describe(issue.input)})`;
const finiteMessage = said('must be a finite number');

/** A finite number, then the checks that follow. */
function finiteNumber(...checks: v.PipeItem<number, number, Issue>[]) {
  return v.pipe(v.number(finiteMessage), v.finite(finiteMessage), ...checks);
}

export const positive = () => finiteNumber(v.gtValue(0, said('must be > 0')));

export const nonNegative = () => finiteNumber(v.minValue(0, said('must be >= 0')));

/** lo <= v < hi, or lo <= v <= hi when `closed`. */
export function inRange(lo: number, hi: number, closed = false) {
  const m = said(`must be in [${lo}, ${hi}${closed ? ']' : ')'}`);
  return finiteNumber(v.minValue(lo, m), closed ? v.maxValue(hi, m) : v.ltValue(hi, m));
}

/** lo < v <= hi. */
export function inHalfOpenAbove(lo: number, hi: number) {
  const m = said(`must be in (${lo}, ${hi}]`);
  return finiteNumber(v.gtValue(lo, m), v.maxValue(hi, m));
}

export function integerAtLeast(min: number) {
  const m = said(`must be an integer >= ${min}`);
  return finiteNumber(v.integer(m), v.minValue(min, m));
}

/** Population sizes of mirrored strategies hold whole (+z, -z) pairs. */
export function evenPopSize() {
  return v.pipe(integerAtLeast(2), v.check((n) => n % 2 === 0, said('must be even for mirrored sampling')));
}

/** 'auto' (a dimension-dependent default), or a number checked by `number`. */
function autoOr<S extends v.GenericSchema<unknown, number>>(number: S, what: string) {
  const auto = v.literal('auto', said(`must be "auto" or ${what}`));
  return v.lazy((x) => (typeof x === 'number' ? number : auto));
}

export const autoOrInteger = (min: number) => autoOr(integerAtLeast(min), `an integer >= ${min}`);

export const autoOrPositive = () => autoOr(positive(), 'a number > 0');

/** A strategy's parameters: each a check with its default. */
export type ParamEntries = Record<string, v.OptionalSchema<v.GenericSchema, unknown>>;

/** The message for a field a strategy does not have. */
export const notAParameter = (strategyName: string, entries: ParamEntries) => `is not a parameter of ${strategyName} (known: ${Object.keys(entries).join(', ')})`;

/**
 * A strategy's parameter schema, its defaults and `resolveParams`: `input` over the
 * defaults (a field left out or undefined keeps its default), each checked.
 */
export function strategyParams<const E extends ParamEntries>(strategyName: string, entries: E) {
  const schema = v.pipe(
    v.custom<unknown>(isPlainObject, said('parameters must be an object')),
    v.strictObject(entries, (issue) => (issue.expected === 'never' ? notAParameter(strategyName, entries) : said('parameters must be an object')(issue))),
  );
  type P = v.InferOutput<typeof schema>;
  const resolveParams = (input?: object | null): P => parseWith(schema, input ?? {}, 'strategy');
  return { paramEntries: entries, defaults: Object.freeze(resolveParams()) as Readonly<P>, resolveParams };
}
