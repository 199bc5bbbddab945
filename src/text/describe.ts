import { capText } from "./cap.js";

/**
 * A refused value as an error message shows it, short and never throwing: a string quoted and capped at
 * `maxChars` characters (its quotes aside), `a function`, `an array of 3`, `an object`, else the value itself
 * (`5`, `null`, `undefined`, `true`, `10n`, `Symbol(x)`). Objects are not shown: they may be large or hold
 * secrets, and a null-prototype object cannot even be turned into text.
 */
export function describeValue(value: unknown, maxChars = 40): string {
  if (typeof value === "string") return JSON.stringify(capText(value, maxChars));
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object" && value !== null) return "an object";
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}
