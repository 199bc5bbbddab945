// CallOptions are checked where generate is called, for what rungs will call on them (issue 27, found by
// the property suite): a wrong value is refused by name, never a TypeError blamed on a model.
import { describe, expect, it } from "vitest";
import {
  continueUntilComplete,
  escalateAcross,
  InvalidArgumentError,
  retryWithContext,
  treeSplit,
} from "../src/index.js";
import { scriptedModel } from "../src/testing/index.js";

const primitives = {
  retryWithContext: () => retryWithContext(scriptedModel("m", ["ok"])),
  escalateAcross: () => escalateAcross([scriptedModel("m", ["ok"])]),
  continueUntilComplete: () => continueUntilComplete(scriptedModel("m", ["ok"])),
  treeSplit: () => treeSplit(scriptedModel("m", ["ok"]), { promptLimit: { chars: 10_000 } }),
};

describe("CallOptions are checked at generate", () => {
  for (const [name, make] of Object.entries(primitives)) {
    it.each([
      ["budget", {}],
      ["clock", {}],
      ["signal", {}],
      ["events", {}],
      ["path", 42],
      ["promptFits", "yes"],
    ])(`${name}: options.%s of the wrong kind is refused by name, before any call`, async (key, value) => {
      const model = make();
      const error = await model.generate({ prompt: "q" }, { [key]: value } as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).parameter).toBe(key);
    });

    it(`${name}: good options and extra fields pass`, async () => {
      const model = make();
      const answer = await model.generate({ prompt: "q" }, {
        signal: new AbortController().signal,
        mine: 1,
      } as never);
      expect(answer.text).toBe("ok");
    });
  }
});
