import { extname } from "node:path";
import { isScalar, LineCounter, parseDocument, visit } from "yaml";
import { z } from "zod";
import { readTextLimited } from "../read-limited.js";
import { redactValue } from "../redact.js";
import { closestKey } from "../validate/suggest.js";
import { ConfigError, type ConfigIssue } from "./config-error.js";
import { type LadderConfig, ladderConfigSchema } from "./schema.js";

/** Largest config file read, in bytes: a ladder config is a few hundred bytes, never megabytes. */
export const maxConfigBytes = 1_000_000;

/** `ladder[1].attempts`, `escalation["sonnet-low"]`, `models.fast`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

const secretKey = /key|secret|token|password|authorization/i;

/** The value at `path` as an error may show it: redacted, and masked whole under a secret-looking key. */
function shown(raw: unknown, path: readonly PropertyKey[]): unknown {
  if (path.some((key) => typeof key === "string" && secretKey.test(key))) return "***";
  return redactValue(valueAt(raw, path));
}

/** The keys an object schema at `path` accepts (through optionals, arrays, records and unions). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let current: z.ZodType = schema;
  while (current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  if (current instanceof z.ZodUnion) {
    for (const option of current.options as readonly z.ZodType[]) {
      const keys = keysAt(option, path);
      if (keys !== undefined) return keys;
    }
    return undefined;
  }
  if (path.length === 0) return current instanceof z.ZodObject ? Object.keys(current.shape) : undefined;
  const [head, ...rest] = path;
  if (current instanceof z.ZodObject) {
    const inner = (current.shape as Record<string, z.ZodType>)[String(head)];
    return inner === undefined ? undefined : keysAt(inner, rest);
  }
  if (current instanceof z.ZodArray) return keysAt(current.element as z.ZodType, rest);
  if (current instanceof z.ZodRecord) return keysAt(current.valueType as z.ZodType, rest);
  return undefined;
}

const typeWords: Record<string, string> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  object: "an object",
  array: "a list",
};

/** A problem found by the schema, with the raw path of the value it is about. */
interface LocatedIssue {
  issue: ConfigIssue;
  at: readonly PropertyKey[];
}

function issuesOf(
  raw: unknown,
  zodIssues: readonly z.core.$ZodIssue[],
  base: PropertyKey[] = [],
): LocatedIssue[] {
  const out: LocatedIssue[] = [];
  const push = (issue: ConfigIssue, at: readonly PropertyKey[]) => out.push({ issue, at });
  for (const issue of zodIssues) {
    const path = [...base, ...issue.path];
    switch (issue.code) {
      case "unrecognized_keys": {
        const known = keysAt(ladderConfigSchema, path) ?? [];
        for (const key of issue.keys) {
          const found: ConfigIssue = {
            path: formatPath([...path, key]),
            value: shown(raw, [...path, key]),
            message: `unknown key; known keys here: ${known.join(", ")}`,
          };
          const suggestion = closestKey(key, known);
          if (suggestion !== undefined) found.suggestion = suggestion;
          push(found, [...path, key]);
        }
        break;
      }
      case "invalid_union": {
        // Report the branch that got furthest; when every branch refused the type, say what is accepted.
        const branches = issue.errors.filter((errors) => errors.length > 0);
        const typeOnly = branches.every((errors) =>
          errors.every((e) => e.code === "invalid_type" && e.path.length === 0),
        );
        if (typeOnly) {
          const expected = branches.flatMap((errors) =>
            errors.map((e) => (e.code === "invalid_type" ? (typeWords[e.expected] ?? e.expected) : "")),
          );
          push(
            {
              path: formatPath(path),
              value: shown(raw, path),
              message: `must be ${[...new Set(expected)].join(" or ")} (a model reference, or a rung with a model)`,
            },
            path,
          );
        } else {
          const deeper = branches.find(
            (errors) => !errors.every((e) => e.code === "invalid_type" && e.path.length === 0),
          );
          out.push(...issuesOf(raw, deeper ?? [], path));
        }
        break;
      }
      case "invalid_type": {
        const value = valueAt(raw, path);
        push(
          {
            path: formatPath(path),
            value: redactValue(value),
            message:
              value === undefined
                ? `is required (${typeWords[issue.expected] ?? issue.expected})`
                : `must be ${typeWords[issue.expected] ?? issue.expected}`,
          },
          path,
        );
        break;
      }
      case "invalid_value":
        push(
          {
            path: formatPath(path),
            value: shown(raw, path),
            message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
          },
          path,
        );
        break;
      default:
        push({ path: formatPath(path), value: shown(raw, path), message: issue.message }, path);
    }
  }
  return out;
}

