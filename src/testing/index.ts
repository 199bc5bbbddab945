// rungs/testing: scripted and replayed models, and a manual clock, for testing pipelines without an LLM.
export { type ManualClock, manualClock } from "./manual-clock.js";
export {
  hang,
  type ScriptedCall,
  type ScriptedModel,
  type ScriptedModelOptions,
  type ScriptStep,
  scriptedModel,
} from "./scripted-model.js";
