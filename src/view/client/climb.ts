import type { AttemptView, TaskDetail, TaskRow } from "../data.js";
import { diffView } from "./diff-view.js";
import { h } from "./dom.js";
import { dollars, integer, ms, time } from "./format.js";

/** Answers longer than this are shown cut, with a button for the rest (a page of 10 MB answers stays quick). */
const shownChars = 20_000;

/** One task's climb: every attempt in record order (as they started), with its verdict, feedback, answer and diff. */
export function climbView(task: TaskRow, detail: TaskDetail): HTMLElement {
  const section = h(
    "section",
    { class: "climb", testid: "climb", id: "climb" },
    h("h2", {}, `Task ${detail.name}`),
    h(
      "p",
      { class: "facts" },
      `${task.outcome} after ${task.attempts} attempt(s)`,
      task.answeredBy === undefined ? "" : `, answered by ${task.answeredBy}`,
      ` · ${integer(task.inputTokens)} tokens in, ${integer(task.outputTokens)} out · ${dollars(task.costUsd)} · ${ms(task.durationMs)}`,
    ),
  );
  if (detail.events.length > 0)
    section.append(h("ul", { class: "events" }, ...detail.events.map((e) => h("li", {}, e))));
  const attempts = h("ol", { class: "attempts" });
  let previous: AttemptView | undefined;
  for (const attempt of detail.attempts) {
    attempts.append(attemptView(attempt, previous));
    previous = attempt;
  }
  if (detail.attempts.length === 0) attempts.append(h("li", {}, "No attempt was recorded for this task."));
  section.append(attempts);
  return section;
}

function attemptView(a: AttemptView, previous: AttemptView | undefined): HTMLElement {
  const verdict = a.accepted
    ? "accepted"
    : a.unfinished === true
      ? "started, never ended"
      : `${a.kind ?? "failed"}${a.stoppedEarly === true ? ", stopped early" : ""}`;
  const head = h(
    "div",
    { class: "attempt-head" },
    h("span", { class: "n" }, `attempt ${a.n}`),
    a.rung === undefined ? "" : h("span", { class: "rung" }, `rung ${a.rung}`),
    h("span", { class: "model" }, a.modelId),
    h("span", { class: `badge ${a.accepted ? "accepted" : "exhausted"}` }, verdict),
    a.total === undefined
      ? ""
      : h(
          "span",
          {},
          `${a.passed ?? 0}/${a.total} rules${a.score === undefined ? "" : ` · score ${a.score.toFixed(2)}`}`,
        ),
  );
  const facts = h(
    "p",
    { class: "facts" },
    [
      `started ${time(a.startedAt)}`,
      `took ${ms(a.durationMs)}`,
      a.timeToFirstTokenMs === undefined ? undefined : `first token ${ms(a.timeToFirstTokenMs)}`,
      `tokens ${a.inputTokens ?? "-"} in / ${a.outputTokens ?? "-"} out`,
      a.costUsd === undefined ? undefined : dollars(a.costUsd),
      a.finishReason === undefined ? undefined : `finish: ${a.finishReason}`,
      a.promptChars === undefined ? undefined : `prompt ${integer(a.promptChars)} chars`,
      a.path === undefined ? undefined : `path ${a.path}`,
      a.index === undefined ? undefined : `attempt ${a.index} of its engine`,
    ]
      .filter((x) => x !== undefined)
      .join(" · "),
  );
  const item = h(
    "li",
    { class: `attempt ${a.accepted ? "accepted" : "failed"}`, testid: "attempt" },
    head,
    facts,
  );
  item.dataset.n = String(a.n);
  if (a.error !== undefined) item.append(h("p", { class: "error" }, `error: ${a.error}`));
  for (const retry of a.transportRetries) item.append(h("p", { class: "note" }, `transport ${retry}`));
  for (const note of a.notes) item.append(h("p", { class: "note" }, note));
  item.append(feedbackView(a, previous));
  if (a.rules.length > 0) item.append(rulesView(a));
  if (a.nodes.length > 0) {
    item.append(
      h(
        "div",
        { class: "nodes" },
        h("h4", {}, "Beneath this attempt"),
        h(
          "ul",
          {},
          ...a.nodes.map((n) =>
            h(
              "li",
              { class: `node ${n.kind}` },
              `${"  ".repeat(n.depth)}${n.kind} ${n.label}${n.modelId === undefined ? "" : ` (${n.modelId})`}: ${n.detail}`,
            ),
          ),
        ),
      ),
    );
  }
  item.append(answerView(a));
  if (previous !== undefined && previous.text !== undefined && a.text !== undefined) {
    const details = h(
      "details",
      { class: "diff-box" },
      h("summary", {}, `Answer against attempt ${previous.n}'s (diff)`),
    );
    const before = previous.text;
    const after = a.text;
    // Diffed when opened: most diffs are never looked at.
    details.addEventListener("toggle", () => {
      if (details.open && details.childElementCount === 1) details.append(diffView(before, after));
    });
    item.append(details);
  }
  return item;
}

