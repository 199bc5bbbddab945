// The soak (acceptance items 24 of docs/reliability.md): many mixed pipelines through long-lived
// shared objects (an event sink, a parent AbortSignal, circuit breakers, a retry quota, one ollama model), then
// checks that nothing accumulates: the heap after GC between the first and the last tenth, listeners on the
// shared signal and sink, ollama response bodies left open and ollama-js `ongoingStreamedRequests` entries,
// process warnings, unhandled rejections — and that every pipeline ended as its script says.
//
//   npm run soak                       # 100,000 pipelines (node --expose-gc)
//   npm run soak -- --pipelines 20000  # fewer
//
// test/reliability/soak.test.ts runs the short form through `runSoak`.
import { setMaxListeners } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Ollama } from "ollama/browser";
import {
  Budget,
  CircuitBreakers,
  continueUntilComplete,
  defineRubric,
  ExhaustedError,
  escalateAcross,
  type Generation,
  type Model,
  ProviderError,
  RungsEvents,
  retryWithContext,
  treeSplit,
} from "../src/index.js";
import { ollamaModel, RetryQuota } from "../src/providers/ollama/index.js";
import { hang, manualClock, scriptedModel } from "../src/testing/index.js";

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Pipelines to run. @default 100_000 */
  pipelines?: number;
  /** Pipelines in flight at once. @default 32 */
  concurrency?: number;
  /** Most heap growth allowed between the first and the last tenth, as a fraction. @default 0.1 */
  maxHeapGrowth?: number;
  /** Called after each tenth with its heap sample. */
  onTenth?: (tenth: number, heapUsedBytes: number) => void;
}

/** What a soak found. `failures` is empty when it passed. */
export interface SoakReport {
  pipelines: number;
  byKind: Record<string, number>;
  /** heapUsed after GC at the end of each tenth, in bytes. */
  heapSamples: number[];
  /** (last − first) / first of the tenth samples. */
  heapGrowth: number;
  maxListenerWarnings: number;
  unhandledRejections: number;
  /** Response bodies of the ollama adapter never closed or cancelled. */
  openBodies: number;
  /** ollama-js clients left with entries in `ongoingStreamedRequests` after their call ended. */
  ongoingStreamedRequests: number;
  /** Pipelines that did not end as their script says (first few, described). */
  wrongOutcomes: string[];
  failures: string[];
}

const kinds = ["retry", "ladder", "continue", "split", "abort", "exhausted", "ollama", "deadline"] as const;
type Kind = (typeof kinds)[number];

