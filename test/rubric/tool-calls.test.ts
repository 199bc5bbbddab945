import { Validator } from "@cfworker/json-schema";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  defineRubric,
  escalateAcross,
  type GenerateRequest,
  InvalidArgumentError,
  messageText,
  type RuleContext,
  renderMessages,
  type ToolCall,
  validToolCalls,
} from "../../src/index.js";
import { scriptedModel } from "../../src/testing/index.js";

const weather = {
  name: "get_weather",
  description: "Weather now",
  inputSchema: z.object({ city: z.string() }),
};
const time = {
  name: "get_time",
  inputSchema: {
    type: "object",
    properties: { zone: { type: "string" }, hours: { type: "array", items: { type: "integer" } } },
    required: ["zone"],
    additionalProperties: false,
  },
};
const request = (extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: "user", content: "Weather and time in Paris?" }],
  tools: [weather, time],
  ...extra,
});
const judge = async (calls: ToolCall[] | undefined, ctx: Partial<RuleContext> = {}, options = {}) => {
  const rubric = defineRubric({ id: "step", rules: [validToolCalls(options)] });
  const context: RuleContext = { request: request(), ...ctx };
  if (calls !== undefined) context.toolCalls = calls;
  const verdict = await rubric.evaluate("", context);
  return { accepted: verdict.accepted, message: verdict.violations[0]?.message ?? "" };
};
const call = (name: string, input: unknown, id = "c1"): ToolCall => ({ id, name, input });

describe("validToolCalls", () => {
  it("passes valid calls of offered tools, by Standard Schema and by JSON Schema", async () => {
    await expect(
      judge([call("get_weather", { city: "Paris" }), call("get_time", { zone: "CET", hours: [1] }, "c2")]),
    ).resolves.toEqual({ accepted: true, message: "" });
  });

  it("names the tool, the path and the message of each problem", async () => {
    const { accepted, message } = await judge([
      call("get_weather", { city: 3 }),
      call("get_time", { zone: 1, hours: [1, "x"], extra: true }, "c2"),
    ]);
    expect(accepted).toBe(false);
    expect(message).toMatch(/^get_weather\.city: Invalid input: expected string, received number; /);
    expect(message).toContain('get_time.zone: Instance type "number" is invalid. Expected "string".');
    expect(message).toContain('get_time.hours[1]: Instance type "string" is invalid. Expected "integer".');
    expect(message).toContain('get_time: Property "extra" does not match additional properties schema.');
    // The wrapping "does not match schema" errors say nothing the innermost ones do not.
    expect(message).not.toContain("does not match schema");
  });

  it("refuses a tool the request did not offer, with the closest name", async () => {
    expect((await judge([call("get_wether", { city: "Paris" })])).message).toBe(
      "get_wether: not a tool of the request (did you mean get_weather?).",
    );
    expect(
      (await judge([call("lookup", {})], { request: { messages: [{ role: "user", content: "x" }] } }))
        .message,
    ).toBe("lookup: not a tool of the request (the request offers no tools).");
  });

  it("holds requireToolCall, maxCalls and the request's toolChoice", async () => {
    expect(await judge(undefined)).toEqual({ accepted: true, message: "" });
    expect((await judge(undefined, {}, { requireToolCall: true })).message).toBe(
      "No tool was called; a call is required (the tools are get_weather, get_time).",
    );
    expect((await judge(undefined, { request: request({ toolChoice: "required" }) })).accepted).toBe(false);
    expect(
      (await judge(undefined, { request: request({ toolChoice: { type: "tool", toolName: "get_time" } }) }))
        .message,
    ).toContain("a call of get_time is required");
    expect(
      (
        await judge([call("get_weather", { city: "Paris" })], {
          request: request({ toolChoice: { type: "tool", toolName: "get_time" } }),
        })
      ).message,
    ).toBe("get_weather: toolChoice asks for get_time only.");
    expect(
      (await judge([call("get_weather", { city: "Paris" })], { request: request({ toolChoice: "none" }) }))
        .message,
    ).toContain('toolChoice is "none"');
    const three = [1, 2, 3].map((n) => call("get_weather", { city: "Paris" }, `c${n}`));
    expect((await judge(three, {}, { maxCalls: 2 })).message).toBe("3 tool calls made; at most 2 allowed.");
  });

  it("takes an async Standard Schema", async () => {
    const asyncCity = z.object({ city: z.string().refine(async (city) => city.length > 2, "Too short") });
    const { message } = await judge([call("get_weather", { city: "P" })], {
      request: request({ tools: [{ name: "get_weather", inputSchema: asyncCity }] }),
    });
    expect(message).toBe("get_weather.city: Too short");
  });

  it("checks its options once, naming them", () => {
    expect(() => validToolCalls({ maxCalls: 0 })).toThrow(InvalidArgumentError);
    expect(() => validToolCalls({ requireTool: true } as never)).toThrow(/requireToolCall/);
  });

  it("feeds the problems back: the next rung sees tool.path: message and its valid call is returned", async () => {
    const small = scriptedModel("small", [
      { text: "", finishReason: "tool-calls", toolCalls: [call("get_weather", { city: 75001 })] },
    ]);
    const large = scriptedModel("large", [
      { text: "", finishReason: "tool-calls", toolCalls: [call("get_weather", { city: "Paris" })] },
    ]);
    const ladder = escalateAcross([small, large], {
      rubric: defineRubric({ id: "step", rules: [validToolCalls()] }),
    });
    const generation = await ladder.generate(request());
    expect(generation.toolCalls).toEqual([call("get_weather", { city: "Paris" })]);
    expect(generation.answeredBy).toMatchObject({ rung: 1, climbed: true });
    const system = messageText(renderMessages(large.calls[0]!.request)[0]!);
    expect(system).toContain(
      "rule valid-tool-calls: get_weather.city: Invalid input: expected string, received number",
    );
  });
});

