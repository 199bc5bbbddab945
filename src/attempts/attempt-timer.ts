import { childController } from "../abort.js";
import type { Clock } from "../clock.js";

/**
 * The time limit of every attempt of one run, with one timer and one controller for the run rather than
 * one of each per attempt. The timer is armed at the first attempt's limit; an attempt that starts later has
 * a later limit, so when the timer fires early it re-arms for what is left of the attempt in flight (none
 * in flight: it stops). A shorter limit (a half-open probe's) re-arms it sooner. The controller is made anew
 * only after a timeout used it. Every attempt's call gets its signal, which also follows the caller's.
 */
export class AttemptTimer {
  readonly #clock: Clock;
  readonly #parent: AbortSignal | undefined;
  #child: ReturnType<typeof childController> | undefined;
  #handle: unknown;
  #firesAt = Number.POSITIVE_INFINITY;
  /** When the attempt in flight must end (Infinity: none in flight). */
  #deadline = Number.POSITIVE_INFINITY;
  #timeoutError: () => Error = () => new Error("timeout");

  constructor(clock: Clock, parent: AbortSignal | undefined) {
    this.#clock = clock;
    this.#parent = parent;
  }

  /** Starts one attempt's limit (`limitMs` from now); returns the signal its call must follow. */
  start(limitMs: number, timeoutError: () => Error): AbortSignal {
    if (this.#child === undefined || this.#child.controller.signal.aborted) {
      this.#child?.dispose();
      this.#child = childController(this.#parent);
    }
    this.#timeoutError = timeoutError;
    this.#deadline = this.#clock.now() + limitMs;
    if (this.#handle === undefined || this.#firesAt > this.#deadline) this.#arm(limitMs);
    return this.#child.controller.signal;
  }

  /** Ends the attempt in flight: its limit no longer fires. */
  end(): void {
    this.#deadline = Number.POSITIVE_INFINITY;
  }

  /** Ends the run: clears the timer and stops following the caller's signal. */
  dispose(): void {
    if (this.#handle !== undefined) this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#child?.dispose();
    this.#child = undefined;
  }

  #arm(ms: number): void {
    if (this.#handle !== undefined) this.#clock.clearTimeout(this.#handle);
    this.#firesAt = this.#clock.now() + ms;
    this.#handle = this.#clock.setTimeout(this.#fire, ms);
  }

  readonly #fire = (): void => {
    this.#handle = undefined;
    this.#firesAt = Number.POSITIVE_INFINITY;
    if (!Number.isFinite(this.#deadline)) return;
    const left = this.#deadline - this.#clock.now();
    if (left > 0) this.#arm(left);
    else this.#child?.controller.abort(this.#timeoutError());
  };
}
