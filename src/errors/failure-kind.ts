/**
 * Why an attempt failed, normalised across providers (docs/architecture.md).
 *
 * The kind decides what happens next:
 * - `auth`, `model-not-found`, `invalid-request`, `quota-exhausted`: never re-sent to the same model
 *   (climb the ladder, or stop);
 * - `context-overflow`: never re-sent unchanged (split, or a rung with a larger window);
 * - `rate-limited`, `server-error`, `network`: transport retries inside the provider;
 * - `empty`, `truncated`, `rejected`, `rubric-error`: a new attempt with feedback;
 * - `timeout`: the call or the shared deadline ran out;
 * - `aborted`: the caller's signal fired; everything stops at once;
 * - `unfinished`: the attempt started and never ended (the process running it died); found in the task's
 *   store by its next run, never produced by a call.
 */
export type FailureKind =
  | "auth"
  | "model-not-found"
  | "invalid-request"
  | "context-overflow"
  | "rate-limited"
  | "quota-exhausted"
  | "server-error"
  | "network"
  | "timeout"
  | "empty"
  | "truncated"
  | "rejected"
  | "rubric-error"
  | "aborted"
  | "unfinished";

/** Every failure kind, in the order of docs/architecture.md. */
export const failureKinds: readonly FailureKind[] = Object.freeze([
  "auth",
  "model-not-found",
  "invalid-request",
  "context-overflow",
  "rate-limited",
  "quota-exhausted",
  "server-error",
  "network",
  "timeout",
  "empty",
  "truncated",
  "rejected",
  "rubric-error",
  "aborted",
  "unfinished",
]);

/** Kinds that asking the same model again cannot fix: the ladder climbs past that model. */
export const fatalForModelKinds: ReadonlySet<FailureKind> = new Set<FailureKind>([
  "auth",
  "model-not-found",
  "invalid-request",
  "quota-exhausted",
]);

/** Kinds a transport retry (same request, after a backoff) may fix. */
export const transientKinds: ReadonlySet<FailureKind> = new Set<FailureKind>([
  "rate-limited",
  "server-error",
  "network",
]);

/** Kinds that count against a model's circuit breaker: the provider, not the answer, failed. */
export const providerFailureKinds: ReadonlySet<FailureKind> = new Set<FailureKind>([
  "auth",
  "model-not-found",
  "quota-exhausted",
  "rate-limited",
  "server-error",
  "network",
  "timeout",
]);
