import type { RunView } from "../data.js";
import { barChart } from "./charts.js";
import { h } from "./dom.js";
import { dollars, integer, ms, percent, time } from "./format.js";

const colors = { a: "#3b6fd8", b: "#e39b2d", c: "#4aa564" };

/** The run's header: outcomes as tiles, totals, then per rung a table and charts. */
export function summaryView(run: RunView): HTMLElement {
  const tasks = run.tasks.length;
  const tile = (label: string, value: string, note: string, testid: string) =>
    h(
      "div",
      { class: `tile ${testid}`, testid },
      h("div", { class: "value" }, value),
      h("div", { class: "label" }, label),
      h("div", { class: "sub" }, note),
    );
  const tiles = h(
    "div",
    { class: "tiles" },
    tile("tasks", integer(tasks), `${integer(run.attempts)} attempts`, "task-total"),
    tile(
      "accepted",
      integer(run.outcomes.accepted),
      percent(run.outcomes.accepted, tasks),
      "outcome-accepted",
    ),
    tile(
      "exhausted",
      integer(run.outcomes.exhausted),
      percent(run.outcomes.exhausted, tasks),
      "outcome-exhausted",
    ),
    tile("blocked", integer(run.outcomes.blocked), percent(run.outcomes.blocked, tasks), "outcome-blocked"),
    run.outcomes.unfinished > 0 &&
      tile("unfinished", integer(run.outcomes.unfinished), "no run ended", "outcome-unfinished"),
    tile("calls", integer(run.calls), `${(run.calls / Math.max(1, tasks)).toFixed(2)} per task`, "calls"),
    tile(
      "tokens",
      integer(run.inputTokens + run.outputTokens),
      `${integer(run.inputTokens)} in · ${integer(run.outputTokens)} out`,
      "tokens",
    ),
    tile(
      "cost",
      dollars(run.costUsd),
      run.costUsd === undefined ? "no prices (see --prices)" : `prices: ${run.pricesFrom ?? "given"}`,
      "cost",
    ),
  );
  const facts = h(
    "p",
    { class: "facts" },
    `Started ${time(run.startedAt)}`,
    run.endedAt !== undefined && run.startedAt !== undefined
      ? `, took ${ms(run.endedAt - run.startedAt)}`
      : "",
    `. Figures from ${run.source === "summary" ? "summary.json" : "the attempt records (no summary.json)"}.`,
    run.unpriced.length > 0 ? ` No price for ${run.unpriced.join(", ")}: left out of the cost.` : "",
  );
  const kinds = Object.entries(run.byKind);
  return h(
    "section",
    { class: "summary", testid: "summary" },
    tiles,
    facts,
    kinds.length > 0 &&
      h(
        "p",
        { class: "facts" },
        `Failed attempts by kind: ${kinds.map(([k, n]) => `${k} ${integer(n)}`).join(", ")}.`,
      ),
    rungTable(run),
    rungCharts(run),
    run.warnings.length > 0 &&
      h(
        "details",
        { class: "warnings", testid: "warnings" },
        h("summary", {}, `${run.warnings.length} warning(s) while reading the run`),
        h("ul", {}, ...run.warnings.slice(0, 200).map((w) => h("li", {}, w))),
      ),
  );
}

function rungTable(run: RunView): HTMLElement {
  const priced = run.rungs.some((r) => r.costUsd !== undefined);
  return h(
    "table",
    { class: "rungs", testid: "rung-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...[
          "rung",
          "model",
          "attempts",
          "accepted",
          "accept rate",
          "tokens in",
          "tokens out",
          "time",
          ...(priced ? ["cost"] : []),
        ].map((c) => h("th", {}, c)),
      ),
    ),
    h(
      "tbody",
      {},
      ...run.rungs.map((r) =>
        h(
          "tr",
          { testid: "rung-row" },
          h("td", {}, r.rung === undefined ? "-" : String(r.rung)),
          h("td", { class: "model" }, r.modelId),
          h("td", { class: "num", testid: "rung-attempts" }, integer(r.attempts)),
          h("td", { class: "num", testid: "rung-accepted" }, integer(r.accepted)),
          h("td", { class: "num" }, percent(r.accepted, r.attempts)),
          h("td", { class: "num", testid: "rung-input-tokens" }, integer(r.inputTokens)),
          h("td", { class: "num", testid: "rung-output-tokens" }, integer(r.outputTokens)),
          h("td", { class: "num" }, ms(r.durationMs)),
          priced && h("td", { class: "num" }, dollars(r.costUsd)),
        ),
      ),
    ),
  );
}

function rungCharts(run: RunView): HTMLElement {
  const names = run.rungs.map((r) => r.modelId);
  const box = h("div", { class: "charts" });
  if (names.length === 0) return box;
  box.append(
    barChart("Attempts per rung", names, [
      { label: "attempts", values: run.rungs.map((r) => r.attempts), color: colors.a },
      { label: "accepted", values: run.rungs.map((r) => r.accepted), color: colors.c },
    ]),
    barChart("Tokens per rung", names, [
      { label: "in", values: run.rungs.map((r) => r.inputTokens), color: colors.a },
      { label: "out", values: run.rungs.map((r) => r.outputTokens), color: colors.b },
    ]),
  );
  if (run.rungs.some((r) => r.costUsd !== undefined)) {
    box.append(
      barChart("Cost per rung (US $)", names, [
        { label: "cost", values: run.rungs.map((r) => r.costUsd ?? 0), color: colors.b },
      ]),
    );
  }
  return box;
}
