/**
 * What the data formats' valibot schemas share. A schema's messages say what is wrong with a
 * value (`must be a positive integer (got -3)`); `parseWith` says where, from the path of the
 * rejected value (`policy.hidden[0] must be a positive integer (got -3)`). So one schema serves
 * wherever its format is nested: a policy alone (`policy.rule ...`) or in a run's config
 * (`config.policy.rule ...`), a condition alone or in a suite file (`suite.json.conditions[2]...`).
 */
import * as v from 'valibot';
import { shown } from './shown.ts';

export { shown };

type Issue = v.BaseIssue<unknown>;

/** A message that ends with the rejected value: `must be one of a, b (got "c")`. */
export function got(text: string): (issue: Issue) => string {
  return (issue) => `${text} (got ${shown(issue.input)})`;
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** `[lo, hi]`, `(lo, hi)` and the like, with an unbounded end as `inf`. */
export function interval(lo: number, hi: number, loOpen = false, hiOpen = false): string {
  return `${loOpen ? '(' : '['}${lo}, ${hi === Infinity ? 'inf' : hi}${hiOpen ? ')' : ']'}`;
}

/** A finite number in an interval (open ends exclude the bound): `must be a number in (0, 1) (got 1.5)`. */
export function numberIn(lo: number, hi: number, opts: { loOpen?: boolean; hiOpen?: boolean } = {}) {
  const m = got(`must be a number in ${interval(lo, hi, opts.loOpen, opts.hiOpen)}`);
  return v.pipe(
    v.number(m), v.finite(m),
    opts.loOpen ? v.gtValue(lo, m) : v.minValue(lo, m),
    opts.hiOpen ? v.ltValue(hi, m) : v.maxValue(hi, m),
  );
}

/** A whole number in [min, max]: `must be a whole number in [0, 4294967295] (got -1)`. */
export function wholeIn(min: number, max = Number.MAX_SAFE_INTEGER) {
  const m = got(`must be a whole number in [${min}, ${max}]`);
  return v.pipe(v.number(m), v.integer(m), v.minValue(min, m), v.maxValue(max, m));
}

const ABOVE = { any: '', nonNegative: ' >= 0', positive: ' above 0' } as const;

/** A finite number, with a bound at least 0 or above 0: `must be a finite number above 0 (got 0)`. */
export function finiteNumber(bound: keyof typeof ABOVE = 'any') {
  const m = got(`must be a finite number${ABOVE[bound]}`);
  return v.pipe(v.number(m), v.finite(m), v.check((x) => (bound === 'any' ? true : bound === 'positive' ? x > 0 : x >= 0), m));
}

/**
 * A list of `length` entries, each checked by `item`: a list of another length is reported
 * whole first (`must be 27 numbers (got 26)`, `what` naming the entries), then the first bad
 * entry by its index (`[3] must be a finite number (got null)`).
 */
export function listOf<S extends v.GenericSchema>(length: number, item: S, what = `${length} numbers`) {
  const m = (issue: Issue) => `must be ${what} (got ${Array.isArray(issue.input) ? issue.input.length : shown(issue.input)})`;
  return v.pipe(v.array(v.unknown(), m), v.length(length, m), v.array(item));
}

/** A number, or null where there is none (a generation without a test): `must be a number or null`. */
export function numberOrNull() {
  return v.nullable(v.number(got('must be a number or null')));
}

/** A statistic as a JSON file holds it: a number, or null for a NaN (JSON writes NaN as null), read back as NaN. */
export function statistic() {
  return v.pipe(numberOrNull(), v.transform((x) => x ?? NaN));
}

/** One of a list of names: `must be one of none, hebb, oja, bcm (got "foo")`. */
export function oneOf<const T extends readonly string[]>(names: T) {
  return v.picklist(names, got(`must be one of ${names.join(', ')}`));
}

export function bool() {
  return v.boolean(got('must be true or false'));
}

/**
 * An object with exactly these fields: another field is reported as `x.colour is not a known
 * field (known: ...)`. It lets arrays through (valibot's objects do): `fields` does not.
 */
export function strictFields<const E extends v.ObjectEntries>(entries: E, opts: FieldsOptions = {}) {
  const notObject = got(opts.notObject ?? 'must be an object');
  const known = opts.known ?? Object.keys(entries).join(', ');
  return v.strictObject(entries, (issue) => (isUnknownField(issue) ? `is not a known ${opts.unknownField ?? 'field'} (known: ${known})` : notObject(issue)));
}

export interface FieldsOptions {
  /** The message for a value that is not an object (default `must be an object`). */
  notObject?: string;
  /** The known fields as an error lists them (default: the fields in order). */
  known?: string;
  /** What an unknown field is not (default `field`: `x.y is not a known field`). */
  unknownField?: string;
}

/** Entry types valibot does not require to be present (checked when they are, or when they have a default). */
const MAY_BE_MISSING = new Set(['optional', 'exact_optional', 'nullish']);

/** The object with its required fields present, missing ones as `undefined`, for their own schemas to report. */
function withRequiredFields(o: Record<string, unknown>, entries: v.ObjectEntries): Record<string, unknown> {
  const missing = Object.keys(entries).filter((k) => !MAY_BE_MISSING.has(entries[k]!.type) && !Object.hasOwn(o, k));
  return missing.length ? { ...Object.fromEntries(missing.map((k) => [k, undefined])), ...o } : o;
}

/**
 * A stored object (not an array or a typed array) with these fields, each checked by its own
 * schema, a missing one too (`must be a number (got nothing)`, where valibot would report the
 * object instead); other fields are dropped. For what a reader reads as it was written (states,
 * files of other versions), where `fields` refuses an unknown field.
 */
export function record<const E extends v.ObjectEntries>(entries: E, notObject: v.ErrorMessage<v.CustomIssue> = 'must be an object') {
  return v.pipe(
    v.custom<Record<string, unknown>>(isPlainObject, notObject),
    v.transform((o) => withRequiredFields(o, entries)),
    v.object(entries, 'must be an object'),
  );
}

/** Like `record`, with the other fields kept as they are. */
export function looseRecord<const E extends v.ObjectEntries>(entries: E, notObject: v.ErrorMessage<v.CustomIssue> = 'must be an object') {
  return v.pipe(
    v.custom<Record<string, unknown>>(isPlainObject, notObject),
    v.transform((o) => withRequiredFields(o, entries)),
    v.looseObject(entries, 'must be an object'),
  );
}

/**
 * A plain object (not an array) with exactly these fields; a non-object is reported with
 * `notObject`, a missing field by its own schema (`got nothing`).
 */
export function fields<const E extends v.ObjectEntries>(entries: E, opts: FieldsOptions = {}) {
  return v.pipe(plainObject(opts.notObject), v.transform((o) => withRequiredFields(o, entries)), strictFields(entries, opts));
}

/** Any plain object (not an array, not null): the first step of a pipe that checks its fields. */
export function plainObject(notObject = 'must be an object') {
  return v.custom<Record<string, unknown>>(isPlainObject, got(notObject));
}

/** Whether an issue reports a field the format does not have. */
export function isUnknownField(issue: Issue): boolean {
  return issue.expected === 'never';
}

/** The path of an issue below `root`: `policy.hidden[0]` (below '': `.hidden[0]`, see checkedBy). */
export function issuePath(root: string, issue: Issue): string {
  let out = root;
  for (const item of issue.path ?? []) {
    const key = (item as { key: unknown }).key;
    out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return out;
}

/**
 * One issue as a line naming the field: `policy.rule must be one of ... (got "foo")`. A
 * message that starts with a path below the value (`.hidden must ...`, from a check written
 * as code: `checkedBy`) continues the value's path.
 */
export function issueText(root: string, issue: Issue): string {
  const where = issuePath(root, issue);
  if (/^[.[]/.test(issue.message)) return `${where}${issue.message}`;
  return where ? `${where} ${issue.message}` : issue.message;
}

/**
 * The first issue to report: a misspelt field before the values, as it often explains a
 * missing one.
 */
export function firstIssue<I extends Issue>(issues: readonly [I, ...I[]]): I {
  return issues.find(isUnknownField) ?? issues[0];
}

/** Parses `raw` with `schema`; the first issue is thrown as an Error naming its field below `root`. */
export function parseWith<S extends v.GenericSchema>(schema: S, raw: unknown, root: string): v.InferOutput<S> {
  const r = v.safeParse(schema, raw, { abortPipeEarly: true });
  if (r.success) return r.output;
  throw new Error(issueText(root, firstIssue(r.issues)));
}

/**
 * Parses the content of a file, or of one line of it: the first issue is thrown as
 * `<where>: <field> <message>` (`runs/a/best.json: params[17] must be a finite number (got
 * null)`), its field below `root` ('' for the file's own fields).
 */
export function parseIn<S extends v.GenericSchema>(schema: S, raw: unknown, where: string, root = ''): v.InferOutput<S> {
  const r = v.safeParse(schema, raw, { abortPipeEarly: true });
  if (r.success) return r.output;
  throw new Error(`${where}: ${issueText(root, firstIssue(r.issues)).replace(/^\./, '')}`);
}

/**
 * A check written as code, as a step of a schema: `check(value, path)` returns the value it
 * accepts or throws an Error whose message names the field below `path` (given as '', so the
 * message starts with `.field` or with what is wrong with the value itself).
 */
export function checkedBy<I, O>(check: (value: I, path: string) => O) {
  return v.rawTransform<I, O>(({ dataset, addIssue, NEVER }) => {
    try {
      return check(dataset.value, '');
    } catch (e) {
      addIssue({ message: (e as Error).message.trimStart() });
      return NEVER;
    }
  });
}

/**
 * A config object with every field present, missing ones as `undefined`: each field is then
 * checked by its own schema, whose message names it (`got nothing`) instead of one message
 * for the object.
 */
export function withEveryField(raw: unknown, keys: readonly string[]): unknown {
  return isPlainObject(raw) ? { ...Object.fromEntries(keys.map((k) => [k, undefined])), ...raw } : raw;
}

/** A config's fields, each with its description (for help texts) and its schema. */
export function documentedFields<const F extends Record<string, { doc: string; schema: v.GenericSchema }>>(fields: F) {
  const keys = Object.keys(fields) as (keyof F & string)[];
  const entries = Object.fromEntries(keys.map((k) => [k, fields[k]!.schema])) as { [K in keyof F]: F[K]['schema'] };
  return { keys, entries, doc: (field: keyof F & string): string => fields[field]!.doc };
}

/** A path to a value below the one being checked, for issues a check adds there (`v.rawCheck`). */
export function pathTo(input: unknown, ...keys: (string | number)[]): [v.IssuePathItem, ...v.IssuePathItem[]] {
  let at = input as Record<string | number, unknown>;
  return keys.map((key) => {
    const item = { type: typeof key === 'number' ? 'array' : 'object', origin: 'value', input: at, key, value: at?.[key] } as v.IssuePathItem;
    at = at?.[key] as Record<string | number, unknown>;
    return item;
  }) as [v.IssuePathItem, ...v.IssuePathItem[]];
}
