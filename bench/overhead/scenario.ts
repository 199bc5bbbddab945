/**
 * The scenario every overhead row runs: a zero-cost model (no I/O, no timers) and a one-rule check.
 * Case A: the first output passes. Case B: the model throws on its first five calls, the sixth answers.
 * Case C: five outputs fail the check, the sixth passes.
 */
export type CaseId = "A" | "B" | "C";

export const caseIds: readonly CaseId[] = ["A", "B", "C"];

/** Model calls one invocation makes in each case. */
export const expectedCalls: Record<CaseId, number> = { A: 1, B: 6, C: 6 };

/** The accepted output and the rejected one. */
export const good = "ACCEPTED: the answer is 42.";
export const bad = "draft: the answer is 41.";

/** The one rule: the output starts with the marker. */
export const passes = (text: string): boolean => text.startsWith("ACCEPTED");

export const prompt = "What is six times seven? Start your answer with ACCEPTED.";

/** What the zero-cost model throws in case B: a plain error, as a failing client would. */
export class ModelFailure extends Error {
  constructor() {
    super("service unavailable");
  }
}

/** Plays the case: counts model calls within one invocation and answers (or throws) accordingly. */
export class Script {
  calls = 0;
  constructor(readonly caseId: CaseId) {}
  /** The zero-cost model's output for its next call; throws {@link ModelFailure} in case B before the last. */
  next(): string {
    this.calls += 1;
    if (this.caseId === "A" || this.calls === expectedCalls[this.caseId]) return good;
    if (this.caseId === "B") throw new ModelFailure();
    return bad;
  }
  /** Runs one invocation and checks it made the expected calls and returned the accepted output. */
  async invoke(run: () => Promise<string>): Promise<void> {
    this.calls = 0;
    const text = await run();
    if (text !== good || this.calls !== expectedCalls[this.caseId]) {
      throw new Error(
        `case ${this.caseId}: got ${JSON.stringify(text)} after ${this.calls} model calls (expected ${expectedCalls[this.caseId]})`,
      );
    }
  }
}

/** Thrown by peers' wrappers when the check rejects an output, so their retry sees a failure. */
export class Rejected extends Error {
  constructor(readonly text: string) {
    super("output rejected by the rule");
  }
}
