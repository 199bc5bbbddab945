/**
 * What `rungs view` embeds in its page: the run read from its records, in a shape of its own (the records'
 * vocabulary may change; only read-run.ts knows it). Shared by the Node side and the page's script.
 */

/** A task's outcome, as summary.json says or as its attempts show. */
export type Outcome = "accepted" | "exhausted" | "blocked" | "unfinished";

/** One task in the run's table (small: the whole table is parsed when the page opens). */
export interface TaskRow {
  /** Position in the run's task list; the task's detail block is `rungs-task-<id>`. */
  id: number;
  /** The task's directory relative to the run directory (`.` for records at the run's root). */
  name: string;
  outcome: Outcome;
  /** Attempt records of the task. */
  attempts: number;
  /** The model of the last accepted attempt, if any. */
  answeredBy?: string;
  /** That attempt's rung (0-based), if recorded. */
  answeredRung?: number;
  /** Rule ids that failed in any attempt, each once. */
  failedRules: string[];
  inputTokens: number;
  outputTokens: number;
  /** US dollars, when every model the task called has a price; else absent. */
  costUsd?: number;
  /** Summed attempt durations, in ms. */
  durationMs: number;
}

/** One rule's result in an attempt's verdict. */
export interface RuleView {
  ruleId: string;
  pass: boolean;
  score?: number;
  required?: boolean;
  message?: string;
  description?: string;
  errored?: boolean;
}

/** One node beneath an attempt: a continuation piece or a tree-split node. */
export interface NodeView {
  kind: "continuation" | "split";
  /** `piece 2`, `map 0.3`, `reduce 1.0`, `answer`. */
  label: string;
  modelId?: string;
  /** What the node reports in words: chars, finish reason, overlap, error. */
  detail: string;
  /** Nesting level beneath the attempt (0 = directly beneath). */
  depth: number;
}

/** One attempt of a task's climb. */
export interface AttemptView {
  /** The record's number in its directory (`attempt_N`): recordRun numbers attempts as they start. */
  n: number;
  /** Attempt number within its engine run, when recorded. */
  index?: number;
  rung?: number;
  modelId: string;
  /** The event path of the engine that made it. */
  path?: string;
  accepted: boolean;
  /**
   * True when the record says the attempt started and never ended (`"status": "started"`): the call was
   * in flight when the run was killed, or is still going.
   */
  unfinished?: boolean;
  /** The failure kind (`rejected`, `empty`, `timeout`, ...) when not accepted. */
  kind?: string;
  /** True when the attempt was streamed and stopped early: a prefix of its text already failed a rule. */
  stoppedEarly?: boolean;
  /** A streamed attempt's time to first token (its start to its first delta or tool call), in ms. */
  timeToFirstTokenMs?: number;
  finishReason?: string;
  /** Rules passed of total, and the score, when a rubric judged. */
  passed?: number;
  total?: number;
  score?: number;
  rules: RuleView[];
  /** The error message (redacted in the record). */
  error?: string;
  /** The answer (attempt_N.txt; redacted in the record), or absent when the file is missing. */
  text?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  startedAt?: number;
  durationMs?: number;
  /** Characters of feedback this attempt's prompt carried (0 for a first attempt). */
  feedbackChars: number;
  /**
   * The feedback this attempt was sent, rebuilt from the earlier failed attempts of the same engine (the
   * records keep its size, not its text); absent when it carried none.
   */
  feedback?: string;
  promptChars?: number;
  transportRetries: string[];
  nodes: NodeView[];
  /** Lines that did not fit the shape above (a newer record's fields), so nothing is hidden. */
  notes: string[];
}

/** What the page shows of one task when it is opened (parsed on demand). */
export interface TaskDetail {
  name: string;
  attempts: AttemptView[];
  /** Rung skips, exhaustion and blocking, in words. */
  events: string[];
}

/** Per model (rung) totals. */
export interface RungFigures {
  modelId: string;
  /** Lowest rung position it was seen at, when recorded. */
  rung?: number;
  attempts: number;
  accepted: number;
  inputTokens: number;
  outputTokens: number;
  durationMs: number;
  costUsd?: number;
}

/** The run as the page shows it. */
export interface RunView {
  /** Format of this object, for pages read by later versions. */
  format: 1;
  title: string;
  dir: string;
  /** Where the totals came from: summary.json, or counted from the attempt records. */
  source: "summary" | "records";
  startedAt?: number;
  endedAt?: number;
  outcomes: Record<Outcome, number>;
  attempts: number;
  accepted: number;
  /** Model calls, counted once (summary.json's counts.calls, else the attempt records). */
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** US dollars over all attempts, when prices were given for every model; else absent. */
  costUsd?: number;
  /** Where the prices came from (`prices.json in the run`, a file), or absent. */
  pricesFrom?: string;
  /** Models without a price (their cost is left out). */
  unpriced: string[];
  rungs: RungFigures[];
  byKind: Record<string, number>;
  tasks: TaskRow[];
  /** Problems met while reading (a record that is not JSON, summary.json unreadable), in words. */
  warnings: string[];
}

/** What the page's data block holds: one run, or two runs of the same tasks side by side. */
export type PageData = { mode: "run"; run: RunView } | { mode: "compare"; a: RunView; b: RunView };
