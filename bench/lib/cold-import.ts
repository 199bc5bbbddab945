import { execFileSync } from "node:child_process";

/** One cold import: wall ms around `import()` in a fresh process, and the CPU ms it used. */
export interface ImportTiming {
  ms: number;
  cpuMs: number;
}

/**
 * Imports `specifier` in a fresh plain `node` (no tsx loader, no NODE_OPTIONS), resolved from `cwd`, and
 * returns the time spent in that one `import()`: Node's own start-up is not counted.
 *
 * @throws Error when the import fails (the child's stderr is in the message).
 */
export function coldImport(specifier: string, cwd: string): ImportTiming {
  const code = [
    "const cpu = process.cpuUsage();",
    "const start = performance.now();",
    `await import(${JSON.stringify(specifier)});`,
    "const ms = performance.now() - start;",
    "const used = process.cpuUsage(cpu);",
    "process.stdout.write(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000 }));",
  ].join("\n");
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], {
    cwd,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(out) as ImportTiming;
}
