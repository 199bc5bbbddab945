import { installProcessReporter } from "../events.js";
import { consoleReporter, type ReportLevel } from "./console-reporter.js";

const off = new Set(["", "0", "false", "off", "no", "none", "disabled"]);
const normal = new Set(["1", "true", "on", "yes", "normal"]);

/**
 * The level a `RUNGS_LOG` value asks for: `1`/`true`/`on`/`yes`/`normal`, `quiet`, `verbose`; unset or one of
 * the usual words for off (`0`, `false`, `off`, `no`, `none`, `disabled`, empty) is off. Any other value is
 * off too, with a `RUNGS_LOG_UNKNOWN` process warning that names the accepted values.
 */
export function envLogLevel(value: string | undefined): ReportLevel | undefined {
  if (value === undefined) return undefined;
  const word = value.trim().toLowerCase();
  if (off.has(word)) return undefined;
  if (normal.has(word)) return "normal";
  if (word === "quiet" || word === "verbose") return word;
  globalThis.process?.emitWarning?.(
    `RUNGS_LOG=${JSON.stringify(value.slice(0, 40))} is not a level rungs knows, so nothing is printed. Use 1 (or normal), quiet or verbose; 0 (or off) turns it off.`,
    { code: "RUNGS_LOG_UNKNOWN" },
  );
  return undefined;
}

// Read once, when rungs loads: every RungsEvents made from now on, and calls that pass none, report to the
// console at this level. Nothing reads the variable again on the hot path.
const level = envLogLevel(globalThis.process?.env?.RUNGS_LOG);
if (level !== undefined) installProcessReporter((events) => consoleReporter(events, { level }));
