// Loads the recorded IFEval data in data/ifeval/ (see its README): prompts, responses, reference
// verdicts and the labels the reference itself flips between runs.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ReferenceVerdict, UnstableLabel } from "../src/rubric/ifeval/agreement.js";
import type { IfevalRecord } from "../src/rubric/ifeval/index.js";

/** data/ifeval/ in this repository. */
export const ifevalDataDir = fileURLToPath(new URL("../data/ifeval/", import.meta.url));

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/** The 541 prompts, by key. */
export function loadRecords(): Map<number, IfevalRecord & { key: number }> {
  const records = readJsonl<IfevalRecord & { key: number }>(`${ifevalDataDir}prompts.jsonl`);
  return new Map(records.map((record) => [record.key, record]));
}

/** The models that have reference verdicts, sorted. */
export function modelsWithVerdicts(): string[] {
  return readdirSync(`${ifevalDataDir}verdicts`)
    .filter((name) => name.endsWith(".jsonl"))
    .map((name) => name.slice(0, -".jsonl".length))
    .sort();
}

/** One model's responses, by key. */
export function loadResponses(model: string): Map<number, string> {
  const rows = readJsonl<{ key: number; response: string }>(`${ifevalDataDir}responses/${model}.jsonl`);
  return new Map(rows.map((row) => [row.key, row.response]));
}

/** One model's reference verdicts. */
export function loadVerdicts(model: string): ReferenceVerdict[] {
  return readJsonl<ReferenceVerdict>(`${ifevalDataDir}verdicts/${model}.jsonl`);
}

/** Labels to leave out of agreement. */
export function loadUnstable(): UnstableLabel[] {
  return JSON.parse(readFileSync(`${ifevalDataDir}unstable-labels.json`, "utf8")) as UnstableLabel[];
}
