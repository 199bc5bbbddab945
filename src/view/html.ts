import { createHash } from "node:crypto";
import type { PageData, TaskDetail } from "./data.js";

/**
 * JSON safe inside a `<script type="application/json">` element: `<`, `>` and `&` become `\u003c`,
 * `\u003e`, `\u0026` (so no `</script>` or `<!--` can end or bend the element), and U+2028/U+2029 are
 * escaped too. JSON.parse reads it back unchanged.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Text for an HTML element's content or an attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/** A script's text made safe to sit in a `<script>` element: no `</script` or `<!--` inside it. */
export function inlineScript(code: string): string {
  // Both only ever occur in string literals and comments of the bundle, where `<\/` and `<\!` read the same.
  return code.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** The id of the element holding task `id`'s climb. */
export const taskElementId = (id: number): string => `rungs-task-${id}`;

/**
 * The page, in pieces (a run of 10,000 tasks is tens of MB; the caller streams them to a file). One
 * self-contained HTML document: the data in JSON blocks (each task's climb in its own, parsed when it is
 * opened), then the script. A Content-Security-Policy allows that one script (by its hash) and nothing from
 * the network, so even text that got past the page's escaping could neither run nor call out.
 */
export function* pageChunks(
  data: PageData,
  details: readonly TaskDetail[],
  script: string,
): Generator<string> {
  const code = inlineScript(script);
  const hash = createHash("sha256").update(code, "utf8").digest("base64");
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${hash}'`,
    "style-src 'unsafe-inline'",
    "img-src data: blob:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const title =
    data.mode === "run" ? `rungs view: ${data.run.title}` : `rungs view: ${data.a.title} vs ${data.b.title}`;
  yield `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rungs view">
<title>${escapeHtml(title)}</title>
</head>
<body>
<noscript>This page draws the run with JavaScript; allow scripts for this file to see it.</noscript>
<div id="app"></div>
<script type="application/json" id="rungs-data">${embedJson(data)}</script>
`;
  for (const [id, detail] of details.entries()) {
    yield `<script type="application/json" id="${taskElementId(id)}">${embedJson(detail)}</script>\n`;
  }
  yield `<script>${code}</script>\n</body>\n</html>\n`;
}
