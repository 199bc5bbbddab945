/** What was seen of one streamed attempt, from its `attempt-start` to its `attempt-end`. */
export interface StreamedAttempt {
  /** When the attempt started (the clock the caller measures with). */
  startedAt: number;
  /** When its first streamed part (a text delta or a tool call, its own or a nested attempt's) arrived. */
  firstPartAt?: number;
  /** Text streamed by the attempt itself, not by attempts nested in it (kept only with `keepText`). */
  text: string;
}

/**
 * Each open attempt's first streamed part (time to first token) and, optionally, its streamed text, from
 * the `attempt-start`, `output-stream` and `attempt-end` events: one mechanism for the console reporter, the
 * OpenTelemetry spans and the records. A part at path `p` is the first part of every open attempt at `p` or
 * above it that has none yet; its text belongs to the innermost one. Each part costs a walk up its path
 * once, then a comparison: a run of deltas from one leaf is settled after its first.
 */
export class StreamedAttempts {
  readonly #open = new Map<string, StreamedAttempt>();
  readonly #keepText: boolean;
  /** The last part's path whose attempts above all have their first part, and its innermost attempt. */
  #settledPath: string | undefined;
  #settledInnermost: StreamedAttempt | undefined;

  constructor(options: { keepText?: boolean } = {}) {
    this.#keepText = options.keepText === true;
  }

  /** An attempt started at `path`, at `at`. */
  start(path: string, at: number): void {
    this.#open.set(path, { startedAt: at, text: "" });
    this.#settledPath = undefined;
  }

  /**
   * A streamed part (its `text`, if a delta) arrived from a leaf at `path`, at `at`. Returns the paths of the
   * attempts whose first part it is, innermost first (empty for most parts).
   */
  part(path: string, at: number, text?: string): string[] {
    if (path === this.#settledPath) {
      if (this.#keepText && text !== undefined && this.#settledInnermost !== undefined)
        this.#settledInnermost.text += text;
      return [];
    }
    const firsts: string[] = [];
    let innermost: StreamedAttempt | undefined;
    for (let p = path; ; ) {
      const attempt = this.#open.get(p);
      if (attempt !== undefined) {
        innermost ??= attempt;
        if (attempt.firstPartAt === undefined) {
          attempt.firstPartAt = at;
          firsts.push(p);
        }
      }
      const cut = p.lastIndexOf("/");
      if (cut < 0) break;
      p = p.slice(0, cut);
    }
    if (this.#keepText && text !== undefined && innermost !== undefined) innermost.text += text;
    this.#settledPath = path;
    this.#settledInnermost = innermost;
    return firsts;
  }

  /** The attempt at `path`, still open (undefined when it was never started). */
  get(path: string): StreamedAttempt | undefined {
    return this.#open.get(path);
  }

  /** The attempt at `path` ended: forgets it and returns what was seen of it. */
  end(path: string): StreamedAttempt | undefined {
    const attempt = this.#open.get(path);
    if (attempt === undefined) return undefined;
    this.#open.delete(path);
    if (this.#settledInnermost === attempt || this.#settledPath?.startsWith(path) === true)
      this.#settledPath = undefined;
    return attempt;
  }
}

/** Time to first token in ms (first part minus start, never below 0), when the attempt streamed a part. */
export function timeToFirstPart(attempt: StreamedAttempt | undefined): number | undefined {
  if (attempt?.firstPartAt === undefined) return undefined;
  return Math.max(0, attempt.firstPartAt - attempt.startedAt);
}
