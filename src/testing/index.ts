/**
 * rungs/testing: scripted and replayed models, a manual clock, and the stats store contract, for testing
 * pipelines and stores without an LLM.
 *
 * @module rungs/testing
 */
export {
  type CassetteEntry,
  canonicalJson,
  type Matcher,
  type RequestField,
  type RequestMatch,
  readCassette,
  requestKey,
} from "./cassette.js";
export { type ManualClock, manualClock } from "./manual-clock.js";
export { type RecordingModel, recordingModel } from "./recording-model.js";
export { ReplayMissError, type ReplayModel, type ReplayModelOptions, replayModel } from "./replay-model.js";
export {
  hang,
  type ScriptedCall,
  type ScriptedChunks,
  type ScriptedModel,
  type ScriptedModelOptions,
  type ScriptedStream,
  type ScriptStep,
  scriptedModel,
} from "./scripted-model.js";
export {
  learnedStatsStoreContract,
  type StoreCheck,
  type StoreContractOptions,
  statsStoreContract,
  taskStateStoreContract,
} from "./store-contract.js";
export { StoreContractError } from "./store-contract-error.js";
