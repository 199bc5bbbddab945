import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ModelFactory } from "../config/ladder-from-config.js";
import { defineRubric } from "../rubric/rubric.js";
import { nonEmpty } from "../rubric/rules.js";
import type { Rubric } from "../rubric/types.js";
import { CliExit, type CliIo, exitCodes } from "./io.js";

/** What `--setup` modules and the built-ins give a config: model factories and rubrics by name. */
export interface CliSetup {
  providers: Record<string, ModelFactory>;
  rubrics: Record<string, Rubric>;
}

/** Rubrics every config may name without a setup module. */
export function builtInRubrics(): Record<string, Rubric> {
  return {
    "non-empty": defineRubric({ id: "non-empty", rules: [nonEmpty()] }),
  };
}

/**
 * The built-in providers: `ollama` and `ollama-cloud` (rungs/ollama, loaded only when a config uses it, so a machine without
 * the `ollama` package can still run every other command). `OLLAMA_HOST` picks the server unless the
 * rung's `options.host` does, read by `ollamaHostFromEnv` exactly as `ollamaModel` reads it.
 */
async function builtInProviders(
  io: CliIo,
  needed: ReadonlySet<string>,
): Promise<Record<string, ModelFactory>> {
  if (!needed.has("ollama") && !needed.has("ollama-cloud")) return {};
  let module: typeof import("../providers/ollama/index.js");
  try {
    module = await import("../providers/ollama/index.js");
  } catch (error) {
    throw new CliExit(
      exitCodes.failure,
      `The config uses the "ollama" provider, which needs the ollama package: npm install ollama (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  // The CLI's environment is io.env (a test's, or the process's): read through the one function that
  // ollamaModel itself uses, so code and CLI reach the same server for the same OLLAMA_HOST.
  const host = module.ollamaHostFromEnv(io.env) ?? module.defaultOllamaHost;
  return {
    ollama: (model, settings) => module.ollamaModel({ model, host, ...settings }),
    // Ollama Cloud (its key from OLLAMA_API_KEY), as docs/config.md registers it in code.
    "ollama-cloud": (model, settings) =>
      module.ollamaModel({ model, host: "https://ollama.com", ...settings }),
  };
}

/**
 * The providers and rubrics a command may use: the built-ins, then each `--setup` module's `providers`
 * and `rubrics` exports (ES modules, paths relative to the working directory), later ones winning.
 * @throws CliExit when a setup module cannot be loaded or exports something else.
 */
export async function loadSetup(
  io: CliIo,
  modules: readonly string[],
  needed: ReadonlySet<string>,
): Promise<CliSetup> {
  const setup: CliSetup = { providers: await builtInProviders(io, needed), rubrics: builtInRubrics() };
  for (const file of modules) {
    let loaded: Record<string, unknown>;
    try {
      loaded = (await import(pathToFileURL(resolve(io.cwd, file)).href)) as Record<string, unknown>;
    } catch (error) {
      throw new CliExit(
        exitCodes.usage,
        `Setup module ${file} could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    for (const key of ["providers", "rubrics"] as const) {
      const value = loaded[key];
      if (value === undefined) continue;
      if (typeof value !== "object" || value === null) {
        throw new CliExit(
          exitCodes.usage,
          `Setup module ${file}: export "${key}" must be an object by name.`,
        );
      }
      Object.assign(setup[key], value);
    }
  }
  return setup;
}
