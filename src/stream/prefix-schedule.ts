/**
 * When to judge a growing prefix: each check waits for the text to grow by a quarter of its length, and by
 * at least `minStepChars`. The lengths checked grow geometrically, so the checks of an n-char output read
 * about 5n chars in all (linear, whatever the delta size), and a failure is caught within a quarter of the
 * text past where it appeared.
 */
export class PrefixSchedule {
  #nextAt: number;

  constructor(readonly minStepChars = 32) {
    this.#nextAt = minStepChars;
  }

  /** True when a prefix of `chars` characters is due a check (and moves the next check on). */
  due(chars: number): boolean {
    if (chars < this.#nextAt) return false;
    this.#nextAt = chars + Math.max(this.minStepChars, chars >> 2);
    return true;
  }
}
