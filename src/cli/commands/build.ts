import { dirname, resolve } from "node:path";
import { ConfigError } from "../../config/config-error.js";
import { expandLadder } from "../../config/expand.js";
import { type ConfiguredLadder, ladderFromConfig } from "../../config/ladder-from-config.js";
import { loadLadderConfig } from "../../config/parse.js";
import type { LadderConfig } from "../../config/schema.js";
import { CliExit, type CliIo, exitCodes } from "../io.js";
import { loadSetup } from "../setup.js";

/** Options every config-reading command takes. */
export interface ConfigFlags {
  config: string;
  setup?: string[];
  rubric?: string;
}

/**
 * Reads, validates and builds the ladder a `--config` file describes, with the built-in providers and
 * rubrics plus any `--setup` modules. A `--rubric` replaces the config's.
 * @throws CliExit (usage) with the config's problems, path by path.
 */
export async function buildLadder(io: CliIo, flags: ConfigFlags): Promise<ConfiguredLadder> {
  const file = resolve(io.cwd, flags.config);
  try {
    let config: LadderConfig = await loadLadderConfig(file);
    if (flags.rubric !== undefined) config = { ...config, rubric: flags.rubric };
    const needed = new Set(expandLadder(config, file).map((rung) => rung.provider));
    const setup = await loadSetup(io, flags.setup ?? [], needed);
    return ladderFromConfig(config, {
      providers: setup.providers,
      rubrics: setup.rubrics,
      file,
      baseDir: dirname(file),
    });
  } catch (error) {
    if (ConfigError.isInstance(error)) throw new CliExit(exitCodes.usage, error.message);
    throw error;
  }
}
