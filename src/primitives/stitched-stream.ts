import { ProviderError } from "../errors/provider-error.js";
import type { Generation, StreamPart } from "../model.js";
import type { PartSink } from "../stream/sink.js";
import { decideSeam, removeSeamOverlap, type SeamOptions } from "./seam.js";
import { segmentStarts } from "./segment-starts.js";
import { TextRope } from "./text-rope.js";

/** Where a nested attempt of the current piece started: its discard drops back to here. */
interface Mark {
  path: string;
  /** The piece's length at the mark. */
  length: number;
  /** Chars of stitched text the consumer saw at the mark (a discard takes it back to this). */
  shown: number;
  /** The settled boundary at the mark. */
  floor: number;
}

let graphemes: Intl.Segmenter | undefined;

/** A stretch this short is looked at for a settled boundary on every delta (see `#worthLooking`). */
const shortStretchChars = 256;

/**
 * The stitched text of `continueUntilComplete`, streamed without repeating text: each piece's deltas go out
 * as they come, except the start of a continuation while the seam cannot yet tell how much of it repeats
 * the text so far (`decideSeam`), and the last grapheme so far, which later text could still extend (the
 * `maxTotalChars` cut never splits a grapheme, so a char is certain only once a boundary after it is). The
 * deltas sent add up to the final generation's text exactly.
 *
 * The consumer's view follows the parts of the models beneath: an inner attempt's `attempt-start` and
 * `discard` pass through, and a discard takes the view back to where the attempt started, so text sent
 * inside a discarded attempt is sent again if it still stands.
 */
export class StitchedStream {
  readonly #sink: PartSink;
  readonly #seamOptions: Required<SeamOptions>;
  readonly #maxTotalChars: number;
  /** The stitched text of the pieces before this one. */
  #prior = "";
  /** This piece's text so far, nested discarded attempts dropped. */
  readonly #piece = new TextRope();
  /** Whether the start of this piece may repeat the end of `#prior`. */
  #seam = false;
  /** The overlap the seam removes and the piece length it was read at, once the head decides it. */
  #decided: { removed: number; at: number } | undefined;
  #marks: Mark[] = [];
  /** Chars of stitched text the consumer sees. */
  #shown = 0;
  /** A grapheme boundary of the stitched text that no later text can move, at most `maxTotalChars`. */
  #floor = 0;
  /** The stretch last looked at for a settled boundary past `#floor`, and found none: `[floor, end)`. */
  #looked = { floor: -1, end: -1 };

  constructor(sink: PartSink, seamOptions: Required<SeamOptions>, maxTotalChars: number) {
    this.#sink = sink;
    this.#seamOptions = seamOptions;
    this.#maxTotalChars = maxTotalChars;
  }

  /** A piece starts; `stitched` is the text so far (the seam is looked for only when it is not empty). */
  startPiece(stitched: string): void {
    this.#prior = stitched;
    this.#piece.truncate(0);
    this.#seam = stitched !== "";
    this.#decided = undefined;
    this.#marks = [];
    this.#decide();
  }

