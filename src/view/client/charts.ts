import uPlot from "uplot";
import { h } from "./dom.js";
import { integer, shortModel } from "./format.js";

/** One bar series: a value per rung. */
export interface BarSeries {
  label: string;
  values: number[];
  color: string;
}

/**
 * A bar chart with one group per rung, bars of each series side by side, drawn with uPlot. The same figures
 * are in the table beside it; the chart is for the eye.
 */
export function barChart(title: string, rungs: readonly string[], series: readonly BarSeries[]): HTMLElement {
  const box = h("figure", { class: "chart", testid: "chart" });
  const labels = withoutCommonPrefix(rungs);
  const n = Math.max(1, rungs.length);
  const x = rungs.map((_, i) => i);
  // Layout in shares of the plot's width: group i spans [i/n, (i+1)/n], its bars fill the middle 80 %.
  const group = 1 / n;
  const bar = (group * 0.8) / Math.max(1, series.length);
  const font = "11px system-ui, sans-serif";
  const opts: uPlot.Options = {
    title,
    width: 440,
    height: 240,
    legend: { show: series.length > 1, live: false },
    cursor: { show: false },
    scales: { x: { time: false, range: () => [-0.5, n - 0.5] } },
    axes: [
      {
        splits: () => x,
        values: (_u, splits) => splits.map((i) => shortModel(labels[i] ?? "")),
        rotate: rungs.length > 3 ? -35 : 0,
        size: rungs.length > 3 ? 90 : 36,
        font,
        gap: 4,
      },
      { values: (_u, splits) => splits.map(compact), size: 54, font },
    ],
    series: [
      {},
      ...series.map((s, j) => ({
        label: s.label,
        stroke: s.color,
        fill: s.color,
        width: 0,
        points: { show: false },
        paths: uPlot.paths.bars!({
          size: [1, Number.POSITIVE_INFINITY],
          disp: {
            x0: { unit: 2, values: () => x.map((i) => i * group + group * 0.1 + j * bar) },
            size: { unit: 2, values: () => x.map(() => bar) },
          },
        }),
      })),
    ],
  };
  const data: uPlot.AlignedData = [x, ...series.map((s) => s.values)];
  new uPlot(opts, data, box);
  return box;
}

const compact = (v: number): string =>
  Math.abs(v) >= 1e6
    ? `${(v / 1e6).toFixed(1)}M`
    : Math.abs(v) >= 1e4
      ? `${(v / 1e3).toFixed(0)}k`
      : Number.isInteger(v)
        ? integer(v)
        : v.toPrecision(2);

/** Model ids without the provider prefix they all share (`replay:`, `ollama:`), so the axis has room. */
export function withoutCommonPrefix(ids: readonly string[]): string[] {
  const first = ids[0];
  if (first === undefined || ids.length < 2) return [...ids];
  let end = first.length;
  for (const id of ids) {
    let i = 0;
    while (i < end && i < id.length && id[i] === first[i]) i += 1;
    end = i;
  }
  const cut = Math.max(first.lastIndexOf(":", end - 1), first.lastIndexOf("/", end - 1)) + 1;
  return cut <= 0 ? [...ids] : ids.map((id) => id.slice(cut));
}
