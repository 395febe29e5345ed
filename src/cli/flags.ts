/**
 * A command's flags declared once: each flag's name, argument and help, from which come the
 * `parseArgs` options and the help's option list; flags that set a config field take their
 * description from the config's schema and map to the field here, so the help, the option
 * table and the mapping cannot drift apart. The policy flags (--rule, --modulation, --hidden)
 * are shared by `train` and `learn`.
 */
import { CliError } from './command.ts';

export interface Flag {
  name: string;
  /** The argument's placeholder (`N`, `FILE`); none for a boolean flag. */
  arg?: string;
  short?: string;
  /** The help text (wrapped to the help's width). */
  help: string;
}

/** The `parseArgs` options of a flag list, typed by the flags (a flag with an argument is a string). */
export type ParseOptions<T extends readonly Flag[]> = {
  [F in T[number] as F['name']]: { type: F extends { arg: string } ? 'string' : 'boolean'; short?: string };
};

/**
 * A maker of flags that set a config field: the help is the field's description from the
 * config's schema (`doc`), then what the command adds (its default).
 */
export function fieldFlag<F extends string>(doc: (field: F) => string) {
  return <const N extends string>(name: N, arg: string, field: F, more: string) => ({ name, arg, help: `${doc(field)} ${more}` });
}

export function parseOptions<const T extends readonly Flag[]>(flags: T): ParseOptions<T> {
  return Object.fromEntries(flags.map((f) => [f.name, { type: f.arg ? 'string' : 'boolean', ...(f.short ? { short: f.short } : {}) }])) as ParseOptions<T>;
}

const WIDTH = 92;
const COLUMN = 23;

/** The help's option list: `  --name ARG` padded to a column, then the help, wrapped. */
export function optionsHelp(flags: readonly Flag[]): string {
  return flags.map((f) => {
    const head = `  ${f.short ? `-${f.short}, ` : ''}--${f.name}${f.arg ? ` ${f.arg}` : ''}`;
    const lines: string[] = [];
    let line = head.length + 1 > COLUMN ? head + ' ' : head.padEnd(COLUMN);
    for (const word of f.help.split(/\s+/)) {
      if (line.length + word.length > WIDTH && line.trim().length > head.trim().length) {
        lines.push(line.trimEnd());
        line = ' '.repeat(COLUMN);
      }
      line += (line.endsWith(' ') ? '' : ' ') + word;
    }
    lines.push(line.trimEnd());
    return lines.join('\n');
  }).join('\n');
}

export function num(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${flag} must be a number (got "${v}")`);
  return n;
}

/** The plastic SNN's flags, shared by train and learn (their defaults differ, so each command words them). */
export const POLICY_FLAG_NAMES = ['rule', 'modulation', 'hidden'] as const;

/** --rule, --modulation and --hidden as a partial policy config (only what was given). */
export function policyFromFlags(v: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const policy: Record<string, unknown> = {};
  const s = (k: string) => v[k] as string | undefined;
  if (s('rule') !== undefined) policy.rule = s('rule');
  if (s('modulation') !== undefined) policy.modulation = s('modulation');
  if (s('hidden') !== undefined) policy.hidden = s('hidden')!.split(',').map((x) => num(x, 'hidden'));
  return policy;
}

/** Flags that set a top-level config field from a number or a string, as [flag, field, kind]. */
export type FieldFlag = readonly [flag: string, field: string, kind: 'number' | 'string'];

/** Applies field flags to a partial config (only what was given). */
export function fieldsFromFlags(v: Record<string, string | boolean | undefined>, fields: readonly FieldFlag[], into: Record<string, unknown>): Record<string, unknown> {
  for (const [flag, field, kind] of fields) {
    const s = v[flag] as string | undefined;
    if (s !== undefined) into[field] = kind === 'number' ? num(s, flag) : s;
  }
  return into;
}