/** A GC function: `global.gc` under --expose-gc, else one obtained through V8 flags. */
function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") return exposed;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const ask = (content: string) => ({ messages: [{ role: "user" as const, content }] });
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs the soak and reports; never throws for a finding (read `failures`). */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const pipelines = options.pipelines ?? 100_000;
  const concurrency = options.concurrency ?? 32;
  const maxHeapGrowth = options.maxHeapGrowth ?? 0.1;
  const gc = gcFunction();

  let maxListenerWarnings = 0;
  let unhandledRejections = 0;
  const onWarning = (warning: Error) => {
    if (warning.name === "MaxListenersExceededWarning") maxListenerWarnings += 1;
  };
  const onUnhandled = () => {
    unhandledRejections += 1;
  };
  process.on("warning", onWarning);
  process.on("unhandledRejection", onUnhandled);

  // ollama-js clients: after its call, each must hold no ongoing streamed request (ollama-js#295).
  let ongoingStreamedRequests = 0;
  let streamsChecked = 0;
  const chat = Ollama.prototype.chat;
  const patched = async function (this: Ollama, ...args: Parameters<typeof chat>) {
    const result = await (chat as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    if (result !== null && typeof result === "object" && Symbol.asyncIterator in result) {
      const iterator = result as AsyncIterable<unknown>;
      const client = this as unknown as { ongoingStreamedRequests: unknown[] };
      return Object.assign(Object.create(Object.getPrototypeOf(iterator)), iterator, {
        [Symbol.asyncIterator]: async function* () {
          try {
            yield* iterator;
          } finally {
            // Checked on the next turn: the adapter aborts an unfinished stream in its own `finally`.
            setImmediate(() => {
              streamsChecked += 1;
              if (client.ongoingStreamedRequests.length > 0) ongoingStreamedRequests += 1;
            });
          }
        },
      });
    }
    return result;
  } as typeof chat;
  Ollama.prototype.chat = patched;

  // Long-lived objects every pipeline shares, as an app would.
  const parent = new AbortController();
  // Each pipeline in flight may listen on the parent; a leak of one listener per pipeline passes this at once.
  setMaxListeners(concurrency * 8, parent.signal);
  const events = new RungsEvents();
  let attemptEnds = 0;
  events.on("attempt-end", () => {
    attemptEnds += 1;
  });
  const baseListeners = events.listenerCount("attempt-end");
  const breakers = new CircuitBreakers({ failureThreshold: 3, openMs: 5_000 });
  const quota = new RetryQuota({ capacity: 500 });
  const rubric = defineRubric({
    id: "soak",
    rules: [
      { id: "says-ok", check: (text) => text.includes("ok") },
      {
        id: "no-crash",
        check: (text) => {
          if (text.includes("crash")) throw new Error("rule crashed");
          return true;
        },
      },
    ],
  });
  let openBodies = 0;
  const encoder = new TextEncoder();
  const fetch = async (_input: string | URL | Request, init?: RequestInit) => {
    const lines = [
      { model: "m", message: { role: "assistant", content: "ok from " }, done: false },
      { model: "m", message: { role: "assistant", content: "ollama" }, done: false },
      {
        model: "m",
        message: { role: "assistant", content: "" },
        done: true,
        done_reason: "stop",
        eval_count: 2,
      },
    ];
    let index = 0;
    openBodies += 1;
    let open = true;
    const close = () => {
      if (open) {
        open = false;
        openBodies -= 1;
      }
    };
    init?.signal?.addEventListener("abort", close, { once: true });
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const line = lines[index];
        index += 1;
        if (line === undefined) {
          controller.close();
          close();
          return;
        }
        controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
      },
      cancel: close,
    });
    return new Response(body, { status: 200, headers: { "content-type": "application/x-ndjson" } });
  };
  const local = ollamaModel({ model: "soak", fetch, retry: { quota } });
  const ollamaLadder = retryWithContext(local, { rubric, breakers });
  const context = Array.from({ length: 3 }, (_, i) => `Document ${i}. ${"soak text ".repeat(30)}`);

  const byKind: Record<string, number> = {};
  const wrongOutcomes: string[] = [];
  const wrong = (i: number, kind: Kind, what: string) => {
    if (wrongOutcomes.length < 10) wrongOutcomes.push(`pipeline ${i} (${kind}): ${what}`);
    else if (wrongOutcomes.length === 10) wrongOutcomes.push("…");
  };

  const runOne = async (i: number): Promise<void> => {
    const kind = kinds[i % kinds.length]!;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    const call = { events, signal: parent.signal, path: `soak[${i}]` };
    const expectText = async (model: Model, text: string, extra: object = {}) => {
      const g: Generation = await model.generate(ask(`task ${i}`), { ...call, ...extra });
      if (g.text !== text) wrong(i, kind, `text ${JSON.stringify(g.text.slice(0, 40))}`);
    };
    /** Observes a run's rejection at once (a handler attached later would be an unhandled rejection). */
    const caught = (run: Promise<unknown>) =>
      run.then(
        () => undefined,
        (e: unknown) => e,
      );
    const expectError = async (error: Promise<unknown>, test: (e: unknown) => boolean) => {
      const value = await error;
      if (!test(value)) wrong(i, kind, `ended with ${String(value)}`);
    };
    switch (kind) {
      case "retry":
        // Every third retry pipeline meets a rule that crashes: the run stops there (no further call).
        return i % 3 === 0
          ? expectError(
              caught(
                retryWithContext(scriptedModel("r", ["bad", "crash ok", "ok"]), {
                  rubric,
                  breakers,
                }).generate(ask("q"), call),
              ),
              (e) => ExhaustedError.isInstance(e) && e.limit === "rubricError" && e.attempts.length === 2,
            )
          : expectText(retryWithContext(scriptedModel("r", ["bad", "ok"]), { rubric, breakers }), "ok");
      case "ladder":
        return expectText(
          escalateAcross(
            [
              scriptedModel("down", [new ProviderError("503", { kind: "server-error", providerId: "down" })]),
              scriptedModel("up", ["ok up"]),
            ],
            { rubric, breakers },
          ),
          "ok up",
        );
      case "continue":
        return expectText(
          continueUntilComplete(
            scriptedModel("c", [{ text: "ok part one ", finishReason: "length" }, "part two"]),
          ),
          "ok part one part two",
        );
      case "split": {
        const model = scriptedModel("s", ["note"], { whenDone: "repeat-last" });
        const g = await treeSplit(model, { promptLimit: { chars: 700 } }).generate(
          { ...ask(`task ${i}`), context },
          call,
        );
        if (g.text !== "note" || (g.trace?.split?.calls ?? 0) < 2) wrong(i, kind, "split did not run");
        return;
      }
      case "abort": {
        const controller = new AbortController();
        const onParent = () => controller.abort(parent.signal.reason);
        parent.signal.addEventListener("abort", onParent, { once: true });
        const reason = new Error(`abort ${i}`);
        const run = caught(
          retryWithContext(scriptedModel("a", [hang]), { rubric }).generate(ask("q"), {
            ...call,
            signal: controller.signal,
          }),
        );
        await turn();
        controller.abort(reason);
        await expectError(run, (e) => e === reason);
        parent.signal.removeEventListener("abort", onParent);
        return;
      }
      case "exhausted":
        return expectError(
          caught(
            retryWithContext(scriptedModel("x", ["bad"], { whenDone: "repeat-last" }), {
              rubric,
              maxAttempts: 3,
            }).generate(ask("q"), call),
          ),
          (e) => ExhaustedError.isInstance(e) && e.limit === "maxAttempts" && e.attempts.length === 3,
        );
      case "ollama":
        return expectText(ollamaLadder, "ok from ollama");
      case "deadline": {
        const clock = manualClock();
        const run = caught(
          retryWithContext(scriptedModel("d", [hang]), { rubric }).generate(ask("q"), {
            ...call,
            budget: new Budget({ deadlineMs: 1_000, clock }),
            clock,
          }),
        );
        await turn();
        await clock.advance(1_000);
        return expectError(run, (e) => ExhaustedError.isInstance(e) && e.limit === "deadline");
      }
    }
  };

  const heapSamples: number[] = [];
  const tenth = Math.max(1, Math.floor(pipelines / 10));
  try {
    let next = 0;
    for (let t = 0; t < 10; t += 1) {
      const end = t === 9 ? pipelines : Math.min(pipelines, next + tenth);
      const worker = async () => {
        while (next < end) {
          const i = next;
          next += 1;
          await runOne(i).catch((error: unknown) =>
            wrong(i, kinds[i % kinds.length]!, `threw ${String(error)}`),
          );
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      await turn();
      gc();
      gc();
      const used = process.memoryUsage().heapUsed;
      heapSamples.push(used);
      options.onTenth?.(t + 1, used);
    }
    await turn();
  } finally {
    Ollama.prototype.chat = chat;
    process.off("warning", onWarning);
    process.off("unhandledRejection", onUnhandled);
  }

  const first = heapSamples[0] ?? 0;
  const last = heapSamples.at(-1) ?? 0;
  const heapGrowth = first > 0 ? (last - first) / first : 0;
  const failures: string[] = [];
  if (heapGrowth > maxHeapGrowth) {
    failures.push(
      `heap grew ${(heapGrowth * 100).toFixed(1)} % (limit ${(maxHeapGrowth * 100).toFixed(0)} %)`,
    );
  }
  if (maxListenerWarnings > 0) failures.push(`${maxListenerWarnings} MaxListenersExceededWarning(s)`);
  if (unhandledRejections > 0) failures.push(`${unhandledRejections} unhandled rejection(s)`);
  if (openBodies !== 0) failures.push(`${openBodies} ollama response bodies left open`);
  if (ongoingStreamedRequests > 0)
    failures.push(`${ongoingStreamedRequests} ollama-js clients kept a stream`);
  if (events.listenerCount("attempt-end") !== baseListeners)
    failures.push("listeners accumulated on the sink");
  if ((byKind.ollama ?? 0) > 0 && streamsChecked === 0)
    failures.push("the ollama-js client was never observed");
  if (attemptEnds === 0) failures.push("no attempt-end event reached the shared sink");
  if (wrongOutcomes.length > 0) failures.push(`${wrongOutcomes.length} pipelines ended wrongly`);
  return {
    pipelines,
    byKind,
    heapSamples,
    heapGrowth,
    maxListenerWarnings,
    unhandledRejections,
    openBodies,
    ongoingStreamedRequests,
    wrongOutcomes,
    failures,
  };
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

async function main(): Promise<void> {
  const pipelines = Number(argument("pipelines") ?? 100_000);
  const startedAt = performance.now();
  console.log(`soak: ${pipelines} mixed pipelines (${kinds.join(", ")})`);
  const report = await runSoak({
    pipelines,
    onTenth: (t, bytes) =>
      console.log(`  tenth ${String(t).padStart(2)}: heap after GC ${(bytes / 1_048_576).toFixed(1)} MB`),
  });
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(`heap growth first → last tenth: ${(report.heapGrowth * 100).toFixed(2)} % (limit 10 %)`);
  console.log(
    `MaxListeners warnings ${report.maxListenerWarnings}, unhandled rejections ${report.unhandledRejections}, ` +
      `open ollama bodies ${report.openBodies}, ollama-js ongoing streams ${report.ongoingStreamedRequests}, ` +
      `wrong outcomes ${report.wrongOutcomes.length}; ${seconds} s`,
  );
  for (const line of report.wrongOutcomes) console.log(`  ${line}`);
  if (report.failures.length > 0) {
    console.error(`soak FAILED: ${report.failures.join("; ")}`);
    process.exitCode = 1;
  } else {
    console.log("soak passed");
  }
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await main();
}
