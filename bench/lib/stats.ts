/** Summary of repeated measurements: the median and the spread (min–max). */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Median, min and max of a non-empty list of numbers. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error("spread: no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

/** A number with a fixed count of significant decimals for tables: 1234.5 → "1,235", 1.234 → "1.23". */
export function fmt(value: number, decimals?: number): string {
  const digits = decimals ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "median (min–max)". */
export function fmtSpread(s: Spread, decimals?: number): string {
  return `${fmt(s.median, decimals)} (${fmt(s.min, decimals)}–${fmt(s.max, decimals)})`;
}

/** Peak resident set size of this process so far, in MB (`process.resourceUsage().maxRSS` is in KB). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** The `q` quantile (0..1) of a non-empty list, nearest rank (the smallest value with at least q of them at or below it). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error("quantile: no values");
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
