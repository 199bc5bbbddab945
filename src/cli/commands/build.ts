import { dirname, resolve } from "node:path";
import { ConfigError } from "../../config/config-error.js";
import { expandLadder } from "../../config/expand.js";
import { type ConfiguredLadder, ladderFromConfig } from "../../config/ladder-from-config.js";
import { checkLadderConfig, readLadderConfigFile } from "../../config/parse.js";
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
 * rubrics plus any `--setup` modules. A `--rubric` replaces the config's; `override` changes the config
 * read (e.g. `--split-chars`) before it is checked.
 * @throws CliExit (usage) with the config's problems, path by path.
 */
export async function buildLadder(
  io: CliIo,
  flags: ConfigFlags,
  override?: (config: Record<string, unknown> & { split?: object }) => Record<string, unknown>,
): Promise<ConfiguredLadder> {
  const file = resolve(io.cwd, flags.config);
  try {
    let config = await readLadderConfigFile(file);
    if (typeof config === "object" && config !== null && !Array.isArray(config)) {
      if (flags.rubric !== undefined) config = { ...config, rubric: flags.rubric };
      if (override !== undefined) config = override(config as Record<string, unknown>);
    }
    // The providers the config names, as far as it can be read: a config with other problems still
    // gets its providers checked, so every problem is reported at once (by ladderFromConfig).
    const readable = checkLadderConfig(config).config;
    let needed = new Set<string>();
    if (readable !== undefined) {
      try {
        needed = new Set(expandLadder(readable, file).map((rung) => rung.provider));
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
      }
    }
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
