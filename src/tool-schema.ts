import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { ConvertibleSchema, JsonSchema, ToolDefinition } from "./messages.js";

// A tool's input schema is given as JSON Schema or as a Standard Schema that converts itself to one
// (`~standard.jsonSchema`, zod ≥ 4.2). Providers, hashes and records take the JSON Schema; validation takes
// the Standard Schema when there is one. Converted once per schema object.

const converted = new WeakMap<object, JsonSchema>();

/** True when `schema` is a Standard Schema (has `~standard.validate`). */
export function isStandardSchema(schema: unknown): schema is StandardSchemaV1 {
  const standard = (schema as { "~standard"?: { validate?: unknown } } | null | undefined)?.["~standard"];
  return typeof standard === "object" && standard !== null && typeof standard.validate === "function";
}

/** True when the Standard Schema converts itself to JSON Schema (`~standard.jsonSchema.input`). */
export function convertsToJsonSchema(schema: StandardSchemaV1): schema is ConvertibleSchema {
  const converter = (schema["~standard"] as { jsonSchema?: { input?: unknown } }).jsonSchema;
  return typeof converter === "object" && converter !== null && typeof converter.input === "function";
}

/**
 * The JSON Schema of a tool's input: `inputSchema` itself, or what its Standard Schema converts to (draft
 * 2020-12, falling back to draft-07 for a converter that only writes that).
 * @throws TypeError when a Standard Schema has no JSON Schema converter or its converter throws (the
 *   request checker reports this as an InvalidArgumentError naming the tool).
 */
export function toolInputJsonSchema(tool: Pick<ToolDefinition, "inputSchema">): JsonSchema {
  const schema = tool.inputSchema;
  if (!isStandardSchema(schema)) return schema as JsonSchema;
  const cached = converted.get(schema);
  if (cached !== undefined) return cached;
  if (!convertsToJsonSchema(schema)) {
    throw new TypeError(
      `its Standard Schema (${(schema as StandardSchemaV1)["~standard"].vendor}) has no JSON Schema converter (~standard.jsonSchema)`,
    );
  }
  let json: JsonSchema;
  try {
    json = schema["~standard"].jsonSchema.input({ target: "draft-2020-12" });
  } catch {
    json = schema["~standard"].jsonSchema.input({ target: "draft-07" });
  }
  converted.set(schema, json);
  return json;
}
