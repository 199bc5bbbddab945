/** Where the CLI reads and writes: the process's streams, or a test's buffers. */
export interface CliIo {
  /** Where data goes (the answer, tables, JSON); escaped for the terminal when `isTTY`. */
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  /** Read when a command takes its prompt from standard input. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /**
   * Aborted on Ctrl-C (SIGINT) or SIGTERM: a running ladder stops at once. Its reason is an
   * {@link Interrupted} naming the signal.
   */
  signal?: AbortSignal;
}

/** The abort reason of {@link CliIo.signal}: which signal stopped the command. */
export class Interrupted extends Error {
  constructor(readonly signal: "SIGINT" | "SIGTERM") {
    super(`interrupted (${signal})`);
  }
}

/** The exit code of a command stopped by `signal`: 128 + the signal's number, as shells report it. */
export function interruptedCode(reason: unknown): number {
  return reason instanceof Interrupted && reason.signal === "SIGTERM"
    ? exitCodes.terminated
    : exitCodes.interrupted;
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
  /** Interrupted (Ctrl-C, SIGINT). */
  interrupted: 130,
  /** Stopped by SIGTERM (a process manager's stop). */
  terminated: 143,
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
