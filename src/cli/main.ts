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
import { CliError, processIo, type CliIo, type Command } from './command.ts';

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

/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours: "trian" is one from "train"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** The command a mistyped name most likely meant: within 2 edits (1 for short names), or one it starts. */
function closest(name: string, names: string[]): string | null {
  const lower = name.toLowerCase();
  let best: string | null = null;
  let bestD = Infinity;
  for (const n of names) {
    const dist = n.startsWith(lower) && lower.length >= 2 ? 0 : distance(lower, n);
    if (dist < bestD) [best, bestD] = [n, dist];
  }
  return bestD <= (lower.length <= 4 ? 1 : 2) ? best : null;
}

/** Runs a command; its output goes through `io` (the process's stdout and stderr by default), and the exit code is returned. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    // No command is a mistake, so the usage goes where errors go.
    io.err(usage());
    return 2;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    io.out(usage());
    return 0;
  }
  if (name === '--version') {
    io.out('propamine 0.1.0');
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    const near = closest(name, COMMANDS.map((c) => c.name));
    io.err(`propamine: unknown command "${name}"${near ? ` (did you mean ${near}?)` : ''}\n\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    const err = e as Error & { code?: string };
    // Validation errors (plain Errors naming a field or file), CliErrors and parseArgs errors
    // are the user's to fix: one line, no stack. Anything else (TypeError, ...) is a bug and
    // keeps its stack; PROPAMINE_DEBUG=1 shows stacks for all.
    const userError = e instanceof CliError || err.code?.startsWith('ERR_PARSE_ARGS') || (e instanceof Error && e.constructor === Error);
    if (userError && !process.env.PROPAMINE_DEBUG) {
      io.err(`propamine ${name}: ${err.message}`);
      return 2;
    }
    throw e;
  }
}

/**
 * A reader that stops early (`propamine eval RUN | head -1`) closes stdout: the command goes on
 * without its output (a training run keeps training and checkpointing) instead of dying on EPIPE.
 */
function survivingClosedStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}

const isEntry = process.argv[1] && /cli[/\\]main\.(ts|js)$/.test(process.argv[1]);
if (isEntry) {
  survivingClosedStdout();
  process.exitCode = await main(process.argv.slice(2));
}
