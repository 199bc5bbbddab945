// One tree-split run in its own process: `worker.ts <inputChars> <latencyMs> <budgetChars> <concurrency> <noteChars>`.
import pLimit from "p-limit";
import { sleep } from "../../src/clock.js";
import { defineModel } from "../../src/define-model.js";
import { treeSplit } from "../../src/primitives/tree-split.js";
import { reply } from "../lib/child.js";
import { proseOf } from "./input.js";

const [inputChars, latencyMs, budgetChars, concurrency, noteChars] = process.argv.slice(2).map(Number) as [
  number,
  number,
  number,
  number,
  number,
];

await reply(async () => {
  const document = proseOf(inputChars);
  // A fixed-latency model on real timers that answers with notes of a fixed size. It keeps nothing, so
  // the RSS measured is treeSplit's (and the input's), not a recorder's.
  let calls = 0;
  const note =
    `${"Notes: the passage discusses the topic in detail. ".repeat(Math.ceil(noteChars / 50))}`.slice(
      0,
      noteChars,
    );
  const model = defineModel("fixed-latency", async (_request, { signal }) => {
    calls += 1;
    await sleep(latencyMs, { signal });
    return { text: note };
  });
  const reader = treeSplit(model, { promptLimit: { chars: budgetChars }, concurrency });
  const request = (context: string) => ({
    messages: [{ role: "user" as const, content: "Summarise the documents in five bullet points." }],
    context: [context],
  });
  // Warm-up: one small split (3 calls) so the JIT has seen the code path; not counted.
  await reader.generate(request(document.slice(0, 10_000)));
  calls = 0;
  const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const answer = await reader.generate(request(document));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const split = answer.trace?.split;
  // Calls per level of the tree: the map level, each reduce level, and the answer.
  const levels = new Map<string, number>();
  for (const node of split?.nodes ?? []) {
    const level = `${node.stage}:${node.depth}`;
    levels.set(level, (levels.get(level) ?? 0) + 1);
  }
  // The same calls per level through a bare p-limit pool with the same sleep: what this machine's timers
  // and scheduler deliver for this tree without treeSplit's work, measured in the same process and run.
  const levelCounts = split === undefined ? [1] : [...levels.values()];
  const bareStarted = performance.now();
  for (const count of levelCounts) {
    const limit = pLimit(concurrency);
    await Promise.all(Array.from({ length: count }, () => limit(() => sleep(latencyMs))));
  }
  const bareMs = performance.now() - bareStarted;
  return {
    bareMs,
    inputChars: document.length,
    calls,
    shards: split?.shards ?? 0,
    reduces: split?.reduces ?? 0,
    depth: split?.depth ?? 0,
    traceCalls: split?.calls ?? 1,
    truncatedChars: split?.truncatedChars ?? 0,
    levels: levelCounts,
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    rssBeforeMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
});
