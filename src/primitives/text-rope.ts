/**
 * Text that grows by appends and shrinks from its end, read in slices near its end: a streamed piece. A
 * string built by `+=` is copied whole each time it is sliced (V8 flattens it), so a long stream read after
 * every delta would cost the square of its length; the rope keeps the deltas and copies only what is read.
 */
export class TextRope {
  #chunks: string[] = [];
  /** `#ends[i]`: the text's length up to the end of chunk i. */
  #ends: number[] = [];

  /** Characters held. */
  get length(): number {
    return this.#ends.at(-1) ?? 0;
  }

  /** Adds `text` at the end. */
  append(text: string): void {
    if (text.length === 0) return;
    this.#chunks.push(text);
    this.#ends.push(this.length + text.length);
  }

  /** Keeps the first `length` characters. */
  truncate(length: number): void {
    if (length >= this.length) return;
    const at = this.#chunkAt(length);
    const start = at === 0 ? 0 : this.#ends[at - 1]!;
    this.#chunks.length = at + 1;
    this.#ends.length = at + 1;
    this.#chunks[at] = this.#chunks[at]!.slice(0, length - start);
    this.#ends[at] = length;
    if (length === start) {
      this.#chunks.pop();
      this.#ends.pop();
    }
  }

  /** Characters `from` (inclusive) to `to` (exclusive), clamped to the text. */
  slice(from: number, to: number = this.length): string {
    const end = Math.min(to, this.length);
    if (from >= end) return "";
    let out = "";
    for (let at = this.#chunkAt(from); at < this.#chunks.length; at += 1) {
      const start = at === 0 ? 0 : this.#ends[at - 1]!;
      if (start >= end) break;
      out += this.#chunks[at]!.slice(Math.max(0, from - start), end - start);
    }
    return out;
  }

  /** The whole text (joined once, and kept joined). */
  toString(): string {
    if (this.#chunks.length > 1) {
      this.#chunks = [this.#chunks.join("")];
      this.#ends = [this.length];
    }
    return this.#chunks[0] ?? "";
  }

  /** The chunk holding index `index` (the last chunk for an index at the end): binary search. */
  #chunkAt(index: number): number {
    let low = 0;
    let high = this.#chunks.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#ends[mid]! > index) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}
