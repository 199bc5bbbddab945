/**
 * The IFEval data the demo replays (data/ifeval/, copied from the project's shared data with its
 * attribution): the 541 prompts, each ladder model's recorded response, and the reference evaluator's
 * strict verdicts. Read once, synchronously: ~9 MB of JSONL.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's data/ifeval directory. */
export const ifevalDir: string = resolve(fileURLToPath(import.meta.url), "../../data/ifeval");

/** One IFEval prompt, as in prompts.jsonl. */
export interface IfevalPrompt {
  key: number;
  prompt: string;
  instruction_id_list: string[];
  kwargs: Record<string, string | number | string[] | null>[];
}

/** One model of the ladder: its display name and the stem of its data files. */
export interface LadderModel {
  /** Short name used in tables and model ids (`replay:<name>`). */
  name: string;
  /** File stem under responses/ and verdicts/. */
  file: string;
  /** The Ollama tag that runs the same model live, when it is open-weight. */
  ollamaTag?: string;
}

/** The replay ladder, cheapest first: the Qwen2.5 size ladder, then two frontier models. */
export const ladderModels: readonly LadderModel[] = [
  { name: "qwen2.5-0.5b", file: "qwen2.5-0.5b", ollamaTag: "qwen2.5:0.5b" },
  { name: "qwen2.5-1.5b", file: "qwen2.5-1.5b", ollamaTag: "qwen2.5:1.5b" },
  { name: "qwen2.5-3b", file: "qwen2.5-3b", ollamaTag: "qwen2.5:3b" },
  { name: "qwen2.5-7b", file: "qwen2.5-7b", ollamaTag: "qwen2.5:7b" },
  { name: "qwen2.5-14b", file: "qwen2.5-14b", ollamaTag: "qwen2.5:14b" },
  { name: "qwen2.5-32b", file: "qwen2.5-32b", ollamaTag: "qwen2.5:32b" },
  { name: "gpt-4o", file: "gpt-4o-2024-08-06" },
  { name: "claude-3.5-sonnet", file: "claude-3-5-sonnet-20240620" },
];

/** Everything the replay needs, keyed by prompt key. */
export interface IfevalData {
  prompts: IfevalPrompt[];
  /** model name → prompt key → recorded response. */
  responses: Map<string, Map<number, string>>;
  /** model name → prompt key → the reference's strict prompt-level verdict (every instruction followed). */
  reference: Map<string, Map<number, boolean>>;
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/**
 * Loads the prompts (the first `limit`, in file order) and, for every ladder model, its responses and
 * reference verdicts.
 * @throws Error naming the missing file when data/ifeval is incomplete.
 */
export function loadIfeval(options: { limit?: number; models?: readonly LadderModel[] } = {}): IfevalData {
  const all = readJsonl<IfevalPrompt>(join(ifevalDir, "prompts.jsonl"));
  const prompts = options.limit === undefined ? all : all.slice(0, options.limit);
  const responses = new Map<string, Map<number, string>>();
  const reference = new Map<string, Map<number, boolean>>();
  for (const model of options.models ?? ladderModels) {
    const byKey = new Map<number, string>();
    for (const row of readJsonl<{ key: number; response: string }>(
      join(ifevalDir, "responses", `${model.file}.jsonl`),
    )) {
      byKey.set(row.key, row.response);
    }
    responses.set(model.name, byKey);
    const verdicts = new Map<number, boolean>();
    for (const row of readJsonl<{ key: number; strict: boolean[] }>(
      join(ifevalDir, "verdicts", `${model.file}.jsonl`),
    )) {
      verdicts.set(
        row.key,
        row.strict.every((followed) => followed),
      );
    }
    reference.set(model.name, verdicts);
  }
  return { prompts, responses, reference };
}

/** The prompt's instruction kinds, sorted and joined: the demo's `taskClass` (e.g. `"change_case+punctuation"`). */
export function taskClassOf(prompt: IfevalPrompt): string {
  return [...new Set(prompt.instruction_id_list.map((id) => id.split(":")[0] ?? id))].sort().join("+");
}
