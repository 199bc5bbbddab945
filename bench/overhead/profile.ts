// `npx tsx bench/overhead/profile.ts <row-id> <A|B|C> [top]`: runs one overhead row under `node --cpu-prof`
// and prints its top frames by self time, and rungs' functions by inclusive time, leaving out idle time and
// module loading (the .cpuprofile is kept for a flame graph, e.g. in Chrome DevTools
// or speedscope).
import { fileURLToPath } from "node:url";
import { profileScript } from "../lib/cpu-profile.js";

const [rowId = "rungs-retry", caseId = "C", top = "15"] = process.argv.slice(2);
const worker = fileURLToPath(new URL("./worker.ts", import.meta.url));
process.stdout.write(`${profileScript(worker, [rowId, caseId], Number(top))}\n`);
