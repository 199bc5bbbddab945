import { escalateAcross } from "../../src/primitives/escalate-across.js";
import { retryWithContext } from "../../src/primitives/retry-with-context.js";
import { defineRubric } from "../../src/rubric/rubric.js";
import { predicate } from "../../src/rubric/rules.js";
import { scriptedModel } from "../../src/testing/scripted-model.js";
import type { Row } from "./row.js";
import { passes, prompt, type Script } from "./scenario.js";

const request = { messages: [{ role: "user" as const, content: prompt }] };

/** The one-rule rubric: the same check the peers run, as a rungs rule. */
const rubric = defineRubric({ id: "marker", rules: [predicate("starts-with-marker", passes)] });

/** rungs' zero-cost model: a `scriptedModel` whose one step answers from the script, repeated. */
const zeroCost = (id: string, script: Script) =>
  scriptedModel(id, [() => script.next()], { whenDone: "repeat-last" });

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
