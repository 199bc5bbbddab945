// Linear time on hostile text: how long the redactor, every IFEval rule and each primitive's handling of
// a model's answer take from 10 K to 1 M characters, on ordinary prose and on adversarial text (long runs
// of one character, whitespace, newlines, markup). A super-linear scan shows as a growth exponent near 2.

import { continueUntilComplete } from "../../src/primitives/continue-until-complete.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { retryWithContext } from "../../src/primitives/retry-with-context.js";
import { treeSplit } from "../../src/primitives/tree-split.js";
import { redactText, redactValue } from "../../src/redact.js";
import { followInstructions } from "../../src/rubric/ifeval/index.js";
import { parseJudgeReply } from "../../src/rubric/judge.js";
import { defineRubric } from "../../src/rubric/rubric.js";
import { length, matches, predicate } from "../../src/rubric/rules.js";
import { scriptedModel } from "../../src/testing/scripted-model.js";
import type { BenchReport } from "../lib/report.js";
import { verdictWord } from "../lib/report.js";
import { fmt } from "../lib/stats.js";
import { markdownTable } from "../lib/table.js";
import { ifevalSubjects } from "./ifeval-subjects.js";

/** One subject: what it does with a text of `n` characters (sync or async). */
interface Subject {
  name: string;
  run(text: string): unknown;
}

// 10 K and 100 K show the small end; the growth exponent is fitted over the top quarter decade (250 K → 1 M),
// where the work dwarfs timer and GC noise and treeSplit (budget 200 K chars) really splits.
const sizes = [10_000, 100_000, 250_000, 1_000_000] as const;

/** Inputs: ordinary prose, then the shapes that make backtracking scans quadratic. */
export const inputs: Record<string, (n: number) => string> = {
  prose: (n) =>
    repeatTo(
      "The quick brown fox jumps over the lazy dog, twice. *Why?* See [the note] at https://example.com/a?b=c.\n\n- One point.\n* Another point; <<A title>>.\n",
      n,
    ),
  "a…": (n) => "a".repeat(n),
  "spaces…x": (n) => `${" ".repeat(n - 1)}x`,
  "newlines…x": (n) => `${"\n".repeat(n - 1)}x`,
  "<<<…": (n) => "<".repeat(n),
  "[[[…": (n) => "[".repeat(n),
  "***…": (n) => "*".repeat(n),
  "a-a-…": (n) => repeatTo("a-", n),
  ". . …": (n) => repeatTo(". ", n),
  "sk-sk-…": (n) => repeatTo("sk-", n),
  "markup mix": (n) => repeatTo("x:*<[ ,.'\"`-\n", n),
};

function repeatTo(unit: string, n: number): string {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

const rejectFirst = defineRubric({
  id: "bench-linear",
  rules: [predicate("not-marked", (text: string) => !text.startsWith("!"))],
});

const subjects: Subject[] = [
  { name: "redactText", run: (text) => redactText(text) },
  {
    name: "redactValue (a record)",
    run: (text) => redactValue({ attempts: [{ output: text, error: { message: text } }] }),
  },
  ...ifevalSubjects.map(({ id, kwargs }) => ({
    name: `ifeval ${id} (loose)`,
    run: (text: string) =>
      followInstructions({ prompt: "Write an email", instruction_id_list: [id], kwargs: [kwargs] }, text, {
        mode: "loose",
      }),
  })),
  {
    name: "ifeval all 25 (strict)",
    run: (text) =>
      followInstructions(
        {
          prompt: "Write an email",
          instruction_id_list: ifevalSubjects.map((s) => s.id),
          kwargs: ifevalSubjects.map((s) => s.kwargs),
        },
        text,
      ),
  },
  {
    name: "rule length (words)",
    run: (text) => defineRubric({ id: "l", rules: [length("w", { min: 1, unit: "words" })] }).evaluate(text),
  },
  {
    name: "rule matches (re2)",
    run: (text) => defineRubric({ id: "m", rules: [matches("m", "(a+)+$")] }).evaluate(text),
  },
  {
    name: "parseJudgeReply",
    run: (text) => {
      try {
        parseJudgeReply(text);
      } catch {}
    },
  },
  {
    name: "retryWithContext (feedback)",
    run: (text) =>
      retryWithContext(scriptedModel("m", [`!${text}`, "ok"]), { rubric: rejectFirst }).generate({
        messages: [{ role: "user", content: "q" }],
      }),
  },
  {
    name: "escalateAcross (feedback)",
    run: (text) =>
      escalateAcross([{ model: scriptedModel("a", [`!${text}`]) }, { model: scriptedModel("b", ["ok"]) }], {
        rubric: rejectFirst,
      }).generate({
        messages: [{ role: "user", content: "q" }],
      }),
  },
  {
    name: "continueUntilComplete (seam)",
    run: (text) => {
      const half = text.length >> 1;
      return continueUntilComplete(
        scriptedModel(
          "c",
          [{ text: text.slice(0, half), finishReason: "length" }, text.slice(Math.max(0, half - 500))],
          {
            whenDone: "repeat-last",
          },
        ),
        { maxTotalChars: 3_000_000 },
      ).generate({ messages: [{ role: "user", content: "q" }] });
    },
  },
  {
    name: "treeSplit (split + render)",
    run: (text) =>
      treeSplit(scriptedModel("t", ["note"], { whenDone: "repeat-last" }), {
        promptLimit: { chars: 200_000 },
        concurrency: 8,
      }).generate({
        messages: [{ role: "user", content: "q" }],
        context: [text],
      }),
  },
];

async function timeOnce(subject: Subject, text: string): Promise<number> {
  const started = performance.now();
  await subject.run(text);
  return performance.now() - started;
}

/** Median per-call ms: small inputs repeat until 30 ms have passed (timer resolution), at most 7 samples. */
async function timeOf(subject: Subject, text: string): Promise<number> {
  await timeOnce(subject, text.slice(0, 1000)); // warm the JIT
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < 7 && (spent < 30 || samples.length < 3)) {
    const ms = await timeOnce(subject, text);
    samples.push(ms);
    spent += ms;
    if (ms > 2_000) break; // already far past linear: one sample is enough
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1] as number;
}

