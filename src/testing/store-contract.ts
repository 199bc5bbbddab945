import { isDeepStrictEqual } from "node:util";
import type { Failure } from "../messages.js";
import type {
  LearnedStatsStore,
  MaybePromise,
  RungStats,
  StatsStore,
  TaskFailureEntry,
  TaskStateStore,
} from "../record/stats-store.js";
import { StoreContractError } from "./store-contract-error.js";

/** One named check of a store contract: `run` resolves when the store keeps it, rejects when not. */
export interface StoreCheck {
  /** What the check holds the store to, e.g. `"stats: zeros for a pair never recorded"`. */
  readonly name: string;
  /** Runs the check on a store of its own; rejects with a {@link StoreContractError} naming what differed. */
  run(): Promise<void>;
}

/** Options of {@link statsStoreContract}. */
export interface StoreContractOptions {
  /** How many writes the concurrency checks start at once. @default 50 */
  concurrentWrites?: number;
}

/** The keys every check of prototype-named keys uses: each must be a plain key like any other. */
const awkwardKeys = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"] as const;

/**
 * The store contract: every method's documented semantics (docs/architecture.md, *Stores*; the
 * `StatsStore` TSDoc), as named async checks that any test runner can loop over. `makeStore` is called once
 * per check and must return an empty store that no other check uses (a fresh key prefix, a new temporary
 * file); it may answer at once or with a promise, and so may every store method. The list is the union of
 * {@link learnedStatsStoreContract} and {@link taskStateStoreContract}.
 *
 * @example
 * import { describe, it } from "vitest";
 * import { statsStoreContract } from "rungs/testing";
 * describe("my SQL stats store", () => {
 *   for (const check of statsStoreContract(() => mySqlStore(freshSchema()))) it(check.name, check.run);
 * });
 */
export function statsStoreContract(
  makeStore: () => MaybePromise<StatsStore>,
  options: StoreContractOptions = {},
): StoreCheck[] {
  return [...learnedStatsStoreContract(makeStore, options), ...taskStateStoreContract(makeStore, options)];
}

/** The checks of the {@link LearnedStatsStore} half (`record`, `stats`): see {@link statsStoreContract}. */
export function learnedStatsStoreContract(
  makeStore: () => MaybePromise<LearnedStatsStore>,
  options: StoreContractOptions = {},
): StoreCheck[] {
  const n = writesOf(options);
  const check = (name: string, body: (store: LearnedStatsStore) => Promise<void>): StoreCheck => ({
    name: `learned stats: ${name}`,
    run: async () => body(await makeStore()),
  });
  return [
    check("stats of a pair never recorded are zeros", async (store) => {
      same("stats('never', 'seen')", await counts(store, "never", "seen"), { accepted: 0, failed: 0 });
    }),
    check("record counts accepted and failed per task class and model, independently", async (store) => {
      await store.record({ taskClass: "sql", modelId: "small", accepted: true });
      await store.record({ taskClass: "sql", modelId: "small", accepted: false });
      await store.record({ taskClass: "sql", modelId: "small", accepted: false });
      await store.record({ taskClass: "sql", modelId: "large", accepted: true });
      await store.record({ taskClass: "prose", modelId: "small", accepted: true });
      // Keys that a naive "class:model" join would confuse.
      await store.record({ taskClass: "a:b", modelId: "c", accepted: true });
      same("stats('sql', 'small')", await counts(store, "sql", "small"), { accepted: 1, failed: 2 });
      same("stats('sql', 'large')", await counts(store, "sql", "large"), { accepted: 1, failed: 0 });
      same("stats('prose', 'small')", await counts(store, "prose", "small"), { accepted: 1, failed: 0 });
      same("stats('prose', 'large')", await counts(store, "prose", "large"), { accepted: 0, failed: 0 });
      same("stats('a:b', 'c')", await counts(store, "a:b", "c"), { accepted: 1, failed: 0 });
      same("stats('a', 'b:c')", await counts(store, "a", "b:c"), { accepted: 0, failed: 0 });
    }),
    check("record reads its entry when called", async (store) => {
      const given = { taskClass: "c", modelId: "m", accepted: true };
      const writing = store.record(given);
      // Changed before the write settles: the store must count what it was given at the call.
      given.accepted = false;
      given.taskClass = "changed";
      await writing;
      same("stats('c', 'm')", await counts(store, "c", "m"), { accepted: 1, failed: 0 });
      same("stats('changed', 'm')", await counts(store, "changed", "m"), { accepted: 0, failed: 0 });
    }),
    check("stats returns a copy: changing it changes nothing stored", async (store) => {
      await store.record({ taskClass: "c", modelId: "m", accepted: true });
      const first = await counts(store, "c", "m");
      first.accepted = 99;
      same("stats('c', 'm') after changing an earlier answer", await counts(store, "c", "m"), {
        accepted: 1,
        failed: 0,
      });
    }),
    check(`${n} concurrent records are all counted`, async (store) => {
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          Promise.resolve(store.record({ taskClass: "burst", modelId: "m", accepted: i % 5 === 0 })),
        ),
      );
      const accepted = Math.ceil(n / 5);
      same("stats('burst', 'm')", await counts(store, "burst", "m"), { accepted, failed: n - accepted });
    }),
    check("prototype-named task classes and model ids are plain keys", async (store) => {
      for (const [i, key] of awkwardKeys.entries()) {
        for (let k = 0; k <= i; k += 1) await store.record({ taskClass: key, modelId: "m", accepted: true });
        await store.record({ taskClass: "c", modelId: key, accepted: false });
      }
      for (const [i, key] of awkwardKeys.entries()) {
        same(`stats(${JSON.stringify(key)}, 'm')`, await counts(store, key, "m"), {
          accepted: i + 1,
          failed: 0,
        });
        same(`stats('c', ${JSON.stringify(key)})`, await counts(store, "c", key), { accepted: 0, failed: 1 });
        same(`stats(${JSON.stringify(key)}, ${JSON.stringify(key)})`, await counts(store, key, key), {
          accepted: 0,
          failed: 0,
        });
      }
    }),
  ];
}

