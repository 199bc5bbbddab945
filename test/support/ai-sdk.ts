// Every supported AI SDK major, loaded for the tests that run against each one: ai 5 (the `ai-v5` alias,
// specification v2), ai 6 (`ai`, v3) and ai 7 (installed apart in test/ai-sdk-7 because it needs Node >= 22,
// v4). A suite for ai 7 is skipped on Node 20; RUNGS_REQUIRE_AI_SDK_7=1 (the Node 24 step of .ci/run) turns
// that skip into a failure.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/**
 * ai 7 from its own install in test/ai-sdk-7 (it needs Node >= 22, so it is not among the dev
 * dependencies, whose `npm ci` must be quiet on Node 20).
 */
export async function importAi7(specifier: string): Promise<unknown> {
  const require = createRequire(new URL("../ai-sdk-7/package.json", import.meta.url));
  let resolved: string;
  try {
    resolved = require.resolve(specifier);
  } catch (error) {
    throw new Error(
      `ai 7 is not installed for the tests: run \`npm ci --prefix test/ai-sdk-7\` (on Node >= 22). ${(error as Error).message}`,
    );
  }
  return import(pathToFileURL(resolved).href);
}

/**
 * A value of one SDK major, loosely typed: each major has its own types and generics, and the tests check
 * values, not types.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above.
type Loose = any;

/** What a test uses of one AI SDK major. */
export interface AiSdkMajorApi {
  generateText: (options: Loose) => Promise<Loose>;
  streamText: (options: Loose) => Loose;
  tool: (definition: Loose) => unknown;
  jsonSchema: (schema: object) => unknown;
  stepCountIs: (count: number) => unknown;
  /** The SDK's agent class: ToolLoopAgent (ai 6, 7), Experimental_Agent (ai 5). */
  Agent: new (
    settings: Loose,
  ) => { generate(options: { prompt: string }): Promise<Loose> };
  /** The SDK's own mock language model of this major's specification. */
  MockLanguageModel: new (
    options: Loose,
  ) => Loose;
}

export interface AiSdkMajor {
  name: string;
  specificationVersion: "v2" | "v3" | "v4";
  /** Node's major version this SDK major runs on, at least. */
  minNode: number;
  load(): Promise<AiSdkMajorApi>;
}

type Loaded = Record<string, unknown>;

export const aiSdkMajors: readonly AiSdkMajor[] = [
  {
    name: "ai 5",
    specificationVersion: "v2",
    minNode: 18,
    async load() {
      const [sdk, test] = (await Promise.all([import("ai-v5"), import("ai-v5/test")])) as [Loaded, Loaded];
      return { ...sdk, Agent: sdk.Experimental_Agent, MockLanguageModel: test.MockLanguageModelV2 } as never;
    },
  },
  {
    name: "ai 6",
    specificationVersion: "v3",
    minNode: 18,
    async load() {
      const [sdk, test] = (await Promise.all([import("ai"), import("ai/test")])) as [Loaded, Loaded];
      return { ...sdk, Agent: sdk.ToolLoopAgent, MockLanguageModel: test.MockLanguageModelV3 } as never;
    },
  },
  {
    name: "ai 7",
    specificationVersion: "v4",
    minNode: 22,
    async load() {
      const [sdk, test] = (await Promise.all([importAi7("ai"), importAi7("ai/test")])) as [Loaded, Loaded];
      return { ...sdk, Agent: sdk.ToolLoopAgent, MockLanguageModel: test.MockLanguageModelV4 } as never;
    },
  },
];

const nodeMajor = Number(process.versions.node.split(".")[0]);

/**
 * Whether this Node runs the major, and the suite title that says so when it does not.
 * @throws Error when RUNGS_REQUIRE_AI_SDK_7=1 and ai 7 cannot run here.
 */
export function majorRuns(
  major: Pick<AiSdkMajor, "name" | "specificationVersion" | "minNode">,
  subject: string,
): { runs: boolean; title: string } {
  const runs = nodeMajor >= major.minNode;
  if (!runs && major.name === "ai 7" && process.env.RUNGS_REQUIRE_AI_SDK_7 === "1") {
    throw new Error(
      `RUNGS_REQUIRE_AI_SDK_7=1 but this is Node ${process.versions.node}: ai 7 needs Node >= 22`,
    );
  }
  const base = `${subject} with ${major.name} (specification ${major.specificationVersion})`;
  return {
    runs,
    title: runs
      ? base
      : `${base}: skipped, ${major.name} needs Node >= ${major.minNode} and this is Node ${process.versions.node}; the Node 24 step of .ci/run runs it`,
  };
}

/**
 * An image in a user message as the major's apps write it: an `image` part (ai 5, 6), a `file` part with an
 * image media type (ai 7, where the `image` part is deprecated and warns).
 */
export function imagePartFor(major: Pick<AiSdkMajor, "name">, bytes: Uint8Array, mediaType: string): object {
  return major.name === "ai 7"
    ? { type: "file", data: bytes, mediaType }
    : { type: "image", image: bytes, mediaType };
}

/** The system prompt option of the major's `generateText`: `system` (ai 5, 6), `instructions` (ai 7). */
export function systemOptionFor(major: Pick<AiSdkMajor, "name">, text: string): Record<string, string> {
  return major.name === "ai 7" ? { instructions: text } : { system: text };
}