/** JSON Schemas of a small grammar: scalars with constraints, enums, arrays and closed or open objects. */
const schemaArb: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ schema: Record<string, unknown> }>(
  (tie) => ({
    schema: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.record(
        { type: fc.constant("string"), minLength: fc.nat(3), maxLength: fc.integer({ min: 3, max: 8 }) },
        { requiredKeys: ["type"] },
      ),
      fc.record(
        { type: fc.constantFrom("integer", "number"), minimum: fc.integer({ min: -5, max: 5 }) },
        { requiredKeys: ["type"] },
      ),
      fc.record({ type: fc.constant("boolean") }),
      fc.record({
        enum: fc.uniqueArray(fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: -3, max: 3 })), {
          minLength: 1,
          maxLength: 3,
        }),
      }),
      fc.record(
        { type: fc.constant("array"), items: tie("schema"), maxItems: fc.nat(3) },
        { requiredKeys: ["type", "items"] },
      ),
      fc.dictionary(fc.constantFrom("a", "b", "c", "d"), tie("schema"), { maxKeys: 3 }).chain((properties) =>
        fc.record({
          type: fc.constant("object"),
          properties: fc.constant(properties),
          required: fc.subarray(Object.keys(properties)),
          additionalProperties: fc.boolean(),
        }),
      ),
    ),
  }),
).schema;

/** Inputs near the schemas' shapes: JSON values built from the same keys and small scalars. */
const inputArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 9 }),
    fc.integer({ min: -7, max: 7 }),
    fc.double({ min: -7, max: 7, noNaN: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom("a", "b", "c", "d", "e"), tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** Values built to fit a schema of the grammar above (they mostly do; the validator has the last word). */
function fitting(schema: Record<string, unknown>): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case "string":
      return fc.string({ minLength: (schema.minLength as number | undefined) ?? 0, maxLength: 8 });
    case "integer":
      return fc.integer({ min: (schema.minimum as number | undefined) ?? -5, max: 9 });
    case "number":
      return fc.double({ min: (schema.minimum as number | undefined) ?? -5, max: 9, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(fitting(schema.items as Record<string, unknown>), {
        maxLength: (schema.maxItems as number) ?? 3,
      });
    default: {
      const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      return fc.record(Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, fitting(v)])));
    }
  }
}

describe("validToolCalls agrees with the validator (property)", () => {
  it("passes exactly the inputs the JSON Schema validator accepts, and names the tool in every problem", async () => {
    const seen = { accepted: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(
        schemaArb.chain((inner) =>
          fc.tuple(
            fc.constant(inner),
            fc.oneof(inputArb, fc.record({ x: inputArb }), fc.record({ x: fitting(inner) })),
          ),
        ),
        async ([inner, input]) => {
          const inputSchema = { type: "object" as const, properties: { x: inner }, required: ["x"] };
          const expected = new Validator(inputSchema, "2020-12", false).validate(input).valid;
          const { accepted, message } = await judge([call("t", input)], {
            request: { messages: [{ role: "user", content: "x" }], tools: [{ name: "t", inputSchema }] },
          });
          expect(accepted).toBe(expected);
          seen[accepted ? "accepted" : "rejected"] += 1;
          if (!accepted)
            for (const problem of message.replace(/ \(\+\d+ more\)$/, "").split("; "))
              expect(problem).toMatch(/^t(\.x|\[|:)/);
        },
      ),
      { numRuns: 300 },
    );
    // Both sides of the agreement were exercised.
    expect(seen.accepted).toBeGreaterThan(10);
    expect(seen.rejected).toBeGreaterThan(10);
  });

  it("passes exactly the inputs the Standard Schema accepts (zod)", async () => {
    const shapes = [
      z.object({ city: z.string().min(2) }),
      z.object({ n: z.number().int().min(0), tags: z.array(z.string()).max(2) }).strict(),
      z.object({ kind: z.enum(["a", "b"]), nested: z.object({ ok: z.boolean() }).optional() }),
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...shapes.keys()), inputArb, async (which, input) => {
        const schema = shapes[which]!;
        const { accepted } = await judge([call("t", input)], {
          request: {
            messages: [{ role: "user", content: "x" }],
            tools: [{ name: "t", inputSchema: schema }],
          },
        });
        expect(accepted).toBe(schema.safeParse(input).success);
      }),
      { numRuns: 300 },
    );
  });
});
