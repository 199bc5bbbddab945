import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { parseOptions } from "../options.js";
import { capText } from "../text/cap.js";
import { array, object, string, union } from "../validate/check.js";
import type { Rubric, RuleContext, Verdict } from "./types.js";

/** A known sample: its text, or a name and text (the name shows in reports). */
export type CalibrationSample =
  | string
  | {
      /** A name for the sample in the report. */
      name: string;
      /** The sample output. */
      text: string;
    };

/** Known-good and known-bad samples for {@link calibrate}. */
export interface CalibrationSamples {
  /** Outputs the rubric must accept. */
  accept: readonly CalibrationSample[];
  /** Outputs the rubric must reject. */
  reject: readonly CalibrationSample[];
}

/** A sample the rubric judged wrongly. */
export interface Miscalibration {
  /** The sample's name, or `accept[3]` / `reject[0]`. */
  name: string;
  /** 0-based index in its list. */
  index: number;
  /** The sample's first 200 characters. */
  excerpt: string;
  /** The rubric's verdict on the sample. */
  verdict: Verdict;
  /** Ids of the rules that failed (for a wrongly accepted sample, those that failed without rejecting it). */
  failedRules: readonly string[];
}

/** How each rule behaved over the samples: a rule that never fails on a bad sample does not discriminate. */
export interface RuleCalibration {
  /** The rule's id. */
  ruleId: string;
  /** Good samples it failed (each a possible false alarm). */
  failedOnAccept: number;
  /** Bad samples it failed (each a catch). */
  failedOnReject: number;
}

/** What {@link calibrate} found. */
export interface CalibrationReport {
  /** The calibrated rubric's id. */
  rubricId: string;
  /** True when every good sample is accepted and every bad one rejected. */
  calibrated: boolean;
  /** Good samples the rubric rejected, with the rules that rejected them. */
  wronglyRejected: readonly Miscalibration[];
  /** Bad samples the rubric accepted. */
  wronglyAccepted: readonly Miscalibration[];
  /** How each rule behaved, in rule order. */
  rules: readonly RuleCalibration[];
  /** Counts: `{ accept: n, reject: n }` samples judged. */
  counts: {
    /** Good samples judged. */
    accept: number;
    /** Bad samples judged. */
    reject: number;
  };
  /** Multi-line human summary, for test failures and logs. */
  summary: string;
}

const sampleSchema = union(
  [string(), object({ name: string(), text: string() }, { unknownKeys: "allow" })],
  "must be a string or { name, text }",
);
const samplesSchema = object(
  {
    accept: array(sampleSchema, { message: "must be an array of samples" }),
    reject: array(sampleSchema, { message: "must be an array of samples" }),
  },
  { unknownKeys: "allow" },
);

/**
 * Tests a rubric like code: evaluates it on known-good samples (`accept`) and known-bad ones (`reject`),
 * one at a time (so judge rules do not flood a model), and reports which good samples it wrongly rejects
 * (and by which rules) and which bad ones it wrongly accepts.
 *
 * @throws InvalidArgumentError when `samples` is not `{ accept: [...], reject: [...] }` or both lists are empty.
 * @example
 * const report = await calibrate(rubric, { accept: goodSamples, reject: badSamples });
 * if (!report.calibrated) console.log(report.summary);
 */
export async function calibrate(
  rubric: Rubric<string>,
  samples: CalibrationSamples,
  ctx: RuleContext = {},
): Promise<CalibrationReport> {
  // What calibrate calls on the rubric: its rules' ids, evaluate, and its id for the report.
  const { rules, evaluate } = (rubric ?? {}) as Partial<Rubric<string>>;
  if (typeof evaluate !== "function" || !Array.isArray(rules)) {
    throw new InvalidArgumentError({
      parameter: "rubric",
      value: rubric,
      message: 'calibrate: "rubric" must be a Rubric (from defineRubric: rules and evaluate(output, ctx)).',
    });
  }
  parseOptions("calibrate", samplesSchema, samples);
  if (samples.accept.length + samples.reject.length === 0) {
    throw new InvalidArgumentError({
      parameter: "accept",
      value: samples,
      message: "calibrate: give at least one sample in accept or reject.",
    });
  }
  const perRule = new Map(
    rubric.rules.map((r) => [r.id, { ruleId: r.id, failedOnAccept: 0, failedOnReject: 0 }]),
  );
  const wronglyRejected: Miscalibration[] = [];
  const wronglyAccepted: Miscalibration[] = [];
  for (const [list, expected] of [
    ["accept", samples.accept],
    ["reject", samples.reject],
  ] as const) {
    for (const [index, sample] of expected.entries()) {
      const name = typeof sample === "string" ? `${list}[${index}]` : sample.name;
      const text = typeof sample === "string" ? sample : sample.text;
      const verdict = await rubric.evaluate(text, ctx);
      const failedRules = verdict.violations.map((v) => v.ruleId);
      for (const ruleId of failedRules) {
        const stats = perRule.get(ruleId);
        if (stats === undefined) continue;
        if (list === "accept") stats.failedOnAccept += 1;
        else stats.failedOnReject += 1;
      }
      const wrong = list === "accept" ? !verdict.accepted : verdict.accepted;
      if (!wrong) continue;
      const entry: Miscalibration = { name, index, excerpt: capText(text, 200), verdict, failedRules };
      (list === "accept" ? wronglyRejected : wronglyAccepted).push(entry);
    }
  }
  const counts = { accept: samples.accept.length, reject: samples.reject.length };
  const report = {
    rubricId: rubric.id,
    calibrated: wronglyRejected.length === 0 && wronglyAccepted.length === 0,
    wronglyRejected,
    wronglyAccepted,
    rules: [...perRule.values()],
    counts,
  };
  return { ...report, summary: summarize(report) };
}

function summarize(report: Omit<CalibrationReport, "summary">): string {
  const { counts } = report;
  const lines = [
    `rubric "${report.rubricId}": ${counts.accept - report.wronglyRejected.length}/${counts.accept} good samples accepted, ` +
      `${counts.reject - report.wronglyAccepted.length}/${counts.reject} bad samples rejected`,
  ];
  for (const miss of report.wronglyRejected) {
    const why = miss.verdict.violations.map((v) => `${v.ruleId}${v.message ? ` (${v.message})` : ""}`);
    lines.push(
      `  wrongly rejected ${miss.name} (${miss.verdict.passed}/${miss.verdict.total}): ${why.join("; ")}`,
    );
  }
  for (const miss of report.wronglyAccepted) {
    const failed = miss.failedRules.length > 0 ? `; failed only ${miss.failedRules.join(", ")}` : "";
    lines.push(`  wrongly accepted ${miss.name} (${miss.verdict.passed}/${miss.verdict.total}${failed})`);
  }
  return lines.join("\n");
}