function feedbackView(a: AttemptView, previous: AttemptView | undefined): HTMLElement {
  if (a.feedbackChars <= 0) {
    return h(
      "p",
      { class: "feedback none" },
      previous === undefined ? "First attempt: no feedback." : "This attempt was sent no feedback.",
    );
  }
  const box = h(
    "details",
    { class: "feedback", testid: "feedback" },
    h("summary", {}, `Feedback it received: ${integer(a.feedbackChars)} chars`),
  );
  box.append(
    a.feedback === undefined
      ? h(
          "p",
          { class: "note" },
          "The records keep the feedback's size only, and no earlier failure of this engine is recorded here.",
        )
      : h(
          "div",
          {},
          h(
            "p",
            { class: "note" },
            "Rebuilt from the earlier failures of the same engine (the records keep its size, not its text; the engine may have merged or shortened entries to fit its budget):",
          ),
          h("pre", {}, a.feedback),
        ),
  );
  return box;
}

function rulesView(a: AttemptView): HTMLElement {
  return h(
    "table",
    { class: "rules" },
    h(
      "thead",
      {},
      h("tr", {}, h("th", {}, ""), h("th", {}, "rule"), h("th", {}, "score"), h("th", {}, "message")),
    ),
    h(
      "tbody",
      {},
      ...a.rules.map((r) =>
        h(
          "tr",
          { class: r.pass ? "pass" : "fail", testid: "rule" },
          h("td", {}, r.pass ? "✓" : r.errored === true ? "!" : "✗"),
          h(
            "td",
            { class: "rule-id", title: r.description ?? "" },
            `${r.ruleId}${r.required === true ? " (required)" : ""}`,
          ),
          h("td", { class: "num" }, r.score === undefined ? "-" : r.score.toFixed(2)),
          h("td", {}, r.pass ? (r.message ?? "") : (r.message ?? r.description ?? "failed")),
        ),
      ),
    ),
  );
}

function answerView(a: AttemptView): HTMLElement {
  const box = h("div", { class: "answer" }, h("h4", {}, "Answer"));
  if (a.text === undefined) {
    box.append(h("p", { class: "note" }, "No answer file (attempt_N.txt) for this record."));
    return box;
  }
  if (a.text === "") {
    box.append(h("p", { class: "note" }, "(empty)"));
    return box;
  }
  const pre = h(
    "pre",
    { testid: "answer" },
    a.text.length > shownChars ? a.text.slice(0, shownChars) : a.text,
  );
  box.append(pre);
  if (a.text.length > shownChars) {
    const more = h("button", { type: "button" }, `show all ${integer(a.text.length)} chars`);
    const full = a.text;
    more.addEventListener("click", () => {
      pre.textContent = "";
      pre.append(h("span", {}, full));
      more.remove();
    });
    box.append(more);
  }
  return box;
}
