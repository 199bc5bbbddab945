// Judging streamed prefixes is sound: a rule's checkPrefix fails a prefix only when every output that starts
// with it fails the rule's check. The harness finds its own subjects: every function of the export map whose
// type says it builds a Rule or a Rubric (read with the TypeScript checker), built here with representative
// options (a new builder fails the test until it has some), and every IFEval instruction id. Each rule that
// has checkPrefix is then driven by fast-check with prefixes and continuations made of the text its
// judgement turns on, and must fail some prefix (so the property cannot hold by never failing).
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { exportEntries } from "../../bench/linear/discover.js";
import {
  defineRubric,
  escalateAcross,
  json,
  jsPattern,
  judgeRule,
  length,
  matches,
  nonEmpty,
  notMatches,
  type PrefixOutcome,
  predicate,
  type Rubric,
  type Rule,
  type RuleOutcome,
  streamModel,
  structured,
  validToolCalls,
} from "../../src/index.js";
import {
  type InstructionId,
  type InstructionKwargs,
  ifevalRubric,
  instructionIds,
} from "../../src/rubric/ifeval/index.js";
import { scriptedModel } from "../../src/testing/index.js";

/** `rungs:notMatches`, ... : every exported function that returns a Rule or a Rubric, by its declared type. */
async function discoverRuleBuilders(): Promise<string[]> {
  const entries = await exportEntries();
  const program = ts.createProgram(
    entries.map((entry) => entry.source),
    {
      strict: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      noEmit: true,
    },
  );
  const checker = program.getTypeChecker();
  const found: string[] = [];
  for (const { specifier, source } of entries) {
    const file = program.getSourceFile(source);
    const module = file === undefined ? undefined : checker.getSymbolAtLocation(file);
    if (module === undefined) throw new Error(`${specifier}: ${source} not in the program`);
    for (const symbol of checker.getExportsOfModule(module)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const returns = checker
        .getTypeOfSymbol(target)
        .getCallSignatures()
        .map((signature) => {
          const type = signature.getReturnType();
          return (type.aliasSymbol ?? type.getSymbol())?.getName();
        });
      if (returns.some((name) => name === "Rule" || name === "Rubric"))
        found.push(`${specifier}:${symbol.getName()}`);
    }
  }
  return found;
}

type Built = Rule<string> | Rubric<string>;

/** A custom rule that declares it can judge prefixes (what a caller's own rule looks like). */
const customTodo: Rule = {
  id: "custom-no-todo",
  check: (text) => !text.includes("TODO"),
  checkPrefix: (prefix) => !prefix.includes("TODO"),
};

const judge = scriptedModel("judge", ['{"pass": true, "reason": "fine"}']);

