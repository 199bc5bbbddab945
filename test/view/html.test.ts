import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PageData } from "../../src/view/data.js";
import { embedJson, escapeHtml, inlineScript, pageChunks } from "../../src/view/html.js";

// Text that tries to leave a script element or start markup, mixed into arbitrary strings.
const hostileText = fc
  .array(
    fc.oneof(
      fc.string(),
      fc.constantFrom(
        "</script>",
        "</SCRIPT >",
        "<!--",
        "-->",
        "<script>",
        "\u2028",
        "\u2029",
        "&lt;",
        "<img onerror=x>",
        "\u001b[31m",
      ),
    ),
  )
  .map((parts) => parts.join(""));

describe("embedJson", () => {
  it("reads back unchanged and holds no character that markup reads, for any JSON value", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), hostileText), (value) => {
        const embedded = embedJson(value);
        expect(embedded).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(embedded)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });
});

describe("inlineScript", () => {
  it("leaves no </script or <!-- in a script, whatever its string literals hold", () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const code = inlineScript(`var s = ${JSON.stringify(text)};`);
        expect(code).not.toMatch(/<\/script|<!--/i);
        // The same string, read as JavaScript.
        expect(new Function(`${code}; return s;`)()).toBe(text);
      }),
    );
  });
});

describe("pageChunks", () => {
  const run = (title: string): PageData => ({
    mode: "run",
    run: {
      format: 1,
      title,
      dir: "/runs/x",
      source: "records",
      outcomes: { accepted: 0, exhausted: 0, blocked: 0, unfinished: 1 },
      attempts: 1,
      accepted: 0,
      calls: 1,
      inputTokens: 0,
      outputTokens: 0,
      unpriced: [],
      rungs: [],
      byKind: {},
      tasks: [],
      warnings: [],
    },
  });

  it("escapes the title, inlines one script allowed by its hash, and opens nothing to the network", () => {
    const page = [
      ...pageChunks(run(`</title><script>alert(1)</script>`), [], "console.log('</script>')"),
    ].join("");
    expect(page).toContain("<title>rungs view: &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>");
    expect(page.match(/<script>/g)).toHaveLength(1);
    expect(page).toContain("<script>console.log('<\\/script>')</script>");
    const csp = /content="([^"]*)"/.exec(page)![1]!.replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  });

  it("puts each task's climb in its own JSON block", () => {
    const details = [
      { name: "a</script>", attempts: [], events: [] },
      { name: "b", attempts: [], events: [] },
    ];
    const page = [...pageChunks(run("t"), details, "")].join("");
    expect(page).toContain(
      '<script type="application/json" id="rungs-task-0">{"name":"a\\u003c/script\\u003e"',
    );
    expect(page).toContain('id="rungs-task-1"');
  });
});

describe("escapeHtml", () => {
  it("escapes the five characters markup reads", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });
});
