// Errors that end the command with a message and a stable exit code scripts can rely on.

export const ExitCode = {
  Ok: 0,
  /** The command ran but some input was rejected (see stderr). */
  Partial: 1,
  /** Bad flags or arguments. */
  Usage: 2,
  /** Broker unreachable, credentials refused, or another transport failure. */
  Transport: 3,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.Usage,
  ) {
    super(message);
  }
}
