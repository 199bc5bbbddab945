/**
 * The page's script (bundled into the page by `rungs view`). Reads the run from the page's JSON blocks and
 * draws it with DOM calls and text nodes only (dom.ts): nothing from a record is ever parsed as HTML.
 */
import uplotCss from "uplot/dist/uPlot.min.css";
import type { PageData, TaskDetail } from "../data.js";
import { climbView } from "./climb.js";
import { compareView } from "./compare.js";
import { clear, h } from "./dom.js";
import styles from "./styles.css";
import { summaryView } from "./summary.js";
import { tasksView } from "./tasks.js";

function block(id: string): string {
  return document.getElementById(id)?.textContent ?? "";
}

function main(): void {
  const style = document.createElement("style");
  style.textContent = `${uplotCss}\n${styles}`;
  document.head.append(style);
  const app = document.getElementById("app")!;
  const data = JSON.parse(block("rungs-data")) as PageData;
  if (data.mode === "compare") {
    app.append(h("header", {}, h("h1", {}, "rungs view: two runs")), compareView(data.a, data.b));
    return;
  }
  const run = data.run;
  const detail = h("div", { id: "detail" });
  const rawTask = (id: number) => block(`rungs-task-${id}`);
  const open = (id: number, scroll = true) => {
    const task = run.tasks[id];
    if (task === undefined) return;
    clear(detail);
    detail.append(climbView(task, JSON.parse(rawTask(id)) as TaskDetail));
    if (location.hash !== `#task-${id}`) history.replaceState(null, "", `#task-${id}`);
    if (scroll) detail.scrollIntoView({ block: "start" });
  };
  app.append(
    h("header", {}, h("h1", { title: run.dir }, `rungs view: ${run.title}`)),
    summaryView(run),
    tasksView(run, rawTask, open),
    detail,
  );
  const linked = /^#task-(\d+)$/.exec(location.hash);
  if (linked !== null) open(Number(linked[1]));
}

main();
