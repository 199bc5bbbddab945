import type { MatcherState } from "vitest";
import type { GenerateRequest } from "../model.js";
import { type CalibrationSamples, calibrate } from "../rubric/calibrate.js";
import type { Rubric, Verdict } from "../rubric/types.js";

/** What a rungs matcher returns to vitest (the `SyncExpectationResult` shape). */
export interface RungsMatcherResult {
  /** True when the expectation holds. */
  pass: boolean;
  /** The failure message vitest prints. */
  message: () => string;
}

function isRubric(value: unknown): value is Rubric<string> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Rubric).id === "string" &&
    typeof (value as Rubric).evaluate === "function"
  );
}

function requireRubric(value: unknown, matcher: string, where: string): Rubric<string> {
  if (!isRubric(value)) {
    throw new TypeError(
      `${matcher}: ${where} must be a rubric built with defineRubric (got ${typeof value}).`,
    );
  }
  return value;
}

/** The verdict in lines: the score, then each violated rule with its message. */
export function describeVerdict(verdict: Verdict): string {
  const head = `${verdict.passed}/${verdict.total} rules passed, score ${verdict.score.toFixed(3)}${
    verdict.cappedAt === undefined ? "" : `, judged on the first ${verdict.cappedAt} chars`
  }`;
  const lines = verdict.violations.map(
    (v) =>
      `  - ${v.ruleId}${v.required ? " (required)" : ""}${v.errored ? " [rubric error]" : ""}: ${v.message ?? v.description ?? "failed"}`,
  );
  return lines.length === 0 ? head : `${head}; violated rules:\n${lines.join("\n")}`;
}

/**
 * Vitest matchers for rubrics. Register them with `import "rungs/vitest"` (a setup file is the usual
 * place) or `expect.extend(rungsMatchers)`. Both are async: `await` them.
 *
 * - `await expect(text).toSatisfyRubric(rubric, ctx?)` passes when the rubric accepts `text`; its
 *   failure message lists the violated rules with their messages.
 * - `await expect(rubric).toBeCalibratedOn({ accept, reject })` passes when the rubric accepts every
 *   good sample and rejects every bad one; its failure message is the calibration summary.
 */
export const rungsMatchers = {
  /** Passes when the rubric accepts the received text; the failure message lists the violated rules. */
  async toSatisfyRubric(
    this: MatcherState,
    received: unknown,
    rubric: MatcherRubric,
    ctx?: MatcherRuleContext,
  ): Promise<RungsMatcherResult> {
    const checked = requireRubric(rubric, "toSatisfyRubric", "the expected value");
    if (typeof received !== "string") {
      return {
        pass: false,
        message: () =>
          `expected a string output to judge with rubric "${checked.id}", got ${typeof received}`,
      };
    }
    const verdict = await checked.evaluate(received, ctx);
    return {
      pass: verdict.accepted,
      message: () =>
        verdict.accepted
          ? `expected the output not to satisfy rubric "${checked.id}", but it was accepted (${describeVerdict(verdict)})`
          : `expected the output to satisfy rubric "${checked.id}" (threshold ${checked.threshold}): ${describeVerdict(verdict)}`,
    };
  },

  /** Passes when the received rubric accepts every good sample and rejects every bad one. */
  async toBeCalibratedOn(
    this: MatcherState,
    received: unknown,
    samples: CalibrationSamples,
  ): Promise<RungsMatcherResult> {
    const rubric = requireRubric(received, "toBeCalibratedOn", "the received value");
    const report = await calibrate(rubric, samples);
    return {
      pass: report.calibrated,
      message: () =>
        report.calibrated
          ? `expected rubric "${rubric.id}" not to be calibrated on these samples, but it was: ${report.summary}`
          : `expected rubric "${rubric.id}" to accept every good sample and reject every bad one:\n${report.summary}`,
    };
  },
};

/**
 * A rubric as the matchers take it: any rungs `Rubric` fits, from the ESM or the CommonJS build. The
 * matchers' signatures use only structural types (no class such as `Budget`, whose private field makes the
 * two builds' copies different types), so a project that loads both declarations — `types:
 * ["rungs/vitest"]` in tsconfig (CommonJS resolution) and `import "rungs/vitest"` (ESM) — sees one
 * identical set of matchers instead of "Two different types with this name exist".
 */
export interface MatcherRubric {
  /** The rubric's id, named in failure messages. */
  readonly id: string;
  /** Judges an output (method syntax, so every Rubric's `evaluate` fits whatever build typed its context). */
  evaluate(output: string, ctx?: never): unknown;
}

/** The context a matcher passes to the rubric: the plain fields of `RuleContext`. */
export interface MatcherRuleContext {
  /** The request that produced the output. */
  request?: GenerateRequest;
  /** Aborts long checks (LLM judges). */
  signal?: AbortSignal;
  /** The model that produced the output. */
  modelId?: string;
  /** The event path rules that call models report under. */
  path?: string;
}

/** The matchers' signatures, as they appear on `expect(...)`. */
export interface RungsMatchers<R = unknown> {
  /** Passes when `rubric` accepts the received text. Async: `await` it. */
  toSatisfyRubric(rubric: MatcherRubric, ctx?: MatcherRuleContext): Promise<R>;
  /** Passes when the received rubric accepts every `accept` sample and rejects every `reject` one. Async. */
  toBeCalibratedOn(samples: CalibrationSamples): Promise<R>;
}

declare module "vitest" {
  // biome-ignore lint/suspicious/noExplicitAny: the declaration merges with vitest's own `Matchers<T = any>`.
  interface Matchers<T = any> extends RungsMatchers<T> {}
}
