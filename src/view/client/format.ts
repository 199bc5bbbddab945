import { capText } from "../../text/cap.js";

/** Numbers as the page prints them (en-US grouping, units spelled). */

export const integer = (n: number): string => Math.round(n).toLocaleString("en-US");

export const percent = (part: number, whole: number): string =>
  whole === 0 ? "-" : `${((part / whole) * 100).toFixed(1)} %`;

export const dollars = (usd: number | undefined): string =>
  usd === undefined ? "-" : `$${usd < 1 ? usd.toFixed(4) : usd.toFixed(2)}`;

export function ms(duration: number | undefined): string {
  if (duration === undefined) return "-";
  if (duration < 1000) return `${Math.round(duration)} ms`;
  if (duration < 60_000) return `${(duration / 1000).toFixed(1)} s`;
  return `${Math.floor(duration / 60_000)} min ${Math.round((duration % 60_000) / 1000)} s`;
}

export const time = (epochMs: number | undefined): string =>
  epochMs === undefined
    ? "-"
    : new Date(epochMs)
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, " UTC");

/** A model id without a provider prefix's noise is still the id: shown whole, shortened only in charts. */
export const shortModel = (id: string): string => capText(id, 24);