/**
 * The checks of the {@link TaskStateStore} half (`block`, `blockedAt`, `unblock`, `recordTaskFailure`,
 * `getTaskState`, `resetTask`): see {@link statsStoreContract}.
 */
export function taskStateStoreContract(
  makeStore: () => MaybePromise<TaskStateStore>,
  options: StoreContractOptions = {},
): StoreCheck[] {
  const n = writesOf(options);
  const check = (name: string, body: (store: TaskStateStore) => Promise<void>): StoreCheck => ({
    name: `task state: ${name}`,
    run: async () => body(await makeStore()),
  });
  return [
    check("blockedAt is undefined for a task never blocked, unblock of it returns false", async (store) => {
      same("blockedAt('free')", await store.blockedAt("free"), undefined);
      same("unblock('free')", await store.unblock("free"), false);
      same("blockedAt('free') after unblock", await store.blockedAt("free"), undefined);
    }),
    check("block marks a task with its time; unblock returns true once, then false", async (store) => {
      await store.block("t1", 1_700_000_000_123);
      await store.block("t2", 0);
      same("blockedAt('t1')", await store.blockedAt("t1"), 1_700_000_000_123);
      same("blockedAt('t2') (blocked at 0)", await store.blockedAt("t2"), 0);
      await store.block("t1", 1_700_000_000_999);
      same("blockedAt('t1') after blocking it again", await store.blockedAt("t1"), 1_700_000_000_999);
      same("unblock('t1')", await store.unblock("t1"), true);
      same("blockedAt('t1') after unblock", await store.blockedAt("t1"), undefined);
      same("unblock('t1') again", await store.unblock("t1"), false);
      same("blockedAt('t2') (another task)", await store.blockedAt("t2"), 0);
    }),
    check("getTaskState is undefined for a task with no failure", async (store) => {
      same("getTaskState('new')", await store.getTaskState("new"), undefined);
    }),
    check(
      "recordTaskFailure counts failures, sets rung, modelId and updatedAt, appends feedback",
      async (store) => {
        await store.recordTaskFailure("t", entry(0, "small", 1, 1_000, 8));
        same("getTaskState after one failure", await store.getTaskState("t"), {
          failures: 1,
          rung: 0,
          modelId: "small",
          feedback: [failure("small", 1)],
          updatedAt: 1_000,
        });
        await store.recordTaskFailure("t", entry(2, "large", 2, 2_000, 8));
        same("getTaskState after two failures", await store.getTaskState("t"), {
          failures: 2,
          rung: 2,
          modelId: "large",
          feedback: [failure("small", 1), failure("large", 2)],
          updatedAt: 2_000,
        });
        same("getTaskState('other')", await store.getTaskState("other"), undefined);
      },
    ),
    check(
      "recordTaskFailure keeps only the newest `keep` failures, oldest first; keep 0 keeps none",
      async (store) => {
        for (let i = 1; i <= 5; i += 1) await store.recordTaskFailure("t", entry(0, "m", i, i, 3));
        const state = await store.getTaskState("t");
        same("failures after 5", state?.failures, 5);
        same("feedback with keep 3", state?.feedback, [failure("m", 3), failure("m", 4), failure("m", 5)]);
        await store.recordTaskFailure("t", entry(1, "m2", 6, 6, 1));
        same("feedback with keep 1", (await store.getTaskState("t"))?.feedback, [failure("m2", 6)]);
        await store.recordTaskFailure("none", entry(0, "m", 1, 1, 0));
        const none = await store.getTaskState("none");
        same("failures with keep 0", none?.failures, 1);
        same("feedback with keep 0", none?.feedback, []);
      },
    ),
    check(
      "recordTaskFailure stores every field of a failure, and reads its entry when called",
      async (store) => {
        const full: Failure = {
          attempts: [3, 4],
          modelId: "m",
          kind: "rejected",
          message: "2/3 rules passed",
          violations: [{ ruleId: "json", message: "not JSON" }],
          excerpt: "{ oops",
        };
        const given = { rung: 1, modelId: "m", failure: structuredClone(full), at: 5, keep: 8 };
        const writing = store.recordTaskFailure("t", given);
        // Changed before the write settles: the store must keep what it was given at the call.
        given.rung = 9;
        // Readonly in the type, not at runtime: a caller in plain JavaScript may still change them.
        (given.failure.attempts as number[]).push(99);
        (given.failure.violations as { ruleId: string; message: string }[]).push({
          ruleId: "late",
          message: "changed after the call",
        });
        given.failure.message = "changed after the call";
        await writing;
        same("getTaskState('t')", await store.getTaskState("t"), {
          failures: 1,
          rung: 1,
          modelId: "m",
          feedback: [full],
          updatedAt: 5,
        });
      },
    ),
    check("getTaskState returns a copy: changing it changes nothing stored", async (store) => {
      await store.recordTaskFailure("t", entry(0, "m", 1, 10, 8));
      const state = (await store.getTaskState("t"))!;
      state.failures = 99;
      (state.feedback[0]!.attempts as number[]).push(42);
      state.feedback[0]!.message = "changed";
      state.feedback.push(failure("x", 7));
      same("getTaskState('t') after changing an earlier answer", await store.getTaskState("t"), {
        failures: 1,
        rung: 0,
        modelId: "m",
        feedback: [failure("m", 1)],
        updatedAt: 10,
      });
    }),
    check(
      "resetTask forgets the state and leaves the block mark; unblock leaves the state",
      async (store) => {
        await store.recordTaskFailure("t", entry(0, "m", 1, 10, 8));
        await store.block("t", 20);
        same("unblock('t')", await store.unblock("t"), true);
        same("failures after unblock", (await store.getTaskState("t"))?.failures, 1);
        await store.block("t", 30);
        await store.resetTask("t");
        same("getTaskState after resetTask", await store.getTaskState("t"), undefined);
        same("blockedAt after resetTask", await store.blockedAt("t"), 30);
        await store.resetTask("never");
        same(
          "getTaskState('never') after resetTask of a task with none",
          await store.getTaskState("never"),
          undefined,
        );
        await store.recordTaskFailure("t", entry(2, "m3", 2, 40, 8));
        same("getTaskState after a reset, then a failure", await store.getTaskState("t"), {
          failures: 1,
          rung: 2,
          modelId: "m3",
          feedback: [failure("m3", 2)],
          updatedAt: 40,
        });
      },
    ),
    check(
      "an attempt in flight: startTaskAttempt marks it, a failure or endTaskAttempt ends it, resetTask forgets it",
      async (store) => {
        // Optional methods: a store without them keeps no attempt in flight, and has nothing to check here.
        if (store.startTaskAttempt === undefined && store.endTaskAttempt === undefined) return;
        if (store.startTaskAttempt === undefined || store.endTaskAttempt === undefined)
          throw new StoreContractError(
            "startTaskAttempt and endTaskAttempt",
            "both methods, or neither",
            store.startTaskAttempt === undefined ? "endTaskAttempt alone" : "startTaskAttempt alone",
          );
        const given = { rung: 1, modelId: "m", at: 100 };
        const starting = store.startTaskAttempt("new", given);
        given.rung = 9;
        await starting;
        same("getTaskState of a task whose first attempt started", await store.getTaskState("new"), {
          failures: 0,
          rung: 1,
          modelId: "m",
          feedback: [],
          updatedAt: 100,
          started: { rung: 1, modelId: "m", at: 100 },
        });
        await store.recordTaskFailure("new", entry(1, "m", 1, 150, 8));
        same("getTaskState after the failure of the attempt in flight", await store.getTaskState("new"), {
          failures: 1,
          rung: 1,
          modelId: "m",
          feedback: [failure("m", 1)],
          updatedAt: 150,
        });
        await store.startTaskAttempt("new", { rung: 2, modelId: "l", at: 200 });
        same("getTaskState after a second attempt started", await store.getTaskState("new"), {
          failures: 1,
          rung: 1,
          modelId: "m",
          feedback: [failure("m", 1)],
          updatedAt: 150,
          started: { rung: 2, modelId: "l", at: 200 },
        });
        await store.endTaskAttempt("new");
        same("started after endTaskAttempt", (await store.getTaskState("new"))?.started, undefined);
        same("failures after endTaskAttempt", (await store.getTaskState("new"))?.failures, 1);
        await store.endTaskAttempt("never");
        same("getTaskState('never') after endTaskAttempt", await store.getTaskState("never"), undefined);
        await store.startTaskAttempt("new", { rung: 0, modelId: "s", at: 300 });
        await store.block("new", 400);
        await store.resetTask("new");
        same(
          "getTaskState after resetTask with an attempt in flight",
          await store.getTaskState("new"),
          undefined,
        );
        same("blockedAt after resetTask", await store.blockedAt("new"), 400);
        await store.startTaskAttempt("__proto__", { rung: 3, modelId: "constructor", at: 5 });
        same("started of task '__proto__'", (await store.getTaskState("__proto__"))?.started, {
          rung: 3,
          modelId: "constructor",
          at: 5,
        });
      },
    ),
    check(`${n} concurrent recordTaskFailure calls are all counted`, async (store) => {
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          Promise.resolve(store.recordTaskFailure("burst", entry(0, "m", i + 1, i + 1, 4))),
        ),
      );
      const state = await store.getTaskState("burst");
      same("failures", state?.failures, n);
      same("feedback kept", state?.feedback.length, Math.min(n, 4));
    }),
    check(`${n} concurrent blocks of distinct tasks are all kept`, async (store) => {
      await Promise.all(Array.from({ length: n }, (_, i) => Promise.resolve(store.block(`task-${i}`, i))));
      for (let i = 0; i < n; i += 1) same(`blockedAt('task-${i}')`, await store.blockedAt(`task-${i}`), i);
    }),
    check("prototype-named task ids are plain keys", async (store) => {
      for (const [i, key] of awkwardKeys.entries()) {
        const name = JSON.stringify(key);
        same(`blockedAt(${name}) before any block`, await store.blockedAt(key), undefined);
        same(`getTaskState(${name}) before any failure`, await store.getTaskState(key), undefined);
        same(`unblock(${name}) before any block`, await store.unblock(key), false);
        await store.block(key, 100 + i);
        await store.recordTaskFailure(key, entry(i, key, i + 1, 200 + i, 8));
      }
      for (const [i, key] of awkwardKeys.entries()) {
        const name = JSON.stringify(key);
        same(`blockedAt(${name})`, await store.blockedAt(key), 100 + i);
        same(`getTaskState(${name})`, await store.getTaskState(key), {
          failures: 1,
          rung: i,
          modelId: key,
          feedback: [failure(key, i + 1)],
          updatedAt: 200 + i,
        });
      }
      same("unblock('__proto__')", await store.unblock("__proto__"), true);
      await store.resetTask("constructor");
      same("getTaskState('constructor') after resetTask", await store.getTaskState("constructor"), undefined);
      same("blockedAt('toString') (untouched)", await store.blockedAt("toString"), 102);
    }),
  ];
}

