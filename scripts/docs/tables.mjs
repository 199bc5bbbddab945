// The marked regions of the Markdown and what belongs in each, from the source facts (source-facts.mjs).
//
//   <!-- generated:NAME -->            written by `npm run docs:tables`, compared by `npm run check:docs`;
//   ...                                on one line it is an inline list, on its own lines a table.
//   <!-- /generated -->
//
//   <!-- checked:NAME -->              written by hand (the descriptions live there); `npm run check:docs`
//   | `key` | words |                  holds the first `code` of each table row or list item to the source's
//   <!-- /checked -->                  set of keys, so a key added, renamed or removed in src fails the check.

/** What each generated region holds. */
export const generators = {
  subpaths: (facts) =>
    table(
      ["import", "entry", "what"],
      facts.subpaths.map((row) =>
        row.source
          ? [code(row.subpath), code(row.source), row.doc]
          : [code(row.subpath), code(row.file ?? ""), "a file the build writes, exported as is"],
      ),
    ),
  errors: (facts) =>
    table(
      ["class", "import", "extends", "when", "carries"],
      facts.errors.map((row) => [
        code(row.name),
        code(row.subpath),
        code(row.extends),
        firstSentence(row.doc),
        row.fields.map(code).join(", "),
      ]),
    ),
  "errors-brief": (facts) =>
    table(
      ["error", "when", "carries"],
      facts.errors.map((row) => [
        row.subpath === "rungs" ? code(row.name) : `${code(row.name)} (${code(row.subpath)})`,
        firstSentence(row.doc),
        row.fields.map(code).join(", "),
      ]),
    ),
  limits: (facts) =>
    table(
      ["limit", "fires when", "from a shared `Budget`"],
      produced(facts.limits).map((row) => [
        code(row.value),
        row.doc,
        row.fromBudget ? "yes (`BudgetExhaustedError`)" : "",
      ]),
    ),
  "limit-names": (facts) =>
    produced(facts.limits)
      .map((row) => code(row.value))
      .join(", "),
  events: (facts) =>
    table(
      ["event", "payload (besides `path`, `timestamp`)", "when"],
      facts.events.map((row) => [
        code(row.name),
        `${code(row.payload)}: ${row.fields.map(code).join(", ")}`,
        row.doc,
      ]),
    ),
  "event-names": (facts) => facts.events.map((row) => code(row.name)).join(", "),
  "call-option-names": (facts) => facts.callOptions.map((row) => code(row.name)).join(", "),
  "generation-fields": (facts) =>
    `\`{ ${facts.generation.map((row) => `${row.name}${row.optional ? "?" : ""}`).join(", ")} }\``,
  "skip-reason-names": (facts) =>
    produced(facts.skipReasons)
      .map((row) => code(row.value))
      .join(", "),
  "call-options": (facts) =>
    table(
      ["option", "type", "what"],
      facts.callOptions.map((row) => [
        code(row.name),
        code(row.type),
        `${row.doc}${row.default ? ` Default: ${code(row.default)}.` : ""}`,
      ]),
    ),
};

/** The key sets the checked regions are held to. */
export const checkedKeys = {
  subpaths: (facts) => facts.subpaths.map((row) => row.subpath),
  "skip-reasons": (facts) => produced(facts.skipReasons).map((row) => row.value),
  "call-options": (facts) => facts.callOptions.map((row) => row.name),
  events: (facts) => facts.events.map((row) => row.name),
  limits: (facts) => produced(facts.limits).map((row) => row.value),
};

/**
 * Union members the source declares but never produces (no src file sets them): left out of the docs, and
 * reported, since a reader would wait for a value that never comes.
 */
export function unproduced(facts) {
  return [
    ...facts.skipReasons
      .filter((row) => row.producedIn.length === 0)
      .map((row) => `SkipReason "${row.value}"`),
    ...facts.limits
      .filter((row) => row.producedIn.length === 0)
      .map((row) => `ExhaustionLimit "${row.value}"`),
  ];
}

