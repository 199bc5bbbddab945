import type { Outcome, RunView, TaskRow } from "../data.js";
import { clear, h } from "./dom.js";
import { dollars, integer, ms } from "./format.js";

/** Rows drawn at once: a run of 10,000 tasks is paged, so the page stays quick whatever the run's size. */
export const pageSize = 100;

type SortKey = "name" | "attempts" | "tokens" | "cost" | "time";

interface Filters {
  outcome: Outcome | "";
  answeredBy: string;
  failedRule: string;
  search: string;
}

/**
 * The task table: filters (outcome, the model that answered, a rule that failed), a search over each task's
 * name and records, sorting, and pages of {@link pageSize} rows. `open(id)` is called when a row is chosen.
 */
export function tasksView(
  run: RunView,
  rawTask: (id: number) => string,
  open: (id: number) => void,
): HTMLElement {
  const filters: Filters = { outcome: "", answeredBy: "", failedRule: "", search: "" };
  let sort: SortKey = "name";
  let page = 0;
  let matched: TaskRow[] = run.tasks;
  const lowered = new Map<number, string>();

  const select = (label: string, testid: string, options: [string, string][], set: (v: string) => void) => {
    const element = h(
      "select",
      { testid, title: label },
      h("option", { value: "" }, `${label}: all`),
      ...options.map(([value, text]) => h("option", { value }, text)),
    );
    element.addEventListener("change", () => {
      set(element.value);
      update();
    });
    return element;
  };
  const count = <T>(values: T[]) => {
    const counts = new Map<T, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return counts;
  };
  const outcomes = count(run.tasks.map((t) => t.outcome));
  const answered = count(run.tasks.map((t) => t.answeredBy ?? ""));
  const rules = count(run.tasks.flatMap((t) => t.failedRules));
  const rungOf = new Map(run.rungs.map((r) => [r.modelId, r.rung]));
  const byRung = (a: string, b: string) =>
    (rungOf.get(a) ?? 1e9) - (rungOf.get(b) ?? 1e9) || a.localeCompare(b);

  const search = h("input", {
    type: "search",
    placeholder: "search names, answers, messages",
    testid: "search",
    title: "search",
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      filters.search = search.value.trim();
      update();
    }, 150);
  });
  const controls = h(
    "div",
    { class: "filters" },
    select(
      "outcome",
      "filter-outcome",
      [...outcomes].map(([o, n]) => [o, `${o} (${integer(n)})`]),
      (v) => {
        filters.outcome = v as Outcome | "";
      },
    ),
    select(
      "answered by",
      "filter-answered",
      [...answered]
        .sort(([a], [b]) => byRung(a, b))
        .map(([m, n]) => [m === "" ? "\u0000none" : m, `${m === "" ? "(none)" : m} (${integer(n)})`]),
      (v) => {
        filters.answeredBy = v;
      },
    ),
    select(
      "failed rule",
      "filter-rule",
      [...rules]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([r, n]) => [r, `${r} (${integer(n)})`]),
      (v) => {
        filters.failedRule = v;
      },
    ),
    search,
  );
  const status = h("span", { class: "status" });
  const body = h("tbody", {});
  const pager = h("div", { class: "pager" });
  const header = (label: string, key: SortKey | undefined) => {
    const th = h("th", { title: key === undefined ? label : `sort by ${label}` }, label);
    if (key !== undefined) {
      th.classList.add("sortable");
      th.addEventListener("click", () => {
        sort = key;
        update();
      });
    }
    return th;
  };
  const table = h(
    "table",
    { class: "tasks", testid: "task-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        header("task", "name"),
        header("outcome", undefined),
        header("attempts", "attempts"),
        header("answered by", undefined),
        header("failed rules", undefined),
        header("tokens", "tokens"),
        header("cost", "cost"),
        header("time", "time"),
      ),
    ),
    body,
  );

  const needle = (text: string) =>
    JSON.stringify(text.toLowerCase())
      .slice(1, -1)
      .replace(/</g, "\\u003c")
      .replace(/>/g, "\\u003e")
      .replace(/&/g, "\\u0026");
  const matches = (task: TaskRow, query: string, encoded: string): boolean => {
    if (task.name.toLowerCase().includes(query)) return true;
    let raw = lowered.get(task.id);
    if (raw === undefined) {
      raw = rawTask(task.id).toLowerCase();
      lowered.set(task.id, raw);
    }
    return raw.includes(encoded);
  };
  const sorters: Record<SortKey, (a: TaskRow, b: TaskRow) => number> = {
    name: (a, b) => a.id - b.id,
    attempts: (a, b) => b.attempts - a.attempts || a.id - b.id,
    tokens: (a, b) => b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens) || a.id - b.id,
    cost: (a, b) => (b.costUsd ?? -1) - (a.costUsd ?? -1) || a.id - b.id,
    time: (a, b) => b.durationMs - a.durationMs || a.id - b.id,
  };

  function update(): void {
    const query = filters.search.toLowerCase();
    const encoded = needle(filters.search);
    matched = run.tasks.filter(
      (t) =>
        (filters.outcome === "" || t.outcome === filters.outcome) &&
        (filters.answeredBy === "" || (t.answeredBy ?? "\u0000none") === filters.answeredBy) &&
        (filters.failedRule === "" || t.failedRules.includes(filters.failedRule)) &&
        (query === "" || matches(t, query, encoded)),
    );
    matched.sort(sorters[sort]);
    page = 0;
    draw();
  }

  function draw(): void {
    const pages = Math.max(1, Math.ceil(matched.length / pageSize));
    page = Math.min(page, pages - 1);
    const first = page * pageSize;
    const rows = matched.slice(first, first + pageSize);
    clear(body);
    for (const task of rows) {
      const row = h(
        "tr",
        { testid: "task-row", class: `outcome-${task.outcome}`, tabindex: 0 },
        h("td", { class: "name" }, task.name),
        h("td", {}, h("span", { class: `badge ${task.outcome}` }, task.outcome)),
        h("td", { class: "num" }, String(task.attempts)),
        h(
          "td",
          { class: "model" },
          task.answeredBy === undefined
            ? "-"
            : `${task.answeredBy}${task.answeredRung === undefined ? "" : ` (rung ${task.answeredRung})`}`,
        ),
        h(
          "td",
          { class: "rules", title: task.failedRules.join("\n") },
          task.failedRules.length === 0
            ? "-"
            : `${task.failedRules.length}: ${task.failedRules.slice(0, 2).join(", ")}${task.failedRules.length > 2 ? ", …" : ""}`,
        ),
        h("td", { class: "num" }, integer(task.inputTokens + task.outputTokens)),
        h("td", { class: "num" }, dollars(task.costUsd)),
        h("td", { class: "num" }, ms(task.durationMs)),
      );
      row.addEventListener("click", () => open(task.id));
      // Reachable from the keyboard too: Tab to a row, Enter or Space opens it.
      row.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          open(task.id);
        }
      });
      body.append(row);
    }
    if (rows.length === 0)
      body.append(h("tr", {}, h("td", { colspan: 8, class: "empty" }, "No task matches these filters.")));
    clear(status);
    status.append(
      h("span", { testid: "match-count" }, integer(matched.length)),
      ` of ${integer(run.tasks.length)} tasks`,
      matched.length > pageSize ? ` · rows ${integer(first + 1)}–${integer(first + rows.length)}` : "",
    );
    clear(pager);
    if (pages > 1) {
      const button = (label: string, to: number, testid: string) => {
        const b = h("button", { type: "button", testid, disabled: to < 0 || to >= pages }, label);
        b.addEventListener("click", () => {
          page = to;
          draw();
        });
        return b;
      };
      pager.append(
        button("◀ previous", page - 1, "page-previous"),
        ` page ${page + 1} of ${pages} `,
        button("next ▶", page + 1, "page-next"),
      );
    }
  }

  draw();
  return h(
    "section",
    { class: "task-list" },
    h("h2", {}, "Tasks"),
    controls,
    h("div", { class: "statusbar" }, status, pager),
    table,
  );
}