/** Representative options of every rule builder, chosen to cover each way its prefix judgement can go. */
const builders: Record<string, () => Built[]> = {
  "rungs:notMatches": () => [
    notMatches("todo", /TODO/),
    notMatches("end-anchored", [/end$/, "(?m)^fin$"]),
    notMatches("word-bounded", /\bcat\b/i),
    notMatches("not-word-bounded", /ca\B/),
    notMatches("begin-anchored", /^\s*Sure/),
    notMatches("astral", ["\\x{1F600}", "\\x{1D400}x"]),
    notMatches("lone-surrogate", "\\x{D83D}"),
    notMatches("empty-match", "z*"),
    notMatches("js-lookahead", [jsPattern(/cat(?!s)/), /TODO/]),
    notMatches("only-js", jsPattern(/x(?=y)/)),
  ],
  "rungs:length": () => [
    length("chars", { max: 24 }),
    length("words", { max: 3, unit: "words" }),
    length("lines", { max: 2, unit: "lines" }),
    length("range", { min: 2, max: 3, unit: "words" }),
    length("min-only", { min: 3, unit: "lines" }),
  ],
  "rungs:json": () => [
    json("json", z.object({ a: z.number() })),
    json("json-no-fence", z.unknown(), { allowCodeFence: false }),
  ],
  "rungs:structured": () => [
    structured("structured", z.object({ a: z.number() })),
    structured("structured-whole", z.unknown(), { allowProse: false, allowCodeFence: false }),
    structured("structured-small", z.unknown(), {
      allowProse: false,
      allowCodeFence: false,
      maxJsonChars: 12,
      maxDepth: 2,
    }),
    structured("structured-fences", z.unknown(), { allowProse: false }),
  ],
  "rungs:matches": () => [matches("has-cat", /cat/)],
  "rungs:nonEmpty": () => [nonEmpty()],
  "rungs:predicate": () => [predicate("short", (text: string) => text.length < 30)],
  "rungs:judgeRule": () => [judgeRule("judged", judge, { criteria: "is fine" })],
  "rungs:validToolCalls": () => [validToolCalls()],
  "rungs:defineRubric": () => [defineRubric({ id: "custom", rules: [customTodo] })],
  "rungs/ifeval:ifevalRubric": () =>
    instructionIds.flatMap((id) =>
      ifevalKwargs[id].flatMap((kwargs, key) =>
        (["strict", "loose"] as const).map((mode) =>
          ifevalRubric(
            { key, prompt: "Say hi to the cat.", instruction_id_list: [id], kwargs: [kwargs] },
            { mode },
          ),
        ),
      ),
    ),
};

/** Kwargs for every IFEval instruction, both relations where it takes one. */
const ifevalKwargs: Record<InstructionId, InstructionKwargs[]> = {
  "keywords:existence": [{ keywords: ["cat"] }],
  "keywords:frequency": [
    { keyword: "cat", frequency: 2, relation: "less than" },
    { keyword: "aa", frequency: 2, relation: "less than" },
    { keyword: "cat", frequency: 2, relation: "at least" },
  ],
  "keywords:forbidden_words": [{ forbidden_words: ["cat", "TODO"] }],
  "keywords:letter_frequency": [
    { letter: "a", let_frequency: 3, let_relation: "less than" },
    { letter: "σ", let_frequency: 1, let_relation: "less than" },
    { letter: "a", let_frequency: 3, let_relation: "at least" },
  ],
  "language:response_language": [{ language: "en" }],
  "length_constraints:number_sentences": [{ num_sentences: 2, relation: "less than" }],
  "length_constraints:number_paragraphs": [{ num_paragraphs: 2 }],
  "length_constraints:number_words": [
    { num_words: 4, relation: "less than" },
    { num_words: 4, relation: "at least" },
  ],
  "length_constraints:nth_paragraph_first_word": [{ num_paragraphs: 2, nth_paragraph: 1, first_word: "cat" }],
  "detectable_content:number_placeholders": [{ num_placeholders: 1 }],
  "detectable_content:postscript": [{ postscript_marker: "P.S." }],
  "detectable_format:number_bullet_lists": [{ num_bullets: 1 }],
  "detectable_format:constrained_response": [{}],
  "detectable_format:number_highlighted_sections": [{ num_highlights: 1 }],
  "detectable_format:multiple_sections": [{ section_spliter: "Section", num_sections: 2 }],
  "detectable_format:json_format": [{}],
  "detectable_format:title": [{}],
  "combination:two_responses": [{}],
  "combination:repeat_prompt": [{ prompt_to_repeat: "Say hi ΣA" }],
  "startend:end_checker": [{ end_phrase: "Bye." }],
  "change_case:capital_word_frequency": [{ capital_frequency: 2, capital_relation: "less than" }],
  "change_case:english_capital": [{}],
  "change_case:english_lowercase": [{}],
  "punctuation:no_comma": [{}],
  "startend:quotation": [{}],
};

