/**
 * What `celeriac` exits with, so scripts can tell outcomes apart without parsing output.
 * Documented in the README's CLI reference; never renumber one.
 */
export const ExitCode = {
  /** The command did what it was asked. */
  OK: 0,
  /** It ran, and what it reports is a failure: the task failed or was revoked, no worker answered. */
  FAILED: 1,
  /** Wrong arguments or options (bad JSON, unknown command, a missing `--yes`). */
  USAGE: 2,
  /** The broker or result backend could not be reached, or its URL is wrong. */
  UNAVAILABLE: 3,
  /** What was asked about does not exist (no such task id). */
  NOT_FOUND: 4,
  /** A wait (`--wait`, `--timeout`) ran out before the answer came. */
  TIMEOUT: 5,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one line on stderr, exiting with `code`: never a stack trace. */
export class CliError extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