/**
 * `value` with the entries at every one of `paths` taken out (copied along the paths, the rest shared),
 * each object on the way copied once; `undefined` when one cannot be taken out without moving other
 * entries: the root, or an element of a list.
 */
function withoutAll(value: unknown, paths: readonly (readonly PropertyKey[])[]): unknown {
  const groups = new Map<string, PropertyKey[][]>();
  for (const [head, ...rest] of paths) {
    if (head === undefined || typeof head !== "string") return undefined;
    const tails = groups.get(head);
    if (tails === undefined) groups.set(head, [rest]);
    else tails.push(rest);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [...groups.values()].every((tails) => tails.every((tail) => tail.length === 0))
      ? value
      : undefined;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [head, tails] of groups) {
    if (tails.some((tail) => tail.length === 0)) {
      delete copy[head];
      continue;
    }
    const inner = copy[head];
    if (Array.isArray(inner)) {
      const byIndex = new Map<number, PropertyKey[][]>();
      for (const [index, ...deeper] of tails) {
        if (typeof index !== "number" || deeper.length === 0) return undefined;
        const list = byIndex.get(index);
        if (list === undefined) byIndex.set(index, [deeper]);
        else list.push(deeper);
      }
      const list = [...inner];
      for (const [index, deeper] of byIndex) {
        const element = withoutAll(inner[index], deeper);
        if (element === undefined) return undefined;
        list[index] = element;
      }
      copy[head] = list;
    } else {
      const pruned = withoutAll(inner, tails);
      if (pruned === undefined) return undefined;
      copy[head] = pruned;
    }
  }
  return copy;
}

/** The problems JSON Schema cannot say: which form, and what each key needs beside it. */
function formIssues(config: LadderConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.ladder === undefined && config.escalation === undefined) {
    issues.push({
      path: "",
      value: undefined,
      message: "needs a `ladder` (a list of rungs) or an `escalation` map with a `start`",
    });
  }
  if (config.ladder !== undefined && (config.escalation !== undefined || config.start !== undefined)) {
    issues.push({
      path: "ladder",
      value: undefined,
      message: "give either `ladder` or `escalation` with `start`, not both",
    });
  }
  if (config.escalation !== undefined && config.start === undefined) {
    issues.push({
      path: "start",
      value: undefined,
      message: "is required with `escalation`: the rung a task's first run uses",
    });
  }
  if (config.start !== undefined && config.escalation === undefined && config.ladder === undefined) {
    issues.push({
      path: "escalation",
      value: undefined,
      message: "is required with `start` (use {} for a single rung)",
    });
  }
  if (config.learning !== undefined && config.store === undefined) {
    issues.push({
      path: "learning",
      value: undefined,
      message: "needs a `store`: learned rates are kept there",
    });
  }
  return issues;
}

/** Rounds of taking refused entries out to look past them (each round removes every refused entry). */
const pruneRounds = 3;

/** Where a plain-data config holds an own "__proto__" key (depth-capped: deeper is refused by the schema). */
function protoKeyPaths(value: unknown, path: PropertyKey[] = [], out: PropertyKey[][] = []): PropertyKey[][] {
  if (typeof value !== "object" || value === null || path.length > 64 || out.length > 10) return out;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) protoKeyPaths(item, [...path, i], out);
    return out;
  }
  for (const key of Object.keys(value)) {
    if (key === "__proto__") out.push([...path, key]);
    else protoKeyPaths((value as Record<string, unknown>)[key], [...path, key], out);
  }
  return out;
}

/**
 * Checks a config object against the schema and the form rules, and does not stop at the first kind of
 * problem: the entries the schema refused (a misspelt key, a wrong value) are taken out and the rest is
 * checked again, so the caller can go on to check names, providers and the rubric and report every problem
 * at once. `config` is the config without the refused entries (`undefined` when they cannot be taken out,
 * e.g. a list entry of the wrong type); `issues` is empty only for a valid config.
 */
