// The short form of the soak (acceptance item 24; `npm run soak` runs 100,000 pipelines): mixed pipelines
// through long-lived shared objects, then nothing may have accumulated — heap after GC within 10 % between the
// first and last tenth, no MaxListenersExceededWarning, no unhandled rejection, no ollama body left open, no
// ollama-js `ongoingStreamedRequests` entry — and every pipeline ended as its script says.
import { describe, expect, it } from "vitest";
import { runSoak } from "../../scripts/soak.js";

describe("soak, short form (item 24)", () => {
  it("2,400 mixed pipelines leave nothing behind", async () => {
    const report = await runSoak({ pipelines: 2_400 });
    expect(report.failures).toEqual([]);
    expect(report.wrongOutcomes).toEqual([]);
    expect(Object.keys(report.byKind)).toHaveLength(8);
    expect(report.heapSamples).toHaveLength(10);
    expect(report.heapGrowth).toBeLessThanOrEqual(0.1);
    expect(report.openBodies).toBe(0);
    expect(report.ongoingStreamedRequests).toBe(0);
  }, 120_000);
});
