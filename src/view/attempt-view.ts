import { redactText } from "../redact.js";
import type { AttemptView, NodeView, RuleView } from "./data.js";
import { arr, bool, brief, type Json, num, obj, str } from "./fields.js";

/** Fields of attempt_N.json this reader shows; any other field is listed under the attempt's notes. */
const known = new Set([
  "status",
  "file",
  "index",
  "rung",
  "modelId",
  "path",
  "accepted",
  "kind",
  "finishReason",
  "verdict",
  "error",
  "usage",
  "startedAt",
  "endedAt",
  "durationMs",
  "textChars",
  "feedbackChars",
  "promptChars",
  "transportRetries",
  "trace",
  "stoppedEarly",
  "timeToFirstTokenMs",
  "toolCalls",
]);

/** Deepest nesting of continuation pieces and split nodes shown beneath one attempt. */
const maxNodeDepth = 6;

/**
 * One attempt record (attempt_N.json, parsed) and its answer (attempt_N.txt) as the page shows them. Never
 * throws: a field of another type or shape is left out, or listed in `notes`.
 */
export function attemptView(n: number, record: unknown, text: string | undefined): AttemptView {
  const r = obj(record) ?? {};
  const verdict = obj(r.verdict);
  const usage = obj(r.usage) ?? {};
  const notes: string[] = [];
  if (obj(record) === undefined) notes.push(`the record is not an object: ${brief(record)}`);
  for (const [key, value] of Object.entries(r)) {
    if (!known.has(key) && value !== null && value !== undefined) notes.push(`${key}: ${brief(value)}`);
  }
  // Every record has the list; only calls made are worth a line.
  if (arr(r.toolCalls).length > 0) notes.push(`toolCalls: ${brief(r.toolCalls)}`);
  if (typeof r.verdict === "string") notes.push(`verdict: ${r.verdict}`);
  if (typeof r.trace === "string") notes.push(`trace: ${r.trace}`);
  const view: AttemptView = {
    n,
    modelId: str(r.modelId) ?? "(unknown model)",
    accepted: bool(r.accepted) ?? false,
    rules: arr(verdict?.results).flatMap((x) => ruleView(x)),
    feedbackChars: num(r.feedbackChars) ?? 0,
    transportRetries: arr(r.transportRetries).map(retryLine),
    nodes: nodesOf(obj(r.trace), 0),
    notes,
  };
  const set = <K extends keyof AttemptView>(key: K, value: AttemptView[K] | undefined) => {
    if (value !== undefined) view[key] = value;
  };
  if (r.status === "started") view.unfinished = true;
  else if (r.status !== undefined && r.status !== "ended") notes.push(`status: ${brief(r.status)}`);
  set("index", num(r.index));
  set("rung", num(r.rung));
  set("path", str(r.path));
  set("kind", str(r.kind));
  if (r.stoppedEarly === true) view.stoppedEarly = true;
  set("timeToFirstTokenMs", num(r.timeToFirstTokenMs));
  set("finishReason", str(r.finishReason));
  set("passed", num(verdict?.passed));
  set("total", num(verdict?.total));
  set("score", num(verdict?.score));
  // Masked again on the way out: records of rungs are masked already (this changes nothing there), and a
  // record from elsewhere (an older writer, a hand-made file) gets the same masking before it is shown.
  const error = errorLine(r.error);
  set("error", error === undefined ? undefined : redactText(error));
  set("text", text === undefined ? undefined : redactText(text));
  set("inputTokens", num(usage.inputTokens));
  set("outputTokens", num(usage.outputTokens));
  set("startedAt", num(r.startedAt));
  const started = num(r.startedAt);
  const ended = num(r.endedAt);
  set(
    "durationMs",
    num(r.durationMs) ?? (started !== undefined && ended !== undefined ? ended - started : undefined),
  );
  set("promptChars", num(r.promptChars));
  return view;
}

function ruleView(value: unknown): RuleView[] {
  const r = obj(value);
  const ruleId = str(r?.ruleId) ?? str(r?.id);
  if (r === undefined || ruleId === undefined) return [];
  const view: RuleView = { ruleId, pass: bool(r.pass) ?? bool(r.passed) ?? false };
  const score = num(r.score);
  if (score !== undefined) view.score = score;
  const required = bool(r.required);
  if (required !== undefined) view.required = required;
  const message = str(r.message);
  if (message !== undefined) view.message = message;
  const description = str(r.description);
  if (description !== undefined) view.description = description;
  if (r.errored === true) view.errored = true;
  return [view];
}

function errorLine(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  const e = obj(value);
  if (e === undefined) return undefined;
  const name = str(e.name);
  const message = str(e.message) ?? brief(e);
  return name === undefined || name === "Error" ? message : `${name}: ${message}`;
}

function retryLine(value: unknown): string {
  const r = obj(value);
  if (r === undefined) return brief(value);
  const parts = [
    `retry ${num(r.retry) ?? "?"}`,
    str(r.kind),
    num(r.status) === undefined ? undefined : `HTTP ${num(r.status)}`,
    num(r.delayMs) === undefined ? undefined : `waited ${num(r.delayMs)} ms`,
    str(r.message),
  ];
  return parts.filter((p) => p !== undefined).join(" · ");
}

/** Continuation pieces and split nodes beneath an attempt, depth first, in order. */
function nodesOf(trace: Json | undefined, depth: number): NodeView[] {
  if (trace === undefined || depth > maxNodeDepth) return [];
  const nodes: NodeView[] = [];
  const continuation = obj(trace.continuation);
  if (continuation !== undefined) {
    const stoppedBy = str(continuation.stoppedBy);
    for (const value of arr(continuation.pieces)) {
      const p = obj(value) ?? {};
      const detail = [
        `${num(p.chars) ?? "?"} chars`,
        num(p.overlapRemoved) ? `${num(p.overlapRemoved)} overlapping chars removed` : undefined,
        str(p.finishReason) === undefined ? undefined : `finish: ${str(p.finishReason)}`,
      ];
      nodes.push({
        kind: "continuation",
        label: `piece ${(num(p.index) ?? nodes.length) + 1}`,
        detail: detail.filter((d) => d !== undefined).join(" · "),
        depth,
      });
      nodes.push(...nodesOf(obj(p.trace), depth + 1));
    }
    if (stoppedBy !== undefined)
      nodes.push({ kind: "continuation", label: "stopped", detail: `by ${stoppedBy}`, depth });
  }
  const split = obj(trace.split);
  if (split !== undefined) {
    for (const value of arr(split.nodes)) {
      const s = obj(value) ?? {};
      const stage = str(s.stage) ?? "node";
      const error = errorLine(s.error);
      const detail = [
        `${num(s.inputChars) ?? "?"} chars in`,
        `${num(s.outputChars) ?? "?"} chars out`,
        error === undefined ? undefined : `failed: ${error}`,
      ];
      const node: NodeView = {
        kind: "split",
        label: stage === "answer" ? "answer" : `${stage} ${num(s.depth) ?? "?"}.${num(s.index) ?? "?"}`,
        detail: detail.filter((d) => d !== undefined).join(" · "),
        depth,
      };
      const modelId = str(s.modelId);
      if (modelId !== undefined) node.modelId = modelId;
      nodes.push(node, ...nodesOf(obj(s.trace), depth + 1));
    }
    const truncated = num(split.truncatedChars);
    if (truncated)
      nodes.push({ kind: "split", label: "truncated", detail: `${truncated} chars cut to fit`, depth });
  }
  return nodes;
}
