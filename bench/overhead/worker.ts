// One overhead row in its own process: `worker.ts <row-id> <A|B|C>`. Sends the measurement to the parent.
import { reply } from "../lib/child.js";
import { measure } from "../lib/measure.js";
import { peakRssMb } from "../lib/stats.js";
import { stubTimers } from "../lib/stub-timers.js";
import { peerRows } from "./peers.js";
import { rungsRows } from "./rungs.js";
import { type CaseId, caseIds, Script } from "./scenario.js";

const [rowId, caseArg] = process.argv.slice(2);
const caseId = caseIds.find((id) => id === caseArg);

await reply(async () => {
  const row = [...rungsRows, ...peerRows].find((r) => r.id === rowId);
  if (row === undefined) throw new Error(`no overhead row "${rowId}"`);
  if (caseId === undefined) throw new Error(`no case "${caseArg}" (A, B or C)`);
  if (row.stubTimers && process.env.NO_STUB === undefined) stubTimers();
  const script = new Script(caseId as CaseId);
  // BENCH_REPETITION_MS lengthens the measured part, e.g. for a profile (profile.ts).
  const repetitionMs = Number(process.env.BENCH_REPETITION_MS ?? 300);
  const result = await measure({ setup: () => row.setup(script), repetitions: 3, repetitionMs });
  return { ...result, peakRssMb: peakRssMb() };
});
