/**
 * rungs/config: ladders from a config file (JSON or YAML), the escalation-map form, and the config's
 * JSON Schema. Kept out of the root entry: it loads zod schemas and a YAML parser.
 *
 * @module rungs/config
 */

export { ConfigError, type ConfigIssue } from "./config-error.js";
export { type ExpandedRung, expandLadder, splitRef } from "./expand.js";
export {
  type ConfiguredLadder,
  type LadderFromConfigOptions,
  ladderFromConfig,
  loadLadder,
  type ModelFactory,
  type ModelResolver,
} from "./ladder-from-config.js";
export { loadLadderConfig, maxConfigBytes, parseLadderConfig } from "./parse.js";
export {
  configJsonSchema,
  type LadderConfig,
  ladderConfigSchema,
  type ModelRef,
  type RungEntryConfig,
  type RungSettings,
  type SkipCondition,
} from "./schema.js";
