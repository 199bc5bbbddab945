import type { RunView, TaskRow } from "../data.js";
import { barChart } from "./charts.js";
import { h } from "./dom.js";
import { dollars, integer, percent } from "./format.js";
import { pageSize } from "./tasks.js";

/** Two runs of the same tasks side by side: accuracy, cost, and the tasks whose outcome changed. */
export function compareView(a: RunView, b: RunView): HTMLElement {
  const rate = (r: RunView) => percent(r.outcomes.accepted, r.tasks.length);
  const delta = (x: number | undefined, y: number | undefined, format: (n: number) => string) =>
    x === undefined || y === undefined ? "-" : `${y - x >= 0 ? "+" : "−"}${format(Math.abs(y - x))}`;
  const row = (label: string, x: string, y: string, d: string) =>
    h(
      "tr",
      {},
      h("th", {}, label),
      h("td", { class: "num" }, x),
      h("td", { class: "num" }, y),
      h("td", { class: "num" }, d),
    );
  const figures = h(
    "table",
    { class: "compare", testid: "compare-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", {}, ""),
        h("th", {}, `A: ${a.title}`),
        h("th", {}, `B: ${b.title}`),
        h("th", {}, "B − A"),
      ),
    ),
    h(
      "tbody",
      {},
      row(
        "tasks",
        integer(a.tasks.length),
        integer(b.tasks.length),
        delta(a.tasks.length, b.tasks.length, integer),
      ),
      row(
        "accepted",
        `${integer(a.outcomes.accepted)} (${rate(a)})`,
        `${integer(b.outcomes.accepted)} (${rate(b)})`,
        delta(a.outcomes.accepted, b.outcomes.accepted, integer),
      ),
      row(
        "exhausted",
        integer(a.outcomes.exhausted),
        integer(b.outcomes.exhausted),
        delta(a.outcomes.exhausted, b.outcomes.exhausted, integer),
      ),
      row(
        "blocked",
        integer(a.outcomes.blocked),
        integer(b.outcomes.blocked),
        delta(a.outcomes.blocked, b.outcomes.blocked, integer),
      ),
      row("calls", integer(a.calls), integer(b.calls), delta(a.calls, b.calls, integer)),
      row(
        "tokens",
        integer(a.inputTokens + a.outputTokens),
        integer(b.inputTokens + b.outputTokens),
        delta(a.inputTokens + a.outputTokens, b.inputTokens + b.outputTokens, integer),
      ),
      row(
        "cost",
        dollars(a.costUsd),
        dollars(b.costUsd),
        delta(a.costUsd, b.costUsd, (n) => dollars(n)),
      ),
    ),
  );
  const models = [
    ...new Set(
      [...a.rungs, ...b.rungs].sort((x, y) => (x.rung ?? 1e9) - (y.rung ?? 1e9)).map((r) => r.modelId),
    ),
  ];
  const attemptsOf = (run: RunView) =>
    models.map((m) => run.rungs.find((r) => r.modelId === m)?.attempts ?? 0);
  const acceptedOf = (run: RunView) =>
    models.map((m) => run.rungs.find((r) => r.modelId === m)?.accepted ?? 0);
  const charts = h(
    "div",
    { class: "charts" },
    barChart("Attempts per rung", models, [
      { label: "A", values: attemptsOf(a), color: "#3b6fd8" },
      { label: "B", values: attemptsOf(b), color: "#e39b2d" },
    ]),
    barChart("Accepted per rung", models, [
      { label: "A", values: acceptedOf(a), color: "#3b6fd8" },
      { label: "B", values: acceptedOf(b), color: "#e39b2d" },
    ]),
  );

  const inB = new Map(b.tasks.map((t) => [t.name, t]));
  const inA = new Set(a.tasks.map((t) => t.name));
  const changed: [TaskRow, TaskRow][] = [];
  for (const x of a.tasks) {
    const y = inB.get(x.name);
    if (y !== undefined && (x.outcome !== y.outcome || x.answeredBy !== y.answeredBy)) changed.push([x, y]);
  }
  const onlyA = a.tasks.filter((t) => !inB.has(t.name)).length;
  const onlyB = b.tasks.filter((t) => !inA.has(t.name)).length;
  const outcomeChanged = changed.filter(([x, y]) => x.outcome !== y.outcome);
  const shown = [...outcomeChanged, ...changed.filter(([x, y]) => x.outcome === y.outcome)].slice(
    0,
    pageSize * 10,
  );
  const list = h(
    "table",
    { class: "tasks", testid: "changed-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["task", "A", "B", "A answered by", "B answered by", "attempts A → B"].map((c) => h("th", {}, c)),
      ),
    ),
    h(
      "tbody",
      {},
      ...shown.map(([x, y]) =>
        h(
          "tr",
          { testid: "changed-row" },
          h("td", { class: "name" }, x.name),
          h("td", {}, h("span", { class: `badge ${x.outcome}` }, x.outcome)),
          h("td", {}, h("span", { class: `badge ${y.outcome}` }, y.outcome)),
          h("td", { class: "model" }, x.answeredBy ?? "-"),
          h("td", { class: "model" }, y.answeredBy ?? "-"),
          h("td", { class: "num" }, `${x.attempts} → ${y.attempts}`),
        ),
      ),
    ),
  );
  return h(
    "section",
    { class: "compare-view", testid: "compare" },
    h("p", { class: "facts" }, `A: ${a.dir}`, h("br"), `B: ${b.dir}`),
    figures,
    charts,
    h("h2", {}, "Tasks that changed"),
    h(
      "p",
      { class: "facts", testid: "changed-count" },
      `${integer(outcomeChanged.length)} task(s) changed outcome and ${integer(changed.length - outcomeChanged.length)} more changed the model that answered`,
      onlyA + onlyB > 0 ? `; ${integer(onlyA)} task(s) only in A, ${integer(onlyB)} only in B` : "",
      shown.length < changed.length ? ` (the first ${integer(shown.length)} shown)` : "",
      ".",
    ),
    list,
  );
}