  /** One part of the piece's stream (not its `finish`). */
  async part(part: Exclude<StreamPart, { type: "finish" }>): Promise<void> {
    switch (part.type) {
      case "text-delta":
        this.#piece.append(part.text);
        this.#decide();
        break;
      case "attempt-start":
        this.#marks.push({
          path: part.path,
          length: this.#piece.length,
          shown: this.#shown,
          floor: this.#floor,
        });
        await this.#sink.push(part);
        return;
      case "discard": {
        const at = this.#marks.findLastIndex((mark) => mark.path === part.path);
        await this.#sink.push(part);
        if (at < 0) return;
        const mark = this.#marks[at]!;
        this.#marks.length = at;
        this.#piece.truncate(mark.length);
        this.#shown = mark.shown;
        this.#floor = Math.min(this.#floor, mark.floor);
        this.#looked = { floor: -1, end: -1 };
        // A decision read from text now dropped is read again from what remains. Whatever was sent after
        // the mark, the consumer drops with the attempt.
        if (this.#decided !== undefined && mark.length < this.#decided.at) this.#decided = undefined;
        this.#decide();
        break;
      }
      default:
        // Tool calls: only the last piece's stand (a cut-off piece is continued); sent with the answer.
        return;
    }
    await this.#send();
  }

  /**
   * The piece ended with `generation` (the text the seam judges, as `generate` stitches it).
   * @throws ProviderError (`server-error`) when the model's stream showed text its `finish` does not have.
   */
  async endPiece(generation: Generation, modelId: string): Promise<void> {
    const streamed = this.#piece.toString();
    const removed = this.#seam
      ? removeSeamOverlap(this.#prior, generation.text, this.#seamOptions).removed
      : 0;
    if (streamed !== generation.text || (this.#decided !== undefined && this.#decided.removed !== removed)) {
      const shownOfPiece = this.#shown - this.#prior.length;
      const sentPiece = this.#decided === undefined ? "" : streamed.slice(this.#decided.removed);
      if (shownOfPiece > 0 && !generation.text.slice(removed).startsWith(sentPiece.slice(0, shownOfPiece))) {
        throw new ProviderError(
          `The stream of "${modelId}" sent text its finish part does not have: a Model's finish must carry the text its deltas streamed.`,
          { kind: "server-error", providerId: modelId },
        );
      }
      this.#piece.truncate(0);
      this.#piece.append(generation.text);
      this.#looked = { floor: -1, end: -1 };
    }
    this.#marks = [];
    this.#decided = { removed, at: generation.text.length };
    await this.#send();
  }

  /** The run ended with `generation`: the rest of its text, its tool calls. */
  async finish(generation: Generation): Promise<void> {
    if (generation.text.length > this.#shown) {
      await this.#sink.push({ type: "text-delta", text: generation.text.slice(this.#shown) });
      this.#shown = generation.text.length;
    }
    for (const toolCall of generation.toolCalls ?? []) await this.#sink.push({ type: "tool-call", toolCall });
  }

  /** Decides the seam as soon as the head of the piece allows it. */
  #decide(): void {
    if (this.#decided !== undefined) return;
    const removed = this.#seam ? decideSeam(this.#prior, this.#piece.toString(), this.#seamOptions) : 0;
    if (removed !== undefined) this.#decided = { removed, at: this.#piece.length };
  }

  /** Chars of stitched text known so far: the pieces before, and this one past its overlap once decided. */
  #known(): number {
    if (this.#decided === undefined) return this.#prior.length;
    return this.#prior.length + Math.max(0, this.#piece.length - this.#decided.removed);
  }

  /** Stitched text, chars `from` to `to`. */
  #slice(from: number, to: number): string {
    const split = this.#prior.length;
    const head = from < split ? this.#prior.slice(from, Math.min(to, split)) : "";
    if (to <= split || this.#decided === undefined) return head;
    const offset = this.#decided.removed - split;
    return head + this.#piece.slice(Math.max(from, split) + offset, to + offset);
  }

  /**
   * Whether the stretch up to `end` may hold a settled boundary the last look did not find. A short stretch
   * (the last grapheme and a delta) is looked at every time; one that found none and keeps growing (a
   * grapheme thousands of chars long) only once it has doubled, so the looks cost linear time in all.
   */
  #worthLooking(end: number): boolean {
    const { floor, end: last } = this.#looked;
    if (floor !== this.#floor) return true;
    if (end <= last) return false;
    return end - floor <= shortStretchChars || end - floor >= 2 * (last - floor);
  }

  /** Sends the stitched text up to the last grapheme boundary that later text cannot move. */
  async #send(): Promise<void> {
    const known = this.#known();
    // A boundary at b is settled by the text before b and the code point at b (at most 2 chars).
    const end = Math.min(known, this.#maxTotalChars + 2);
    // The common case without the segmenter: the last place a settled boundary can be is one the grapheme
    // rules make a boundary whatever surrounds it (between printable ASCII chars, at a line break).
    const last = Math.min(end - 1, this.#maxTotalChars);
    if (last > this.#floor && alwaysBoundary(this.#slice(last - 1, last + 1))) {
      this.#floor = last;
      this.#looked = { floor: -1, end: -1 };
    } else if (end > this.#floor && this.#worthLooking(end)) {
      const stretch = this.#slice(this.#floor, end);
      graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
      let settled = this.#floor;
      for (const start of segmentStarts(graphemes, stretch)) {
        const at = this.#floor + start;
        if (at > this.#maxTotalChars) break;
        const code = stretch.charCodeAt(start);
        const complete = code < 0xd800 || code > 0xdbff || start + 1 < stretch.length;
        if (start < stretch.length && complete) settled = at;
      }
      this.#looked = settled === this.#floor ? { floor: this.#floor, end } : { floor: -1, end: -1 };
      this.#floor = settled;
    }
    if (this.#floor > this.#shown) {
      const text = this.#slice(this.#shown, this.#floor);
      this.#shown = this.#floor;
      await this.#sink.push({ type: "text-delta", text });
    }
  }
}

/**
 * Whether the grapheme rules put a boundary between the two chars of `pair`, whatever text surrounds them:
 * after a line feed or a lone carriage return (GB4), before a line break not after a carriage return (GB3,
 * GB5), between two printable ASCII chars (GB999: no rule joins them).
 */
function alwaysBoundary(pair: string): boolean {
  const before = pair.charCodeAt(0);
  const after = pair.charCodeAt(1);
  if (before === 0x0a || (before === 0x0d && after !== 0x0a)) return true;
  if ((after === 0x0a || after === 0x0d) && before !== 0x0d) return true;
  return before >= 0x20 && before <= 0x7e && after >= 0x20 && after <= 0x7e;
}
