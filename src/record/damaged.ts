import { redactText } from "../redact.js";

// Damaged entries already reported, per store and entry: a store is read again and again, one warning
// each is enough. Bounded, so a store full of damage cannot grow this without end.
const reported = new Set<string>();
const maxReported = 10_000;

/**
 * Reports entries of a store that were skipped because they do not hold what they should (a count that is
 * not a whole number, a task state missing a field): one `RUNGS_STATS_STORE_DAMAGED` process warning per
 * read that found new ones, naming at most five. State read back from a store is untrusted: a damaged
 * entry is skipped, never a crash and never a silent pass.
 */
export function reportDamaged(store: string, entries: readonly string[]): void {
  const fresh = entries.filter((entry) => !reported.has(`${store}\u0000${entry}`));
  if (fresh.length === 0) return;
  for (const entry of fresh) if (reported.size < maxReported) reported.add(`${store}\u0000${entry}`);
  globalThis.process?.emitWarning?.(
    redactText(
      `${store}: skipped ${fresh.length} damaged entr${fresh.length === 1 ? "y" : "ies"}: ${fresh.slice(0, 5).join("; ")}${fresh.length > 5 ? `; and ${fresh.length - 5} more` : ""}. The rest is used; fix or delete the damaged entries to keep what they held.`,
    ),
    { code: "RUNGS_STATS_STORE_DAMAGED" },
  );
}

/** A stored count or time: a whole number ≥ 0 within 2⁵³, else `undefined` (damaged). */
export function storedCount(raw: unknown): number | undefined {
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
