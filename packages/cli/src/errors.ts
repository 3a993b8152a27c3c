/**
 * The exit codes of `ensign`, for scripts and CI. They are part of the CLI's interface: change
 * them only with a major version.
 */
export const EXIT = {
  ok: 0,
  /** A bad command line, or a file (apply, import) that is not valid. */
  usage: 1,
  /** The API refused the request (4xx other than 401 and 403): the API's message says why. */
  refused: 2,
  /** No credentials, or the API refused them (401) or the token's role (403). */
  auth: 3,
  /** `apply --check`: the workspace differs from the file. */
  drift: 4,
  /** The API could not be reached, timed out, or failed (5xx). */
  unavailable: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports as one message and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** Extra lines (the API's field issues), printed under the message. */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);
