/** Where the CLI reads and writes: the process's streams, or a test's buffers. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Read when a command takes its prompt from standard input. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Aborted on Ctrl-C: a running ladder stops at once. */
  signal?: AbortSignal;
}

/** The documented exit codes (docs/cli.md). */
export const exitCodes = {
  /** Done: an accepted answer, a valid config, a listing. */
  ok: 0,
  /** The ladder ran and found no accepted answer (exhausted, or a budget spent). */
  notAccepted: 1,
  /** Bad usage or a bad config: nothing was called. */
  usage: 2,
  /** The task is blocked (blocked earlier); no model was called. */
  blocked: 3,
  /** Something else failed (a file that cannot be read, a store error). */
  failure: 4,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

/** An error that ends a command with its exit code and a message for people. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
