import { describe, expect, it } from "vitest";
import { attachCallDetails } from "../../src/errors/call-details.js";
import { ProviderError } from "../../src/index.js";
import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { scriptedModel } from "../../src/testing/index.js";

const ask = { messages: [{ role: "user" as const, content: "write the report" }] };

describe("a failed call's evidence reaches the attempt record", () => {
  it("keeps the text received before a stream broke, and the provider's transport retries", async () => {
    const broken = attachCallDetails(
      new ProviderError("stream broke after 2 chunks", { kind: "network", providerId: "a" }),
      {
        partialText: "The report begins",
        transportRetries: [{ retry: 1, kind: "server-error", status: 503, delayMs: 120, message: "503" }],
      },
    );
    const a = scriptedModel("a", [broken]);
    const b = scriptedModel("b", ["The report, whole."]);
    const result = await escalateAcross([a, b]).generate(ask);

    expect(result.modelId).toBe("b");
    const first = result.trace?.attempts?.[0];
    expect(first).toMatchObject({
      modelId: "a",
      accepted: false,
      kind: "network",
      text: "The report begins",
    });
    expect(first?.transportRetries).toEqual([
      { retry: 1, kind: "server-error", status: 503, delayMs: 120, message: "503" },
    ]);
  });
});
