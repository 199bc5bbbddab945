// `npm run bench [-- overhead feedback-growth tree-split cascade routing streaming]`: installs bench/'s own dependencies when
// missing, runs each benchmark (rows in their own processes), prints a Markdown table per bench, and writes
// them with the machine, the peers' versions and the load to bench/results/latest.md.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL(".", import.meta.url));
if (!existsSync(`${benchDir}node_modules/.package-lock.json`)) {
  process.stderr.write("bench: installing bench/ dependencies (npm ci)\n");
  execFileSync("npm", ["--prefix", benchDir, "ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
}

// Imported after the install: the benches' workers load the peers from bench/node_modules.
const { installedVersion, machineLine, peers } = await import("./lib/machine.js");
const benches = {
  overhead: async () => (await import("./overhead/index.js")).runOverhead(),
  "feedback-growth": async () => (await import("./feedback-growth/index.js")).runFeedbackGrowth(),
  "tree-split": async () => (await import("./tree-split/index.js")).runTreeSplit(),
  cascade: async () => (await import("./cascade/index.js")).runCascade(),
  linear: async () => (await import("./linear/index.js")).runLinear(),
  routing: async () => (await import("./routing/index.js")).runRouting(),
  view: async () => (await import("./view/index.js")).runView(),
  streaming: async () => (await import("./streaming/index.js")).runStreaming(),
} as const;
type BenchName = keyof typeof benches;

const requested = process.argv.slice(2).filter((arg) => arg !== "--");
const unknown = requested.filter((name) => !(name in benches));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: unknown ${unknown.join(", ")}; choose from ${Object.keys(benches).join(", ")}\n`,
  );
  process.exit(2);
}
const names = (requested.length > 0 ? requested : Object.keys(benches)) as BenchName[];

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ");
const header = [
  `Run ${new Date().toISOString()}`,
  `Machine: ${machineLine()}`,
  `Peers: ${peers.map((name) => `${name} ${installedVersion(name)}`).join(", ")}`,
  `Load average (1/5/15 min) at start: ${load()}`,
];
const sections: string[] = [header.join("  \n")];
process.stdout.write(`${header.join("\n")}\n\n`);
for (const name of names) {
  const started = performance.now();
  const report = await benches[name]();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const section = [
    `## ${report.title}`,
    "",
    report.markdown,
    "",
    "Targets:",
    ...report.targets.map((line) => `- ${line}`),
    "",
    `(\`npm run bench -- ${name}\`, ${seconds} s; load average after: ${load()})`,
  ].join("\n");
  sections.push(section);
  process.stdout.write(`${section}\n\n`);
}
mkdirSync(`${benchDir}results`, { recursive: true });
writeFileSync(`${benchDir}results/latest.md`, `${sections.join("\n\n")}\n`);
process.stdout.write(`Written to ${benchDir}results/latest.md\n`);
