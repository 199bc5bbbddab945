// One overhead row in its own process: `worker.ts <row-id> <A|B>`. Sends { microsPerCall, rss } to the parent.
import { reply } from "../lib/child.js";
import { measure } from "../lib/measure.js";
import { peakRssMb } from "../lib/stats.js";
import { stubTimers } from "../lib/stub-timers.js";
import { peerRows } from "./peers.js";
import { rungsRows } from "./rungs.js";
import { type CaseId, Script } from "./scenario.js";

const [rowId, caseArg] = process.argv.slice(2);
const caseId: CaseId = caseArg === "B" ? "B" : "A";

await reply(async () => {
  const row = [...rungsRows, ...peerRows].find((r) => r.id === rowId);
  if (row === undefined) throw new Error(`no overhead row "${rowId}"`);
  if (row.stubTimers && process.env.NO_STUB === undefined) stubTimers();
  const script = new Script(caseId);
  const result = await measure({ setup: () => row.setup(script) });
  return { ...result, peakRssMb: peakRssMb() };
});
