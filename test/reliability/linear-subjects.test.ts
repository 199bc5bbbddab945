// The linear-time bench finds its own subjects: every function of the export map (and every `rungs`
// command) is either a subject or says why it takes no text. A new export fails here until it is covered.
import { afterAll, describe, expect, it } from "vitest";
import { discoverCommands, discoverExports } from "../../bench/linear/discover.js";
import { inputs } from "../../bench/linear/inputs.js";
import { allSubjects, closeSubjects, coverage } from "../../bench/linear/subjects.js";

afterAll(closeSubjects);

describe("the linear-time bench's subjects", () => {
  it("cover every function of every export-map entry and every CLI command, and nothing that is gone", async () => {
    const discovered = [...(await discoverExports()), ...(await discoverCommands())];
    expect(discovered.length).toBeGreaterThan(100);
    expect(discovered).toContain("rungs:defineRubric");
    expect(discovered).toContain("rungs/config:parseLadderConfig");
    expect(discovered).toContain("cli:replay");
    const covered = Object.keys(coverage).filter((key) => !key.startsWith("internal:"));
    expect(discovered.filter((key) => !(key in coverage))).toEqual([]);
    expect(covered.filter((key) => !discovered.includes(key))).toEqual([]);
  });

  it("every subject runs on ordinary and hostile text (2,000 chars of each input)", async () => {
    const failures: string[] = [];
    for (const subject of allSubjects()) {
      for (const [kind, make] of Object.entries(inputs)) {
        try {
          await subject.run(make(2_000));
        } catch (error) {
          failures.push(`${subject.name} on ${kind}: ${(error as Error).message.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
