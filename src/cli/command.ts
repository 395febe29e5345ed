/**
 * The shape of a subcommand, and the error type whose message is printed as one clear line
 * (no stack trace) when a user's input is wrong.
 */
export interface Command {
  name: string;
  summary: string;
  help: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

export class CliError extends Error {}
