import { diffLines } from "diff";
import { h } from "./dom.js";

/** Longest answers diffed (chars each); past it the diff would take seconds, and the page says so. */
const maxDiffChars = 200_000;

/** The answer against the previous attempt's, line by line (jsdiff): removed lines red, added green. */
export function diffView(previous: string, current: string): HTMLElement {
  if (previous.length > maxDiffChars || current.length > maxDiffChars)
    return h(
      "p",
      { class: "note" },
      `Not diffed: an answer is over ${maxDiffChars.toLocaleString("en-US")} chars.`,
    );
  if (previous === current) return h("p", { class: "note" }, "The same answer as the previous attempt.");
  const pre = h("pre", { class: "diff", testid: "diff" });
  for (const part of diffLines(previous, current)) {
    const cls = part.added ? "added" : part.removed ? "removed" : "same";
    pre.append(h("span", { class: cls }, part.value));
  }
  return pre;
}