const regionPattern = /<!-- (generated|checked):([\w-]+) -->([\s\S]*?)<!-- \/\1 -->/g;

/**
 * Regenerates the generated regions of one Markdown text and checks its checked regions.
 * @returns `{ text, stale, problems }`: the text with every generated region up to date, the generated
 *   regions that differed (`{ name, line, before, after }`) and the checked regions' problems (strings).
 */
export function applyRegions(markdown, facts, file) {
  const stale = [];
  const problems = [];
  const text = markdown.replace(regionPattern, (whole, kind, name, body, offset) => {
    const line = markdown.slice(0, offset).split("\n").length;
    const where = `${file}:${line}`;
    if (kind === "generated") {
      const generate = generators[name];
      if (!generate) {
        problems.push(
          `${where}: unknown generated region "${name}" (known: ${Object.keys(generators).join(", ")})`,
        );
        return whole;
      }
      const block = body.startsWith("\n");
      const fresh = generate(facts);
      const after = block ? `\n${fresh}\n` : fresh;
      if (after !== body) stale.push({ where, name, before: body.trim(), after: fresh });
      return `<!-- generated:${name} -->${after}<!-- /generated -->`;
    }
    const keysOf = checkedKeys[name];
    if (!keysOf) {
      problems.push(
        `${where}: unknown checked region "${name}" (known: ${Object.keys(checkedKeys).join(", ")})`,
      );
      return whole;
    }
    const expected = keysOf(facts);
    const found = rowKeys(body);
    const missing = expected.filter((key) => !found.includes(key));
    const extra = found.filter((key) => !expected.includes(key));
    const doubled = found.filter((key, index) => found.indexOf(key) !== index);
    if (missing.length + extra.length + doubled.length > 0) {
      problems.push(
        `${where}: the hand-written "${name}" list disagrees with the source:` +
          (missing.length ? ` missing ${missing.map(code).join(", ")};` : "") +
          (extra.length ? ` not in the source ${extra.map(code).join(", ")};` : "") +
          (doubled.length ? ` listed twice ${doubled.map(code).join(", ")};` : "") +
          ` the source has ${expected.map(code).join(", ")}. Edit the list by hand (its words are written there).`,
      );
    }
    return whole;
  });
  return { text, stale, problems };
}

/** The first `code` span of each table body row and each list item. */
function rowKeys(body) {
  const keys = [];
  let tableLine = 0;
  for (const line of body.split("\n")) {
    const isRow = /^\s*\|/.test(line);
    tableLine = isRow ? tableLine + 1 : 0;
    // Table rows after the header and its separator; list items at any depth.
    if ((isRow && tableLine > 2) || /^\s*(?:[-*]|\d+\.)\s/.test(line)) {
      const key = /`([^`]+)`/.exec(line)?.[1];
      if (key !== undefined) keys.push(key);
    }
  }
  return keys;
}

function produced(rows) {
  return rows.filter((row) => row.producedIn.length > 0);
}

function table(header, rows) {
  const cell = (text) => String(text).replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}

function code(text) {
  return `\`${text}\``;
}

/** The doc's first sentence (up to ". ", or a ":"/";" that ends a line, outside `code`), no trailing colon. */
function firstSentence(doc) {
  let inCode = false;
  let end = doc.length;
  for (let i = 0; i < doc.length; i += 1) {
    const char = doc[i];
    const rest = doc.slice(i + 1);
    if (char === "`") inCode = !inCode;
    else if (inCode) continue;
    else if ((char === "." && /^(\s|$)/.test(rest)) || (/[:;]/.test(char ?? "") && /^[ \t]*\n/.test(rest))) {
      end = i;
      break;
    } else if (char === "\n" && /^[ \t]*\n/.test(rest)) {
      end = i;
      break;
    }
  }
  return `${doc.slice(0, end).replace(/\s+/g, " ").trim()}.`;
}
