/**
 * The scenario every overhead row runs: a zero-cost model (no I/O, no timers) and a one-rule check.
 * Case A: the first output passes. Case B: five outputs fail the check, the sixth passes.
 */
export type CaseId = "A" | "B";

/** Model calls one invocation makes in each case. */
export const expectedCalls: Record<CaseId, number> = { A: 1, B: 6 };

/** The accepted output and the rejected one. */
export const good = "ACCEPTED: the answer is 42.";
export const bad = "draft: the answer is 41.";

/** The one rule: the output starts with the marker. */
export const passes = (text: string): boolean => text.startsWith("ACCEPTED");

export const prompt = "What is six times seven? Start your answer with ACCEPTED.";

/** Plays the case: counts model calls within one invocation and answers accordingly. */
export class Script {
  calls = 0;
  constructor(readonly caseId: CaseId) {}
  /** The zero-cost model's output for its next call. */
  next(): string {
    this.calls += 1;
    return this.caseId === "A" || this.calls === expectedCalls.B ? good : bad;
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
