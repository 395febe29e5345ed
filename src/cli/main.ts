/**
 * The `propamine` command: dispatches to the subcommands. A user error (CliError, or a
 * validation error naming a field or file) prints one clear line and exits with 2.
 */
import { trainCommand } from './train.ts';
import { evalCommand } from './eval.ts';
import { recordCommand } from './record.ts';
import { viewCommand } from './view.ts';
import { stressCommand } from './stress.ts';
import { workerCommand } from './worker.ts';
import { learnCommand } from './learn.ts';
import { CliError, type Command } from './command.ts';

const COMMANDS: Command[] = [trainCommand, learnCommand, evalCommand, stressCommand, recordCommand, viewCommand as Command, workerCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: propamine <command> [options]',
    '',
    'Trains plastic spiking-network controllers for a Rapier-simulated ant with evolution strategies,',
    'and plastic spiking networks on temporal tasks by gradient descent (learn).',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `propamine <command> --help` for the options of a command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    console.log('propamine 0.1.0');
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`propamine: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    const err = e as Error & { code?: string };
    // Validation errors (plain Errors naming a field or file), CliErrors and parseArgs errors
    // are the user's to fix: one line, no stack. Anything else (TypeError, ...) is a bug and
    // keeps its stack; PROPAMINE_DEBUG=1 shows stacks for all.
    const userError = e instanceof CliError || err.code?.startsWith('ERR_PARSE_ARGS') || (e instanceof Error && e.constructor === Error);
    if (userError && !process.env.PROPAMINE_DEBUG) {
      console.error(`propamine ${name}: ${err.message}`);
      return 2;
    }
    throw e;
  }
}

const isEntry = process.argv[1] && /cli[/\\]main\.(ts|js)$/.test(process.argv[1]);
if (isEntry) process.exitCode = await main(process.argv.slice(2));
