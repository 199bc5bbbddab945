import { createRequire } from "node:module";
import type { OutputUnit, SchemaDraft, Validator } from "@cfworker/json-schema";
import type { JsonSchema } from "../messages.js";

// JSON Schema validation for tool inputs given as JSON Schema, through @cfworker/json-schema: small, no code
// generation (so it runs where `new Function` is refused), drafts 4, 7, 2019-09 and 2020-12. Loaded when the
// first such schema is validated, so `import("rungs")` does not pay for it.

let validatorClass: typeof Validator | undefined;
function load(): typeof Validator {
  validatorClass ??= (
    createRequire(import.meta.url)("@cfworker/json-schema") as typeof import("@cfworker/json-schema")
  ).Validator;
  return validatorClass;
}

const compiled = new WeakMap<object, Validator>();

/** The draft a schema declares in `$schema` (2020-12 when it declares none). */
function draftOf(schema: JsonSchema): SchemaDraft {
  const declared = typeof schema.$schema === "string" ? schema.$schema : "";
  if (declared.includes("draft-04")) return "4";
  if (declared.includes("draft-07") || declared.includes("draft-06")) return "7";
  if (declared.includes("2019-09")) return "2019-09";
  return "2020-12";
}

/** One problem an input has against a schema: where (`city`, `items[2].name`, `""` for the root) and why. */
export interface SchemaProblem {
  path: string;
  message: string;
}

/** Keywords whose error only says that something beneath failed; the error beneath says what. */
const applicators = new Set([
  "properties",
  "patternProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "contains",
  "allOf",
  "$ref",
  "$recursiveRef",
  "$dynamicRef",
  "dependentSchemas",
  "if",
  "then",
  "else",
  "unevaluatedItems",
]);

/** A JSON Pointer fragment (`#/items/2/name`) as a path (`items[2].name`). */
function pathOf(pointer: string): string {
  let out = "";
  for (const raw of pointer.replace(/^#\/?/, "").split("/")) {
    if (raw === "") continue;
    let key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    try {
      key = decodeURIComponent(key);
    } catch {
      // kept as written
    }
    out += /^\d+$/.test(key) ? `[${key}]` : `${out === "" ? "" : "."}${key}`;
  }
  return out;
}

/**
 * Validates `input` against a JSON Schema: `[]` when it is valid, else its problems, innermost first (the
 * wrapping "property does not match" errors dropped, and the `false`-schema error under an
 * `additionalProperties` one, which says it better).
 */
export function jsonSchemaProblems(schema: JsonSchema, input: unknown): SchemaProblem[] {
  let validator = compiled.get(schema);
  if (validator === undefined) {
    const Validator = load();
    validator = new Validator(schema, draftOf(schema), false);
    compiled.set(schema, validator);
  }
  const result = validator.validate(input);
  if (result.valid) return [];
  const errors: OutputUnit[] = result.errors;
  const closedObjects = new Set(
    errors
      .filter((e) => e.keyword === "additionalProperties" || e.keyword === "unevaluatedProperties")
      .map((e) => e.instanceLocation),
  );
  const kept = errors.filter((e) => {
    if (applicators.has(e.keyword)) return false;
    if (e.keyword === "false") {
      const parent = e.instanceLocation.slice(0, e.instanceLocation.lastIndexOf("/"));
      return !closedObjects.has(parent);
    }
    return true;
  });
  const shown = kept.length > 0 ? kept : errors;
  return shown.map((e) => ({ path: pathOf(e.instanceLocation), message: e.error }));
}
