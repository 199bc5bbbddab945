// Prints the README's set-up block (the first ```sh block that runs `npm ci`) exactly as written, for
// .ci/run's fresh-clone step to run verbatim. Fails when the block is gone or no longer installs, runs the
// main job and the tests, in that order (the README's first screen promises those three commands).
import { readFileSync } from "node:fs";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/^```(?:sh|bash|shell)\n([\s\S]*?)^```$/gm)].map(
  (match) => match[1] ?? "",
);
const setup = blocks.find((block) => /^npm ci\b/m.test(block));
if (setup === undefined) {
  console.error("readme-setup: README.md has no ```sh block that runs `npm ci`");
  process.exit(1);
}
const commands = setup
  .split("\n")
  .map((line) => line.replace(/#.*$/, "").trim())
  .filter((line) => line !== "");
const expected = ["npm ci", "npm run demo", "npm test"];
const order = expected.map((command) => commands.indexOf(command));
if (order.some((index) => index < 0) || order.some((index, i) => i > 0 && index < (order[i - 1] ?? 0))) {
  console.error(
    `readme-setup: the set-up block must run ${expected.join(", ")} in order; it runs: ${commands.join("; ")}`,
  );
  process.exit(1);
}
process.stdout.write(setup);
