// Prints how often rungs/ifeval agrees with the reference evaluator on the recorded IFEval data
// (data/ifeval/), per model and per instruction kind, in strict and loose mode, leaving out the labels
// the reference itself flips between runs. Run: npm run bench:ifeval-agreement [-- --disagreements]
import { type Agreement, measureAgreement } from "../src/rubric/ifeval/agreement.js";
import type { IfevalMode } from "../src/rubric/ifeval/index.js";
import { loadRecords, loadResponses, loadUnstable, loadVerdicts, modelsWithVerdicts } from "./ifeval-data.js";

const modes: readonly IfevalMode[] = ["strict", "loose"];
const showDisagreements = process.argv.includes("--disagreements");
const percent = (agreed: number, total: number) => (total === 0 ? "-" : ((100 * agreed) / total).toFixed(2));

const records = loadRecords();
const unstable = loadUnstable();
const results = new Map<string, Record<IfevalMode, Agreement>>();
const started = performance.now();
let judged = 0;
for (const model of modelsWithVerdicts()) {
  const responses = loadResponses(model);
  const verdicts = loadVerdicts(model);
  const byMode = {} as Record<IfevalMode, Agreement>;
  for (const mode of modes) {
    byMode[mode] = measureAgreement({ model, mode, records, responses, verdicts, unstable });
    judged += verdicts.length;
  }
  results.set(model, byMode);
}
const elapsedMs = performance.now() - started;

console.log("## Agreement per model (instruction level, unstable labels excluded)\n");
console.log("| model | strict % | strict disagreements | loose % | loose disagreements |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const [model, byMode] of results) {
  const { strict, loose } = byMode;
  console.log(
    `| ${model} | ${percent(strict.agreed, strict.total)} | ${strict.total - strict.agreed} / ${strict.total} | ${percent(loose.agreed, loose.total)} | ${loose.total - loose.agreed} / ${loose.total} |`,
  );
}

console.log("\n## Agreement per instruction kind (all nine models)\n");
console.log("| instruction | strict % | strict disagreements | loose % | loose disagreements |");
console.log("| --- | ---: | ---: | ---: | ---: |");
const kinds = new Set([...results.values()].flatMap((byMode) => [...byMode.strict.byInstruction.keys()]));
for (const kind of [...kinds].sort()) {
  const sum = (mode: IfevalMode) => {
    let agreed = 0;
    let total = 0;
    for (const byMode of results.values()) {
      const counts = byMode[mode].byInstruction.get(kind);
      agreed += counts?.agreed ?? 0;
      total += counts?.total ?? 0;
    }
    return { agreed, total };
  };
  const strict = sum("strict");
  const loose = sum("loose");
  console.log(
    `| ${kind} | ${percent(strict.agreed, strict.total)} | ${strict.total - strict.agreed} / ${strict.total} | ${percent(loose.agreed, loose.total)} | ${loose.total - loose.agreed} / ${loose.total} |`,
  );
}

console.log(
  `\n${judged} responses judged in ${elapsedMs.toFixed(0)} ms (${((1000 * elapsedMs) / judged).toFixed(0)} µs each, language model load included).`,
);

if (showDisagreements) {
  console.log("\n## Disagreements\n");
  for (const [model, byMode] of results) {
    for (const mode of modes) {
      for (const d of byMode[mode].disagreements) {
        console.log(
          `${model}\t${mode}\t${d.key}\t${d.instructionId}\treference=${d.reference}\tours=${d.ours}`,
        );
      }
    }
  }
}
