import { BudgetExhaustedError } from "../budget.js";
import type { Clock } from "../clock.js";
import type { FailureKind } from "../errors/failure-kind.js";
import { emit, listening } from "../events.js";
import type { GenerateRequest } from "../messages.js";
import { addUsage, type CallOptions } from "../model.js";
import type { PartSink } from "../stream/sink.js";
import type { Attempt, Resumption, Skip, Usage } from "../trace.js";
import { AttemptTimer } from "./attempt-timer.js";
import type { EngineConfig } from "./engine-config.js";
import { FeedbackLog } from "./feedback.js";
import type { GateRun, SkipDecision } from "./gates/gate.js";
import type { NormalizedRung } from "./ladder.js";
import type { Guard } from "./store-guard.js";
import type { TaskMemory } from "./task-memory.js";

/** The best-scoring judged attempt so far (`onExhausted: "best"`). */
export interface Best {
  attempt: Attempt;
  /** The model that produced the text (the leaf beneath the rung). */
  modelId: string;
}

/** Everything one run of the engine knows and has done: what the gates see, and what the result carries. */
export class Run implements GateRun {
  readonly attempts: Attempt[] = [];
  readonly skips: Skip[] = [];
  readonly refused = new Map<string, FailureKind>();
  readonly feedback = new FeedbackLog();
  overflowedWindow: number | undefined;
  resumed: Resumption | undefined;
  usage: Usage = {};
  best: Best | undefined;
  readonly lastRung: number;
  readonly guard: Guard;
  /** Every attempt's time limit, with one timer and one controller for the run (dispose at its end). */
  readonly timer: AttemptTimer;
  /** Where a streamed run's attempts put their parts; undefined for `generate`. */
  sink: PartSink | undefined;

  constructor(
    readonly config: EngineConfig,
    readonly request: GenerateRequest,
    readonly options: CallOptions,
    readonly path: string,
    readonly clock: Clock,
    readonly memory: TaskMemory | undefined,
  ) {
    this.lastRung = config.rungs.length - 1;
    this.guard = { signal: options.signal, budget: options.budget };
    this.timer = new AttemptTimer(clock, options.signal);
  }

  /** Records a rung passed over (a `rung-skip` event). */
  skip(rung: NormalizedRung, decision: SkipDecision): void {
    const entry: Skip = { rung: rung.index, modelId: rung.model.id, ...decision, at: this.clock.now() };
    this.skips.push(entry);
    const { events } = this.options;
    if (listening(events, "rung-skip"))
      emit(events, "rung-skip", { path: this.path, timestamp: entry.at, skip: entry });
  }

  /** Adds a finished attempt; keeps the best judged one. */
  add(attempt: Attempt, modelId: string): void {
    this.attempts.push(attempt);
    this.usage = addUsage(this.usage, attempt.usage);
    if (
      attempt.verdict !== undefined &&
      (this.best === undefined || attempt.verdict.score > this.best.attempt.verdict!.score)
    ) {
      this.best = { attempt, modelId };
    }
  }

  /**
   * Runs a store step inside the loop: a deadline that fires while the store hangs stops the run with its
   * attempts (a `BudgetExhaustedError` carrying them).
   */
  async storeStep(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (BudgetExhaustedError.isInstance(error)) throw this.budgetStop(error);
      throw error;
    }
  }

  /** The error that stops the run on a spent shared budget, carrying this run's attempts. */
  budgetStop(error: BudgetExhaustedError): BudgetExhaustedError {
    this.exhausted(error.limit);
    return new BudgetExhaustedError({
      limit: error.limit,
      attempts: this.attempts,
      skips: this.skips,
      message: error.message,
      cause: error,
    });
  }

  /** Reports the run's end without an accepted answer (the one `run-exhaust` event). */
  exhausted(limit: BudgetExhaustedError["limit"]): void {
    const { events } = this.options;
    if (listening(events, "run-exhaust")) {
      emit(events, "run-exhaust", {
        path: this.path,
        timestamp: this.clock.now(),
        limit,
        attemptCount: this.attempts.length,
      });
    }
  }
}
