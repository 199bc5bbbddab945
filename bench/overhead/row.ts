import type { Call } from "../lib/measure.js";
import type { CaseId, Script } from "./scenario.js";

/** One row of the overhead table: a library's way to run the scenario (described in overhead/index.ts). */
export interface Row {
  id: string;
  /** Install the setTimeout → setImmediate stub in this row's process (peers only). */
  stubTimers: boolean;
  /** The cases this row can run (the AI SDK has no rubric, so no case C). @default every case */
  cases?: readonly CaseId[];
  /** Builds one call function for the case; the harness rebuilds it every 1000 calls, untimed. */
  setup: (script: Script) => Call | Promise<Call>;
}