/** The growth exponent k in t ∝ n^k over the 4× step from 250 K to 1 M: 1 is linear, 2 quadratic. */
const exponent = (small: number, large: number) =>
  Math.log(Math.max(large, 0.01) / Math.max(small, 0.01)) / Math.log(4);

export async function runLinear(): Promise<BenchReport> {
  const only = process.env.RUNGS_LINEAR_ONLY;
  const rows: string[][] = [];
  let worst = { exponent: 0, where: "" };
  const texts = new Map<string, string>();
  for (const [kind, make] of Object.entries(inputs))
    for (const n of sizes) texts.set(`${kind}@${n}`, make(n));
  for (const subject of subjects) {
    if (only !== undefined && !subject.name.includes(only)) continue;
    // The worst input for this subject: the one with the steepest growth from 10 K to 1 M.
    let row: { kind: string; ms: number[]; exp: number } | undefined;
    let proseMs: number[] = [];
    for (const kind of Object.keys(inputs)) {
      const ms: number[] = [];
      for (const n of sizes) {
        const t = await timeOf(subject, texts.get(`${kind}@${n}`) as string);
        ms.push(t);
        if (t > 20_000) break; // super-linear: stop before 1 M takes hours
      }
      while (ms.length < sizes.length) ms.push(Number.POSITIVE_INFINITY);
      const exp = exponent(ms[2] as number, ms[3] as number);
      if (kind === "prose") proseMs = ms;
      if (
        row === undefined ||
        exp > row.exp ||
        (exp === row.exp && (ms[3] as number) > (row.ms[3] as number))
      )
        row = { kind, ms, exp };
    }
    if (row === undefined) continue;
    // Under 50 ms at 1 M the ratio is dominated by timer and GC noise, not growth (quadratic would be minutes).
    const significant = (row.ms[3] as number) >= 50;
    if (significant && row.exp > worst.exponent)
      worst = { exponent: row.exp, where: `${subject.name} on ${row.kind}` };
    rows.push([
      subject.name,
      proseMs.map((t) => fmt(t)).join(" / "),
      row.kind,
      row.ms.map((t) => (Number.isFinite(t) ? fmt(t) : "—")).join(" / "),
      Number.isFinite(row.exp) ? fmt(row.exp, 2) : "> 2",
    ]);
    process.stderr.write(`linear: ${subject.name} done\n`);
  }
  const markdown = [
    markdownTable(
      [
        "subject",
        "prose: ms at 10 K / 100 K / 250 K / 1 M chars",
        "steepest input",
        "its ms at 10 K / 100 K / 250 K / 1 M",
        "growth exponent 250 K → 1 M",
      ],
      rows,
    ),
    "",
    `Inputs: ${Object.keys(inputs).join(", ")}. Each cell is the median of up to 7 runs. The growth exponent k fits t ∝ nᵏ from 250 K to 1 M (log(t(1 M) / t(250 K)) / log 4): 1 is linear, 2 quadratic. A row whose 1 M time is under 50 ms counts as met whatever its exponent: a quadratic scan would take minutes there, and such short times are dominated by GC and timer noise.`,
  ].join("\n");
  return {
    title: "Linear time on hostile text (10 K → 1 M chars)",
    markdown,
    targets: [
      `every subject's growth exponent from 250 K to 1 M chars ≤ 1.3 on every input (or under 50 ms at 1 M): worst ${fmt(worst.exponent, 2)} (${worst.where || "none"}) — ${verdictWord(worst.exponent <= 1.3)}`,
    ],
  };
}
