/**
 * The shape of a subcommand, where its output goes, and the error type whose message is printed as one clear line
 * (no stack trace) when a user's input is wrong.
 */
export interface Command {
  name: string;
  summary: string;
  help: string;
  /** Returns the process exit code; writes what it prints through `io`. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Where a command's lines go: the process's stdout and stderr, or a caller's (tests run main() in-process). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => void process.stdout.write(line + '\n'),
  err: (line) => void process.stderr.write(line + '\n'),
};

export class CliError extends Error {}
