/**
 * rungs/ollama: models on an Ollama server (local or Ollama Cloud) through the official `ollama` client.
 *
 * @module rungs/ollama
 */

export { partialTextOf, transportRetriesOf } from "../../errors/call-details.js";
export {
  RetryQuota,
  type TransportRetryOptions,
} from "../transport-retry.js";
export type { FetchFunction } from "./guarded-fetch.js";
export { OllamaModel, ollamaModel } from "./ollama-model.js";
export {
  defaultOllamaHost,
  type OllamaModelOptions,
  type OllamaSettings,
  ollamaHostFromEnv,
} from "./settings.js";