/** The pieces the rules above turn on: their words, JSON, fences, line breaks, case, surrogate halves. */
const pieces = [
  "TODO",
  "TOD",
  "O",
  "cat",
  "Cat",
  "CAT",
  "cats",
  "s",
  "aa",
  "aaa",
  "a",
  "A",
  "end",
  "fin",
  "\nfin\n",
  "Sure",
  "Say hi",
  "say hi ",
  "σα",
  "Σ",
  "ΣA",
  "İ",
  " ",
  "  ",
  "\t",
  "\u00a0",
  "\n",
  "\r",
  "\r\n",
  "\n\n",
  ",",
  ".",
  "!",
  "*",
  "* ",
  "- ",
  "\n* b",
  "\n- ",
  "***",
  "******",
  "cat******",
  "******cat ",
  "{",
  "}",
  "[",
  "]",
  '"',
  ":",
  '{"a": ',
  '"a"',
  "1",
  "0",
  "-",
  "e",
  "true",
  "nul",
  "`",
  "```",
  "```json\n",
  "```Json",
  "x",
  "y",
  "z",
  "\u{1F600}",
  "\uD83D",
  "\uDE00",
  "\u{1D400}",
  "\uD835",
  "\uDC00",
  "<<",
  ">>",
  "[name]",
  "P.S.",
  "Section 1",
];

const piece = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...pieces) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 3 }) },
);
const text = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(""));
/**
 * A prefix and a continuation: two texts, a text repeated (repeats make counts and equal pieces) and another,
 * or one text cut anywhere (in a word, a fence, a surrogate pair).
 */
const prefixAndRest = fc.oneof(
  fc.tuple(text, text),
  fc.tuple(text, text).map(([prefix, rest]): [string, string] => [prefix.repeat(3), rest]),
  text.chain((whole) =>
    fc.nat({ max: whole.length }).map((at): [string, string] => [whole.slice(0, at), whole.slice(at)]),
  ),
);

function rulesOf(built: Built): Rule<string>[] {
  return "evaluate" in built ? [...built.rules] : [built];
}

function prefixFails(outcome: PrefixOutcome | undefined): boolean {
  return outcome === false || (typeof outcome === "object" && outcome !== null && outcome.pass === false);
}

function passes(outcome: RuleOutcome): boolean {
  return typeof outcome === "boolean" ? outcome : outcome.pass;
}

describe("Rule.checkPrefix", () => {
  it("the harness knows every exported rule builder, and nothing that is gone", async () => {
    const discovered = await discoverRuleBuilders();
    expect(discovered).toContain("rungs:notMatches");
    expect(discovered).toContain("rungs/ifeval:ifevalRubric");
    expect(discovered.filter((key) => !(key in builders))).toEqual([]);
    expect(Object.keys(builders).filter((key) => !discovered.includes(key))).toEqual([]);
  }, 60_000);

  it("fails a prefix only when every output starting with it fails the rule (every builder, every IFEval id)", async () => {
    const judged: string[] = [];
    const vacuous: string[] = [];
    for (const [builder, build] of Object.entries(builders)) {
      for (const built of build()) {
        for (const rule of rulesOf(built)) {
          const checkPrefix = rule.checkPrefix;
          if (checkPrefix === undefined) continue;
          const name = `${builder} ${rule.id}${"evaluate" in built ? ` (${built.id})` : ""}`;
          judged.push(name);
          let failed = 0;
          await fc.assert(
            fc.asyncProperty(prefixAndRest, async ([prefix, rest]) => {
              if (!prefixFails(checkPrefix(prefix, {}))) return;
              failed += 1;
              // A check that throws fails its rule in a rubric (an errored result), like any failure.
              const whole = await Promise.resolve()
                .then(() => rule.check(prefix + rest, {}))
                .catch(() => false);
              if (passes(whole)) {
                throw new Error(
                  `${name}: the prefix ${JSON.stringify(prefix)} failed, yet ${JSON.stringify(prefix + rest)} passes`,
                );
              }
            }),
            { numRuns: 3_000 },
          );
          if (failed === 0) vacuous.push(name);
        }
      }
    }
    // The rules that judge prefixes, found rather than listed: a builder that gains checkPrefix shows here.
    expect(judged.length).toBeGreaterThanOrEqual(20);
    expect(vacuous, "rules whose checkPrefix never failed a generated prefix").toEqual([]);
  }, 240_000);

  it("is given by exactly the rules that can judge a prefix", () => {
    const has = (rule: Rule<string>) => rule.checkPrefix !== undefined;
    expect(has(notMatches("n", /TODO/))).toBe(true);
    expect(has(notMatches("n", jsPattern(/x(?=y)/)))).toBe(false);
    expect(has(length("l", { max: 3 }))).toBe(true);
    expect(has(length("l", { min: 3 }))).toBe(false);
    expect(has(json("j", z.unknown()))).toBe(true);
    expect(has(structured("s", z.unknown()))).toBe(false);
    expect(has(structured("s", z.unknown(), { allowProse: false }))).toBe(false);
    expect(has(structured("s", z.unknown(), { allowProse: false, allowCodeFence: false }))).toBe(true);
    expect(has(matches("m", /x/))).toBe(false);
    expect(has(nonEmpty())).toBe(false);
  });
});

