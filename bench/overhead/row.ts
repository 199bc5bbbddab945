import type { Call } from "../lib/measure.js";
import type { Script } from "./scenario.js";

/** One row of the overhead table: a library's way to run the scenario (described in overhead/index.ts). */
export interface Row {
  id: string;
  /** Install the setTimeout → setImmediate stub in this row's process (peers only). */
  stubTimers: boolean;
  /** Builds one call function for the case; the harness rebuilds it every 1000 calls, untimed. */
  setup: (script: Script) => Call | Promise<Call>;
}
