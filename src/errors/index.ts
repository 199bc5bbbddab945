export { BlockedTaskError } from "./blocked-task-error.js";
export { CallerCodeError, type CallerCodeOrigin, isCallerBug } from "./caller-code-error.js";
export { failureKindOf } from "./classify.js";
export { ExhaustedError, type ExhaustionLimit } from "./exhausted-error.js";
export {
  type FailureKind,
  failureKinds,
  fatalForModelKinds,
  providerFailureKinds,
  transientKinds,
} from "./failure-kind.js";
export { InvalidArgumentError } from "./invalid-argument-error.js";
export { NoProgressError, type NoProgressStage } from "./no-progress-error.js";
export { maxProviderBodyChars, ProviderError, type ProviderErrorOptions } from "./provider-error.js";
export { RungsError } from "./rungs-error.js";
export { StatsStoreError } from "./stats-store-error.js";