describe("notMatches judging prefixes", () => {
  const failsOn = (rule: Rule<string>, prefix: string) => prefixFails(rule.checkPrefix?.(prefix, {}));

  it("fails a prefix holding a match, naming it, and passes one without", () => {
    const rule = notMatches("no-todo", /TODO/);
    expect(rule.checkPrefix?.("fine so far, TODO", {})).toMatchObject({
      pass: false,
      message: expect.stringContaining('Found "TODO" (/TODO/) on line 1'),
    });
    expect(failsOn(rule, "fine so far, TOD")).toBe(false);
  });

  it("waits for the next character when the pattern reads past the match ($, \\b, \\B)", () => {
    const bounded = notMatches("cat", /\bcat\b/);
    expect(failsOn(bounded, "a cat")).toBe(false); // "a cats" passes
    expect(failsOn(bounded, "a cat.")).toBe(true);
    const endOfLine = notMatches("fin", "(?m)^fin$");
    expect(failsOn(endOfLine, "fin")).toBe(false);
    expect(failsOn(endOfLine, "fin\nmore")).toBe(true);
    expect(failsOn(notMatches("end", /end$/), "the end")).toBe(false); // never sure: more text may follow
  });

  it("does not judge on half a surrogate pair, nor with a JS-engine pattern", () => {
    expect(failsOn(notMatches("half", "\\x{D83D}"), "smile \uD83D")).toBe(false);
    expect(failsOn(notMatches("js", jsPattern(/TODO(?!!)/)), "TODO later")).toBe(false);
    // In a list, the linear-time patterns still judge.
    expect(failsOn(notMatches("mixed", [jsPattern(/x(?=y)/), /TODO/]), "TODO later")).toBe(true);
  });
});

describe("a stream under notMatches", () => {
  it("is stopped soon after a TODO, long before its end, and the next rung answers", async () => {
    const long = `Step one: TODO fill this in. ${"Then more careful prose follows here. ".repeat(60)}`;
    const first = scriptedModel("first", [long], { streamChunkChars: 8 });
    const second = scriptedModel("second", ["All steps are written out."]);
    const rubric = defineRubric({ id: "done", rules: [notMatches("no-todo", /TODO/)] });
    let text = "";
    for await (const part of streamModel(escalateAcross([first, second], { rubric }), { prompt: "Steps?" })) {
      if (part.type === "finish") text = part.generation.text;
    }
    expect(text).toBe("All steps are written out.");
    const stream = first.calls[0]?.stream;
    expect(stream).toMatchObject({ finished: false, cancelled: true });
    // The TODO ends at char 15; the geometric schedule checks again by 32 + a quarter of the text.
    expect(stream!.deltas * 8).toBeLessThan(200);
  });
});
