// `npx tsx bench/streaming/profile.ts [row-id] [top]`: runs one per-delta overhead row (bench/streaming/
// overhead-rows.ts; default `ladder`) under `node --cpu-prof` and prints its top frames by self time, and
// rungs' functions by inclusive time (idle time and module loading left out). Build dist/ first
// (`npm run build`): the rows import the built package.
import { fileURLToPath } from "node:url";
import { profileScript } from "../lib/cpu-profile.js";

const [rowId = "ladder", top = "20"] = process.argv.slice(2);
const worker = fileURLToPath(new URL("./overhead-worker.ts", import.meta.url));
process.env.BENCH_REPETITION_MS ??= "2000";
process.stdout.write(`${profileScript(worker, [rowId], Number(top))}\n`);
