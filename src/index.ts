/**
 * rungs: the public surface. Re-exports only; every export is named (no `export *`).
 *
 * @module rungs
 */

// The attempt engine: breakers, ladders, options shared by retryWithContext and escalateAcross
export {
  type BreakerPermit,
  type BreakerSnapshot,
  type BreakerState,
  CircuitBreaker,
  type CircuitBreakerOptions,
} from "./attempts/breaker.js";
export {
  type BreakerAdmission,
  type BreakerRegistry,
  CircuitBreakers,
  type CircuitBreakersOptions,
  isBreakerRegistry,
} from "./attempts/breaker-registry.js";
export type { FeedbackMode, LadderEntry, LadderRung, RungSkipContext } from "./attempts/ladder.js";
export type { AttemptEngineOptions } from "./attempts/options.js";
export { type CostAwareRoutingOptions, costAwareRouting } from "./attempts/routing/cost-aware.js";
export type { RoutingContext, RoutingPolicy } from "./attempts/routing/policy.js";
export {
  Budget,
  BudgetExhaustedError,
  type BudgetOptions,
} from "./budget.js";
export type { Clock } from "./clock.js";
export {
  defineModel,
  type ModelFunction,
  type ModelStreamFinish,
  type ModelStreamFunction,
  type ModelStreamPart,
} from "./define-model.js";
export {
  type ProviderCallDetails,
  partialTextOf,
  transportRetriesOf,
} from "./errors/call-details.js";
// Errors
export {
  BlockedTaskError,
  CallerCodeError,
  type CallerCodeOrigin,
  ExhaustedError,
  type ExhaustionLimit,
  type FailureKind,
  failureKindOf,
  failureKinds,
  InvalidArgumentError,
  NoProgressError,
  type NoProgressStage,
  ProviderError,
  type ProviderErrorOptions,
  RungsError,
  StatsStoreError,
} from "./errors/index.js";
// Runtime: events, budget, time, secrets
export {
  type AttemptDiscardEvent,
  type AttemptEndEvent,
  type AttemptStartEvent,
  type ContextSplitEvent,
  type EventBase,
  type OutputContinueEvent,
  type OutputStreamEvent,
  type RunExhaustEvent,
  type RungSkipEvent,
  type RungsEventMap,
  type RungsEventName,
  type RungsEventPayload,
  RungsEvents,
  type RunWarnEvent,
  type StartedAttempt,
  type TaskBlockEvent,
  type TaskResumeEvent,
  type TransportRetryEvent,
} from "./events.js";
// The contract
export type {
  AnsweredBy,
  AssistantMessage,
  AttemptStartPart,
  CallOptions,
  ContentPart,
  ConvertibleSchema,
  DiscardPart,
  FilePart,
  FinishPart,
  FinishReason,
  GenerateRequest,
  Generation,
  GenerationInput,
  ImagePart,
  JsonSchema,
  Message,
  Model,
  ModelCapabilities,
  PromptRequest,
  StreamingModel,
  StreamMode,
  StreamOptions,
  StreamPart,
  SystemMessage,
  TextDeltaPart,
  TextPart,
  ToolCall,
  ToolCallPart,
  ToolChoice,
  ToolDefinition,
  ToolMessage,
  ToolResultPart,
  Trace,
  Usage,
  UserMessage,
} from "./model.js";
// Primitives: continuation
export {
  type ContinueUntilCompleteOptions,
  continueUntilComplete,
} from "./primitives/continue-until-complete.js";
export {
  type EscalateAcrossOptions,
  escalateAcross,
} from "./primitives/escalate-across.js";
export {
  type RetryWithContextOptions,
  retryWithContext,
} from "./primitives/retry-with-context.js";
export {
  defaultMapPrompt,
  defaultReducePrompt,
  type PromptLimit,
} from "./primitives/split-requests.js";
export {
  type TreeSplitOptions,
  treeSplit,
} from "./primitives/tree-split.js";
export {
  type Failure,
  messageText,
  type RenderOptions,
  renderedChars,
  renderMessages,
  renderPrompt,
} from "./prompt.js";
// Providers
export {
  type FromFunctionOptions,
  fromFunction,
  type PromptFunction,
  type RequestFunction,
} from "./providers/function.js";
export {
  type RateGate,
  RetryQuota,
  type RetryQuotaLike,
  type TransportRetryOptions,
} from "./providers/transport-retry.js";
// Records
export {
  type JsonFileStatsStore,
  jsonFileStatsStore,
} from "./record/json-file-stats-store.js";
export {
  type MemoryStatsStore,
  memoryStatsStore,
} from "./record/memory-stats-store.js";
export {
  type ModelTotals,
  type RecordCounts,
  type RecordedBlock,
  type RecordedExhaustion,
  type RecordedSkip,
  type RecordRunOptions,
  type RecordTotals,
  type RunRecorder,
  type RunSummary,
  recordRun,
  type TaskLine,
  taskDirFromPath,
  type UnfinishedAttempt,
} from "./record/record-run.js";
export type {
  LearnedStatsStore,
  MaybePromise,
  RungStats,
  StatsSnapshot,
  StatsStore,
  TaskAttemptStart,
  TaskFailureEntry,
  TaskState,
  TaskStateStore,
} from "./record/stats-store.js";
export type { SerializedError } from "./redact.js";
export {
  type ConsoleReporterOptions,
  consoleReporter,
  type ReportLevel,
} from "./report/console-reporter.js";
export { streamModel } from "./stream/stream-model.js";

// Reads RUNGS_LOG once, as rungs loads (docs/observability.md).
import "./report/env-log.js";

// Rubrics
export {
  type CalibrationReport,
  type CalibrationSample,
  type CalibrationSamples,
  calibrate,
  type Miscalibration,
  type RuleCalibration,
} from "./rubric/calibrate.js";
export {
  JudgeReplyError,
  type JudgeRuleOptions,
  judgeRule,
} from "./rubric/judge.js";
export {
  type CompiledPattern,
  type JsPatternOptions,
  jsPattern,
  type PatternInput,
  RegexTimeoutError,
} from "./rubric/regex.js";
export {
  defineRubric,
  type RubricOptions,
  type RubricValue,
} from "./rubric/rubric.js";
export {
  type JsonRuleOptions,
  json,
  type LengthRuleOptions,
  length,
  matches,
  nonEmpty,
  notMatches,
  predicate,
  type RuleOptions,
} from "./rubric/rules.js";
export { type StructuredRuleOptions, structured } from "./rubric/structured.js";
export { type ValidToolCallsOptions, validToolCalls } from "./rubric/tool-calls.js";
export type {
  PrefixOutcome,
  Rubric,
  Rule,
  RuleContext,
  RuleOutcome,
  RuleResult,
  Verdict,
} from "./rubric/types.js";
export type {
  Attempt,
  ContextCut,
  ContinuationPiece,
  ContinuationTrace,
  Resumption,
  Skip,
  SkipReason,
  SplitNode,
  SplitTrace,
  TransportRetry,
} from "./trace.js";
