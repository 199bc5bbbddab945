/**
 * rungs/testing: scripted and replayed models, and a manual clock, for testing pipelines without an LLM.
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
  type ScriptedModel,
  type ScriptedModelOptions,
  type ScriptStep,
  scriptedModel,
} from "./scripted-model.js";
