import { terminalText } from "../text/terminal-text.js";

/**
 * Plain-text columns for people: each column as wide as its widest cell, two spaces apart. Cells come from
 * stores and records (task ids, model ids, error messages): control characters are shown escaped.
 */
export function table(header: readonly string[], cells: readonly (readonly string[])[]): string {
  const rows = cells.map((row) => row.map((cell) => terminalText(cell, { singleLine: true })));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** `1234` ms → `"1.2s"`, `87` → `"87ms"`. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** An ISO time from ms since the epoch. */
export const isoTime = (ms: number): string => new Date(ms).toISOString();
