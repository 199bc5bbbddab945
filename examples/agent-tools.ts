/**
 * An agent whose small model's tool calls are checked before they run: `npm run example:agent-tools`.
 *
 * The AI SDK's own tool loop (`generateText` with `tools` and `stopWhen`) drives a rungs ladder through
 * `toAiSdk`. Every step is judged by `validToolCalls`: a call of a tool that does not exist, or whose input
 * does not match the tool's schema, is refused before the SDK executes anything, fed back to the model as
 * `tool.path: message`, and fixed by a retry of the same model or by the next rung. The tools only ever
 * receive valid input.
 *
 * Offline: the two models are scripted stand-ins (`scriptedModel`) that make the mistakes small models make.
 * Swap them for real ones (`fromAiSdk(openai("gpt-4o"))`, `ollamaModel({ model: "qwen3:8b" })`, which sends
 * tools natively) and nothing else changes.
 */
import { generateText, jsonSchema, stepCountIs, tool } from "ai";
import {
  defineRubric,
  escalateAcross,
  type GenerateRequest,
  RungsEvents,
  validToolCalls,
} from "../src/index.js";
import { toAiSdk } from "../src/providers/ai-sdk.js";
import { scriptedModel } from "../src/testing/index.js";

const toolCall = (name: string, input: unknown) => ({
  text: "",
  finishReason: "tool-calls" as const,
  toolCalls: [{ id: `call-${name}`, name, input }],
  usage: { inputTokens: 180, outputTokens: 20 },
});
const lastToolOutput = (request: GenerateRequest): unknown => {
  const last = request.messages.at(-1);
  return last?.role === "tool" ? last.content[0]?.output : undefined;
};
const celsiusOf = (request: GenerateRequest) => (lastToolOutput(request) as { celsius: number }).celsius;

// The small model makes the mistakes small models make. Step 1: a wrong field name, then a tool that does
// not exist (the next rung fixes it). Step 2: a number sent as a string, which its own retry fixes once told.
const small = scriptedModel("small (scripted)", [
  toolCall("getWeather", { town: "Lyon" }),
  toolCall("get_weather", { city: "Lyon" }),
  (request) => toolCall("toFahrenheit", { celsius: String(celsiusOf(request)) }),
  (request) => toolCall("toFahrenheit", { celsius: celsiusOf(request) }),
  (request) => {
    const { fahrenheit } = lastToolOutput(request) as { fahrenheit: number };
    return {
      text: `It is ${fahrenheit.toFixed(1)} °F in Lyon right now.`,
      usage: { inputTokens: 260, outputTokens: 14 },
    };
  },
]);
// The large model gets it right the first time.
const large = scriptedModel("large (scripted)", [toolCall("getWeather", { city: "Lyon" })]);

const events = new RungsEvents();
events.on("attempt-end", ({ attempt }) => {
  const calls = (attempt.toolCalls ?? [])
    .map((call) => `${call.name}(${JSON.stringify(call.input)})`)
    .join(", ");
  const verdict = attempt.accepted
    ? "accepted"
    : `${attempt.kind}: ${attempt.verdict?.violations.map((v) => v.message).join("; ") ?? ""}`;
  console.log(
    `  attempt ${attempt.index} on ${attempt.modelId}: ${calls || JSON.stringify(attempt.text)} → ${verdict}`,
  );
});

const ladder = escalateAcross([{ model: small, maxAttempts: 2 }, large], {
  rubric: defineRubric({ id: "agent-step", rules: [validToolCalls()] }),
});

const executed: string[] = [];
const result = await generateText({
  model: toAiSdk(ladder, { specificationVersion: "v3", callOptions: { events } }),
  tools: {
    getWeather: tool({
      description: "The current temperature in a city, in °C",
      inputSchema: jsonSchema<{ city: string }>({
        type: "object",
        properties: { city: { type: "string", minLength: 1 } },
        required: ["city"],
        additionalProperties: false,
      }),
      execute: async ({ city }) => {
        executed.push(`getWeather(${JSON.stringify({ city })})`);
        return { city, celsius: 21.5 };
      },
    }),
    toFahrenheit: tool({
      description: "Converts °C to °F",
      inputSchema: jsonSchema<{ celsius: number }>({
        type: "object",
        properties: { celsius: { type: "number" } },
        required: ["celsius"],
        additionalProperties: false,
      }),
      execute: async ({ celsius }) => {
        executed.push(`toFahrenheit(${JSON.stringify({ celsius })})`);
        return { fahrenheit: (celsius * 9) / 5 + 32 };
      },
    }),
  },
  stopWhen: stepCountIs(4),
  prompt: "How warm is it in Lyon, in °F?",
});

console.log("\nSteps (the AI SDK's view):");
result.steps.forEach((step, i) => {
  const rungs = step.providerMetadata?.rungs as
    | { modelId?: string; rung?: number; attemptCount?: number }
    | undefined;
  const what =
    step.toolCalls.length > 0 ? step.toolCalls.map((c) => c.toolName).join(", ") : JSON.stringify(step.text);
  console.log(
    `  step ${i + 1}: ${what} — answered by ${rungs?.modelId} (rung ${rungs?.rung}, ${rungs?.attemptCount} attempt(s))`,
  );
});
console.log(`\nThe tools ran with: ${executed.join(", ")}`);
console.log(`Answer: ${result.text}`);
console.log(
  `Tokens over every attempt, refused ones included: ${result.totalUsage.inputTokens} in, ${result.totalUsage.outputTokens} out`,
);

// The run is a check too (CI runs this file): the tools saw only valid input, and the answer came.
if (
  executed.join(" ") !== 'getWeather({"city":"Lyon"}) toFahrenheit({"celsius":21.5})' ||
  !result.text.includes("70.7 °F")
) {
  throw new Error(`unexpected run: tools ${executed.join(", ")}; answer ${result.text}`);
}
