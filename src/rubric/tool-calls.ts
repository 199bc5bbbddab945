import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { ToolCall, ToolDefinition } from "../messages.js";
import { parseOptions, schemas } from "../options.js";
import { capLine } from "../text/cap.js";
import { isStandardSchema, toolInputJsonSchema } from "../tool-schema.js";
import { number, object, boolean as trueOrFalse } from "../validate/check.js";
import { closestKey } from "../validate/suggest.js";
import { jsonSchemaProblems, type SchemaProblem } from "./json-schema.js";
import { buildRule, type RuleOptions, ruleOptionsShape } from "./rules.js";
import type { Rule, RuleContext, RuleOutcome } from "./types.js";

/** Options of {@link validToolCalls}. */
export interface ValidToolCallsOptions extends RuleOptions {
  /** The rule's id. @default "valid-tool-calls" */
  id?: string;
  /**
   * The answer must call at least one tool (as `toolChoice: "required"` asks; a request whose `toolChoice`
   * is `"required"` or names a tool is held to it whatever this says). @default false
   */
  requireToolCall?: boolean;
  /** Most tool calls one answer may make. @default no limit */
  maxCalls?: number;
  /** Most problems named in the message (the rest counted). @default 5 */
  maxIssues?: number;
}

const optionsSchema = object({
  ...ruleOptionsShape,
  id: schemas.nonEmptyString.optional(),
  requireToolCall: trueOrFalse().optional(),
  maxCalls: number({ int: true, min: 1 }).optional(),
  maxIssues: number({ int: true, min: 1 }).optional(),
});

/** Most characters of one problem's message. */
const maxMessageChars = 160;

/** The problems of one call's input against its tool's schema, as `tool.path: message` lines. */
function inputProblems(call: ToolCall, tool: ToolDefinition): string[] | Promise<string[]> {
  const lines = (problems: readonly SchemaProblem[]) =>
    problems.map(
      (p) =>
        `${call.name}${p.path === "" ? "" : p.path.startsWith("[") ? p.path : `.${p.path}`}: ${capLine(p.message, maxMessageChars)}`,
    );
  const schema = tool.inputSchema;
  if (isStandardSchema(schema)) {
    const result = schema["~standard"].validate(call.input);
    const issues = (r: StandardSchemaV1.Result<unknown>) => lines((r.issues ?? []).map(standardProblem));
    return result instanceof Promise ? result.then(issues) : issues(result);
  }
  return lines(jsonSchemaProblems(toolInputJsonSchema(tool), call.input));
}

function standardProblem(issue: StandardSchemaV1.Issue): SchemaProblem {
  let path = "";
  for (const segment of issue.path ?? []) {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    path += typeof key === "number" ? `[${key}]` : `${path === "" ? "" : "."}${String(key)}`;
  }
  return { path, message: String(issue.message) };
}

/**
 * A rule over the tools an answer called (`ctx.toolCalls`, which the attempt engine sets from the
 * generation): every call names a tool the request offered (`ctx.request.tools`), and its input validates
 * against that tool's schema — the Standard Schema itself when the tool was given one (zod 4, valibot...),
 * else its JSON Schema (through @cfworker/json-schema). The request's `toolChoice` is held too: `"none"`
 * allows no call, `"required"` needs one, a named tool allows only that one. Fails with one
 * `tool.path: message` per problem (`get_weather.city: Expected string`; `get_wether: not a tool of the
 * request (did you mean get_weather?)`), so a retry or the next rung can fix the call. An answer with no tool
 * calls passes unless a call is required. Judged without a request (outside a run), every call fails as
 * naming no offered tool.
 *
 * @throws InvalidArgumentError when an option is invalid (naming it).
 * @example
 * const rubric = defineRubric({ id: "agent-step", rules: [validToolCalls({ maxCalls: 3 })] });
 * const step = escalateAcross([small, large], { rubric });
 */
export function validToolCalls(options: ValidToolCallsOptions = {}): Rule<string> {
  const parsed = parseOptions("validToolCalls", optionsSchema, options);
  const { id = "valid-tool-calls", requireToolCall = false, maxCalls, maxIssues = 5 } = parsed;
  // The rule's own options (description, weight, required, time limit), checked again by buildRule.
  const { id: _id, requireToolCall: _call, maxCalls: _max, maxIssues: _issues, ...ruleOptions } = options;
  const description =
    ruleOptions.description ??
    `Tool calls must name an offered tool and give input its schema accepts${requireToolCall ? "; at least one call is required" : ""}${maxCalls === undefined ? "" : `; at most ${maxCalls} call(s)`}.`;
  return buildRule("validToolCalls", id, ruleOptions, description, (_output, ctx: RuleContext) => {
    const calls = ctx.toolCalls ?? [];
    const tools = ctx.request?.tools ?? [];
    const choice = ctx.request?.toolChoice;
    const problems: (string | Promise<string[]>)[] = [];
    const names = tools.map((t) => t.name);
    const offered = names.length === 0 ? "the request offers no tools" : `the tools are ${names.join(", ")}`;
    if (calls.length === 0) {
      const named = typeof choice === "object" ? choice.toolName : undefined;
      if (requireToolCall || choice === "required" || named !== undefined) {
        return {
          pass: false,
          message: `No tool was called; ${named === undefined ? "a call is required" : `a call of ${named} is required`} (${offered}).`,
        };
      }
      return true;
    }
    if (choice === "none")
      problems.push(`${calls.length} tool call(s) made, but toolChoice is "none": answer in text.`);
    if (maxCalls !== undefined && calls.length > maxCalls) {
      problems.push(`${calls.length} tool calls made; at most ${maxCalls} allowed.`);
    }
    for (const call of calls) {
      const tool = tools.find((t) => t.name === call.name);
      if (tool === undefined) {
        const hint = closestKey(call.name, names);
        problems.push(
          `${call.name}: not a tool of the request (${hint === undefined ? offered : `did you mean ${hint}?`}).`,
        );
        continue;
      }
      if (typeof choice === "object" && choice.toolName !== call.name) {
        problems.push(`${call.name}: toolChoice asks for ${choice.toolName} only.`);
        continue;
      }
      const found = inputProblems(call, tool);
      if (found instanceof Promise) problems.push(found);
      else problems.push(...found);
    }
    const outcome = (lines: readonly string[]): RuleOutcome =>
      lines.length === 0
        ? true
        : {
            pass: false,
            message: `${lines.slice(0, maxIssues).join("; ")}${lines.length > maxIssues ? ` (+${lines.length - maxIssues} more)` : ""}`,
          };
    if (!problems.some((p) => p instanceof Promise)) return outcome(problems as string[]);
    return Promise.all(problems.map((p) => (typeof p === "string" ? [p] : p))).then((all) =>
      outcome(all.flat()),
    );
  });
}