export function checkLadderConfig(value: unknown): {
  config: LadderConfig | undefined;
  issues: ConfigIssue[];
} {
  // The schema's copy would silently drop a "__proto__" key (a model named so would vanish): refuse it.
  const protoPaths = protoKeyPaths(value);
  if (protoPaths.length > 0) {
    return {
      config: undefined,
      issues: protoPaths.map((path) => ({
        path: formatPath(path),
        value: undefined,
        message: 'a key cannot be "__proto__" (JSON tools drop or misread it): rename it',
      })),
    };
  }
  const issues: ConfigIssue[] = [];
  let current = value;
  let result = ladderConfigSchema.safeParse(current);
  for (let round = 0; !result.success && round < pruneRounds; round += 1) {
    const located = issuesOf(current, result.error.issues);
    issues.push(...located.map(({ issue }) => issue));
    // Every refused entry taken out in one copy: one copy per entry was n² on a config of n unknown keys.
    const next = withoutAll(
      current,
      located.map(({ at }) => at),
    );
    if (next === undefined) return { config: undefined, issues };
    current = next;
    result = ladderConfigSchema.safeParse(current);
  }
  if (!result.success) return { config: undefined, issues };
  issues.push(...formIssues(result.data));
  return { config: result.data, issues };
}

/**
 * Validates a config object (parsed JSON or YAML) against the config schema.
 * @throws ConfigError listing every problem: its path, the value found, and a "did you mean" for a
 *   misspelt key.
 */
export function parseLadderConfig(value: unknown, file?: string): LadderConfig {
  const { config, issues } = checkLadderConfig(value);
  if (config === undefined || issues.length > 0) throw new ConfigError(issues, file);
  return config;
}

/**
 * Reads a config file: `.json` as JSON, anything else as YAML (which also reads JSON), then validates it.
 * @throws ConfigError when the file cannot be read, is larger than 1 MB, does not parse (with line and
 *   column), or is not a valid config.
 */
export async function loadLadderConfig(path: string): Promise<LadderConfig> {
  return parseLadderConfig(await readLadderConfigFile(path), path);
}

/**
 * Reads and parses a config file (`.json` as JSON, else YAML) without validating it.
 * @throws ConfigError when the file cannot be read, is larger than 1 MB, or does not parse.
 */
export async function readLadderConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    // Read with the cap, not stat then read: a FIFO or /dev/zero reports size 0, a file can grow meanwhile.
    const read = await readTextLimited(path, maxConfigBytes);
    if ("tooLarge" in read) {
      throw new ConfigError(
        [
          {
            path: "",
            value: undefined,
            message: `the file holds over ${maxConfigBytes} bytes; a config is at most ${maxConfigBytes}`,
          },
        ],
        path,
      );
    }
    text = read.text;
  } catch (error) {
    if (ConfigError.isInstance(error)) throw error;
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(
      [
        {
          path: "",
          value: undefined,
          message:
            code === "ENOENT"
              ? "the file does not exist"
              : `the file cannot be read (${String(code ?? error)})`,
        },
      ],
      path,
    );
  }
  let raw: unknown;
  try {
    raw = extname(path).toLowerCase() === ".json" ? JSON.parse(text) : parseYamlConfig(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    throw new ConfigError([{ path: "", value: undefined, message: `does not parse: ${message}` }], path);
  }
  return raw;
}

/**
 * Parses a YAML config. A key given twice in one mapping is a mistake, not "the last wins": it is refused,
 * with its line. The check is one pass with a set per mapping — the `yaml` package's own `uniqueKeys`
 * compares every pair of keys, quadratic in a mapping's size (8,000 keys took 1.3 s; the linear-time
 * harness found it). `maxAliasCount` bounds alias expansion.
 * @throws Error naming the duplicate key and its line, or the parser's first error.
 */
function parseYamlConfig(text: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: false, lineCounter });
  const [first] = doc.errors;
  if (first !== undefined) throw first;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (seen.has(key)) {
          const at =
            isScalar(pair.key) && pair.key.range ? lineCounter.linePos(pair.key.range[0]).line : undefined;
          throw new Error(
            `Map keys must be unique; "${key.slice(0, 80)}" is given twice${at === undefined ? "" : ` (line ${at})`}`,
          );
        }
        seen.add(key);
      }
    },
  });
  return doc.toJS({ maxAliasCount: 100 });
}
