import { RungsEvents } from "../events.js";
import type { CallOptions } from "../model.js";
import { consoleReporter, type ReportLevel } from "./console-reporter.js";

/** Sinks the RUNGS_LOG reporter is attached to (each once). */
const attached = new WeakSet<RungsEvents>();
let shared: RungsEvents | undefined;

/** The level `RUNGS_LOG` asks for: `1`/`true`/`normal`, `quiet`, `verbose`; unset, empty or `0` is off. */
export function envLogLevel(): ReportLevel | undefined {
  const value = globalThis.process?.env?.RUNGS_LOG;
  if (value === undefined || value === "" || value === "0" || value === "false") return undefined;
  const lower = value.toLowerCase();
  return lower === "quiet" || lower === "verbose" ? lower : "normal";
}

/**
 * With `RUNGS_LOG` set, the call options with a console reporter on their events (a process-wide sink when
 * the caller passed none); otherwise the options as they are. Called where a primitive's run starts.
 */
export function withEnvLog(options: CallOptions): CallOptions {
  const level = envLogLevel();
  if (level === undefined) return options;
  const given = options.events as RungsEvents | undefined;
  if (given === undefined && shared === undefined) shared = new RungsEvents();
  const events = given ?? (shared as RungsEvents);
  if (!attached.has(events) && typeof events.subscribe === "function") {
    attached.add(events);
    consoleReporter(events, { level });
  }
  return given === events ? options : { ...options, events };
}
