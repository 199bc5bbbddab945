// rungs as users run it: the built package (overhead/index.ts builds dist/ first when it is older than src/).
// Not the source through tsx: tsx compiles with esbuild's keepNames, which wraps every closure rungs makes
// per attempt in a `__name` call the published code never pays.
import { defineModel, defineRubric, escalateAcross, predicate, retryWithContext } from "../../dist/index.js";
import type { Row } from "./row.js";
import { passes, prompt, type Script } from "./scenario.js";

const request = { messages: [{ role: "user" as const, content: prompt }] };

/** The one-rule rubric: the same check the peers run, as a rungs rule. */
const rubric = defineRubric({ id: "marker", rules: [predicate("starts-with-marker", passes)] });

/**
 * rungs' zero-cost model: the script's function made a model with `defineModel`, the documented way to
 * wrap a function (what a provider does: abort, budget and result checks included), as the peers wrap theirs.
 */
const zeroCost = (id: string, script: Script) => defineModel(id, async () => ({ text: script.next() }));

const retryRow: Row = {
  id: "rungs-retry",
  stubTimers: false,
  setup: (script) => {
    const model = retryWithContext(zeroCost("zero", script), { rubric, maxAttempts: 6 });
    return async () => script.invoke(async () => (await model.generate(request)).text);
  },
};

const escalateRow: Row = {
  id: "rungs-escalate",
  stubTimers: false,
  setup: (script) => {
    const ladder = Array.from({ length: 6 }, (_, i) => zeroCost(`zero-${i + 1}`, script));
    const model = escalateAcross(ladder, { rubric, maxAttempts: 6 });
    return async () => script.invoke(async () => (await model.generate(request)).text);
  },
};

/** rungs rows. */
export const rungsRows: readonly Row[] = [retryRow, escalateRow];
