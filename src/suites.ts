/**
 * A suite named by a user (`--suite`, `--conditions`, `config.conditions`): a built-in suite name or a suite file path.
 */
import { existsSync } from 'node:fs';
import { BUILTIN_SUITES, validateSuite, type Suite } from '../envs/suites.ts';
import { readJsonFile } from './fsutil.ts';

export function loadSuite(arg: string): Suite {
  if (Object.hasOwn(BUILTIN_SUITES, arg)) return BUILTIN_SUITES[arg]!;
  if (!existsSync(arg)) throw new Error(`suite "${arg}" is neither a built-in suite (${Object.keys(BUILTIN_SUITES).join(', ')}) nor a file`);
  return validateSuite(readJsonFile(arg, 'suite file'), arg);
}
