import { capText } from "../text/cap.js";

/**
 * Tolerant reads of record fields: a record written by another version of rungs may lack a field, hold
 * `null`, or hold another type. Each reader returns `undefined` rather than throwing.
 */

export type Json = Record<string, unknown>;

export const obj = (value: unknown): Json | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;

export const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

export const num = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

export const bool = (value: unknown): boolean | undefined => (typeof value === "boolean" ? value : undefined);

/** A value in a few words, for fields the viewer does not know (at most `max` chars). */
export function brief(value: unknown, max = 200): string {
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return capText(text, max);
}