function writesOf(options: StoreContractOptions): number {
  const n = options.concurrentWrites ?? 50;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new TypeError(
      `statsStoreContract: concurrentWrites must be a whole number ≥ 1 (got ${String(n)}).`,
    );
  return n;
}

function failure(modelId: string, attempt: number): Failure {
  return { attempts: [attempt], modelId, kind: "rejected", message: `attempt ${attempt} was rejected` };
}

function entry(rung: number, modelId: string, attempt: number, at: number, keep: number): TaskFailureEntry {
  return { rung, modelId, failure: failure(modelId, attempt), at, keep };
}

async function counts(store: LearnedStatsStore, taskClass: string, modelId: string): Promise<RungStats> {
  return store.stats(taskClass, modelId);
}

/** Throws a {@link StoreContractError} unless `actual` deeply and strictly equals `expected`. */
function same(what: string, actual: unknown, expected: unknown): void {
  // Plain data: a class instance or a null-prototype object with the same fields is fine.
  if (!isDeepStrictEqual(plain(actual), plain(expected)))
    throw new StoreContractError(what, expected, actual);
}

/** `value` as JSON-like data with ordinary prototypes (undefined fields dropped, as a store may drop them). */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const field = (value as Record<string, unknown>)[key];
      if (field === undefined) continue;
      Object.defineProperty(out, key, {
        value: plain(field),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}
