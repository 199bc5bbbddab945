import { closestKey } from "../validate/suggest.js";
import { ConfigError, type ConfigIssue } from "./config-error.js";
import { formatPath } from "./parse.js";
import type { LadderConfig, RungEntryConfig, SkipCondition } from "./schema.js";

/** One rung of an expanded config: which model, with every default filled in. */
export interface ExpandedRung {
  /** 0-based ladder position. */
  index: number;
  /** The name the config used: a `models` entry's name, or the reference itself. */
  name: string;
  /** The provider part of the reference (`"ollama"` in `"ollama:qwen2.5:7b"`). */
  provider: string;
  /** The model part (`"qwen2.5:7b"`). */
  model: string;
  /** The whole reference, `"<provider>:<model>"`. */
  ref: string;
  /** Attempts on this rung before climbing. */
  maxAttempts: number;
  /** What this rung is told of earlier failures. */
  feedbackMode: "full" | "brief" | "none";
  /** Most ms one attempt on this rung may take; undefined: the engine's default. */
  attemptTimeoutMs: number | undefined;
  /** Skip the rung when any condition matches the request's metadata. */
  skipIf: readonly SkipCondition[];
  /** Settings for the provider factory (`{}` when none). */
  options: Readonly<Record<string, unknown>>;
  /** Where the rung's settings are in the config, for messages. */
  path: string;
}

/** `"ollama:qwen2.5:7b"` → `{ provider: "ollama", model: "qwen2.5:7b" }`, split at the first colon. */
export function splitRef(ref: string):
  | {
      /** The part before the first colon (`"ollama"`). */
      provider: string;
      /** The rest (`"qwen2.5:7b"`). */
      model: string;
    }
  | undefined {
  const colon = ref.indexOf(":");
  if (colon <= 0 || colon === ref.length - 1) return undefined;
  return { provider: ref.slice(0, colon), model: ref.slice(colon + 1) };
}

/** The names along the escalation map from `start`, or the cycle it runs into. */
function chainFrom(
  start: string,
  map: Readonly<Record<string, string>>,
): { chain: string[]; cycle?: string[] } {
  const chain = [start];
  const seen = new Set(chain);
  for (let name = start; Object.hasOwn(map, name); ) {
    name = map[name]!;
    if (seen.has(name)) return { chain, cycle: [...chain.slice(chain.indexOf(name)), name] };
    chain.push(name);
    seen.add(name);
  }
  return { chain };
}

/**
 * Every cycle of the escalation map, each once, in one pass: each name is walked at most once (a walk
 * stops at a name an earlier walk finished), so a chain of n names costs n steps, not n².
 */
function cyclesOf(map: Readonly<Record<string, string>>): string[][] {
  const done = new Set<string>();
  const cycles: string[][] = [];
  for (const from of Object.keys(map)) {
    if (done.has(from)) continue;
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let name: string | undefined = from;
    while (name !== undefined && !done.has(name)) {
      const at = onPath.get(name);
      if (at !== undefined) {
        cycles.push([...path.slice(at), name]);
        break;
      }
      onPath.set(name, path.length);
      path.push(name);
      name = Object.hasOwn(map, name) ? map[name] : undefined;
    }
    for (const visited of path) done.add(visited);
  }
  return cycles;
}

/** Most names a "names defined" hint lists, and most unresolved names given a "did you mean". */
const hintNames = 20;
const suggested = 10;

/**
 * The ladder a config describes: its `ladder` as given, or the chain its `escalation` map makes from
 * `start` (each name followed to the one it escalates to, until a name escalates nowhere; an empty map is
 * the start alone). Every name is resolved through `models`, or taken as a `"<provider>:<model>"` reference.
 *
 * @throws ConfigError for a cycle anywhere in the escalation map, a name neither in `models` nor a
 *   reference ("did you mean"), or a `models` entry naming another entry instead of a reference.
 */
export function expandLadder(config: LadderConfig, file?: string): ExpandedRung[] {
  const issues: ConfigIssue[] = [];
  const models = config.models ?? {};
  const names: { name: string; entry: RungEntryConfig; path: string }[] = [];
  if (config.ladder !== undefined) {
    config.ladder.forEach((entry, index) => {
      names.push({
        name: typeof entry === "string" ? entry : entry.model,
        entry,
        path: formatPath(["ladder", index]),
      });
    });
  } else if (config.start !== undefined) {
    const map = config.escalation ?? {};
    for (const cycle of cyclesOf(map)) {
      issues.push({
        path: formatPath(["escalation", cycle[0]!]),
        value: map[cycle[0]!],
        message: `the escalation map has a cycle: ${cycle.join(" → ")}; a task must reach a top rung that stays where it is`,
      });
    }
    const { chain } = chainFrom(config.start, map);
    chain.forEach((name, index) => {
      const path = index === 0 ? "start" : formatPath(["escalation", chain[index - 1]!]);
      names.push({ name, entry: name, path });
    });
  }

  const known = [...Object.keys(models), ...Object.keys(config.escalation ?? {})];
  const knownHint =
    known.length > hintNames
      ? `${known.slice(0, hintNames).join(", ")} and ${known.length - hintNames} more`
      : known.join(", ");
  let unresolved = 0;
  const rungs: ExpandedRung[] = [];
  names.forEach(({ name, entry, path }, index) => {
    // A name from `models` brings its settings; rung settings given in `ladder` override them.
    const named = Object.hasOwn(models, name) ? models[name]! : undefined;
    const base = named === undefined ? { model: name } : typeof named === "string" ? { model: named } : named;
    const own = typeof entry === "string" ? {} : entry;
    const settings = { ...base, ...own, model: base.model };
    const where =
      named !== undefined && typeof named !== "string" ? formatPath(["models", name, "model"]) : path;
    const parts = splitRef(settings.model);
    if (parts === undefined) {
      const isAlias = named !== undefined;
      const issue: ConfigIssue = {
        path: where,
        value: settings.model,
        message: isAlias
          ? `names "${settings.model}", which is not a "<provider>:<model>" reference (a models entry must name a model, not another entry)`
          : `is neither a name from \`models\` nor a "<provider>:<model>" reference${known.length > 0 ? `; names defined: ${knownHint}` : ""}`,
      };
      // "Did you mean" compares against every name: given to the first few only, so many unknown names
      // in a large map cost a few scans, not one each.
      unresolved += 1;
      const suggestion = isAlias || unresolved > suggested ? undefined : closestKey(name, known);
      if (suggestion !== undefined) issue.suggestion = suggestion;
      issues.push(issue);
      return;
    }
    rungs.push({
      index,
      name,
      provider: parts.provider,
      model: parts.model,
      ref: settings.model,
      maxAttempts: settings.maxAttempts ?? 1,
      feedbackMode: settings.feedbackMode ?? "full",
      attemptTimeoutMs: settings.attemptTimeoutMs,
      skipIf: settings.skipIf ?? [],
      options: settings.options ?? {},
      path,
    });
  });
  if (issues.length > 0) throw new ConfigError(issues, file);
  return rungs;
}
