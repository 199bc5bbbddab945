// The public surface, found rather than listed: every subpath in package.json#exports, through the build's
// entry map (tsup.config.ts) to its source entry, and every function it exports: plain functions, each
// class's constructor and prototype methods, and the function members of exported objects. The `rungs`
// command's subcommands come from its own help. The linear-time bench covers each (or says why it takes no
// text), and a test fails when a new export is not covered.
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runCli } from "../../src/cli/program.js";

const root = resolve(fileURLToPath(import.meta.url), "../../..");

/** `"rungs/testing"` for the `./testing` subpath, `"rungs"` for `.`. */
const specifierOf = (subpath: string) => (subpath === "." ? "rungs" : `rungs/${subpath.slice(2)}`);

/** Each JavaScript subpath of the export map with the source file its dist entry is built from. */
export async function exportEntries(): Promise<Array<{ specifier: string; source: string }>> {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    exports: Record<string, string | { import?: { default?: string } }>;
  };
  const tsup = (await import(pathToFileURL(join(root, "tsup.config.ts")).href)) as {
    default: { entry: Record<string, string> };
  };
  const out: Array<{ specifier: string; source: string }> = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = typeof target === "string" ? target : target.import?.default;
    if (file === undefined || !file.endsWith(".js")) continue; // package.json, the JSON schema: data
    const name = /^\.\/dist\/(.+)\.js$/.exec(file)?.[1];
    const source = name === undefined ? undefined : tsup.default.entry[name];
    if (source === undefined) throw new Error(`export ${subpath} -> ${file} has no tsup entry`);
    out.push({ specifier: specifierOf(subpath), source: join(root, source) });
  }
  return out;
}

const isClass = (value: unknown): value is abstract new (...args: never[]) => unknown =>
  typeof value === "function" && /^class\b/.test(Function.prototype.toString.call(value));

/**
 * Every public function of the package, each once (re-exports under a later subpath are the same
 * function): `rungs:defineRubric`, `rungs:CircuitBreakers` (the constructor), `rungs:CircuitBreakers#admit`,
 * `rungs:CircuitBreakers.isInstance`, `rungs/vitest:rungsMatchers.toSatisfyRubric`.
 */
export async function discoverExports(): Promise<string[]> {
  const seen = new Set<unknown>();
  const keys: string[] = [];
  for (const { specifier, source } of await exportEntries()) {
    const module = (await import(pathToFileURL(source).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (seen.has(value)) continue;
      seen.add(value);
      if (isClass(value)) {
        keys.push(`${specifier}:${name}`);
        for (const method of Object.getOwnPropertyNames(value.prototype)) {
          if (method === "constructor") continue;
          const descriptor = Object.getOwnPropertyDescriptor(value.prototype, method);
          if (typeof descriptor?.value === "function" || descriptor?.get !== undefined)
            keys.push(`${specifier}:${name}#${method}`);
        }
        for (const member of Object.getOwnPropertyNames(value)) {
          if (typeof (value as unknown as Record<string, unknown>)[member] === "function")
            keys.push(`${specifier}:${name}.${member}`);
        }
      } else if (typeof value === "function") keys.push(`${specifier}:${name}`);
      else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        for (const [member, inner] of Object.entries(value))
          if (typeof inner === "function") keys.push(`${specifier}:${name}.${member}`);
      }
    }
  }
  return keys;
}

/** The `rungs` command's subcommands, read from its help (`cli:run`, `cli:replay`, ...). */
export async function discoverCommands(): Promise<string[]> {
  let help = "";
  const io = {
    stdout: {
      write: (text: string) => {
        help += text;
      },
    },
    stderr: {
      write: (text: string) => {
        help += text;
      },
    },
    env: {},
    cwd: root,
  };
  await runCli(["--help"], io);
  const commands = help.split(/\nCommands:\n/)[1]?.split(/\n\n/)[0] ?? "";
  return commands
    .split("\n")
    .map((line) => /^ {2}([a-z][\w-]*)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== "help")
    .map((name) => `cli:${name}`);
}

/** Where a source file is, for messages. */
export const fromRoot = (file: string) => relative(root, file);
