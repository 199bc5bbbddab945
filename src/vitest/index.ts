/**
 * rungs/vitest: rubric matchers. Importing this module registers them with vitest's `expect`.
 *
 * @module rungs/vitest
 */
import { expect } from "vitest";
import { rungsMatchers } from "./matchers.js";

expect.extend(rungsMatchers);

export {
  describeVerdict,
  type MatcherRubric,
  type MatcherRuleContext,
  type RungsMatcherResult,
  type RungsMatchers,
  rungsMatchers,
} from "./matchers.js";
