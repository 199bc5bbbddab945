import { RungsError } from "./rungs-error.js";

/**
 * The task (`metadata.taskId`) exhausted its ladder on an earlier call and is marked blocked in the
 * stats store; no model was called. Call `unblock(taskId)` on the store (or the ladder) to try again.
 */
export class BlockedTaskError extends RungsError {
  /** The error's class name, `"BlockedTaskError"`. */
  override name = "BlockedTaskError" as const;
  /** The blocked task's id (`metadata.taskId`). */
  readonly taskId: string;
  /** When the task was blocked (ms since the epoch), when the store knows. */
  readonly blockedAt: number | undefined;

  constructor(taskId: string, blockedAt?: number) {
    super(
      `Task "${taskId}" is blocked: an earlier run exhausted its ladder. No model was called. ` +
        `Call unblock("${taskId}") on the stats store to run it again.`,
    );
    this.taskId = taskId;
    this.blockedAt = blockedAt;
  }
}
