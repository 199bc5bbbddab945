import type { StandardSchemaV1 } from "@standard-schema/spec";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import { capLine, capText } from "../text/cap.js";
import { describeValue } from "../text/describe.js";

/** Most characters of one issue's path and message quoted in a rule message. */
const maxPathChars = 60;
const maxIssueMessageChars = 120;

/**
 * The `~standard` props of a Standard Schema (zod 4, valibot, arktype...).
 * @throws InvalidArgumentError naming `fn` when `schema` has no `~standard.validate`.
 */
export function standardOf<S extends StandardSchemaV1>(fn: string, schema: S): S["~standard"] {
  const standard = (schema as Partial<StandardSchemaV1> | null | undefined)?.["~standard"];
  if (typeof standard !== "object" || standard === null || typeof standard.validate !== "function") {
    throw new InvalidArgumentError({
      parameter: "schema",
      value: schema,
      message: `${fn}: "schema" must be a Standard Schema (zod 4, valibot, arktype...) with a "~standard.validate"; got ${describeValue(schema)}${isPlainObject(schema) ? ' without "~standard"' : ""}.`,
    });
  }
  return standard as S["~standard"];
}

const isPlainObject = (value: unknown) =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** One issue's path as `items[2].name` (`(root)` when empty). */
function pathText(path: StandardSchemaV1.Issue["path"]): string {
  let out = "";
  for (const segment of path ?? []) {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    out += typeof key === "number" ? `[${key}]` : `${out === "" ? "" : "."}${String(key)}`;
    if (out.length > maxPathChars) break;
  }
  return out === "" ? "(root)" : capText(out, maxPathChars);
}

/**
 * The first `maxIssues` issues as `path: message; ...` (each path and message clipped), with `(+n more)`:
 * short enough to reach the model whole in retry feedback.
 */
export function issuesText(issues: readonly StandardSchemaV1.Issue[], maxIssues: number): string {
  const shown = issues
    .slice(0, maxIssues)
    .map((issue) => `${pathText(issue.path)}: ${capLine(String(issue.message), maxIssueMessageChars)}`);
  const more = issues.length > maxIssues ? ` (+${issues.length - maxIssues} more)` : "";
  return `${shown.join("; ")}${more}`;
}
