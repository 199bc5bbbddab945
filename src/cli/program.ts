import { Command, CommanderError, Option } from "commander";
import { RungsError } from "../errors/rungs-error.js";
import { redactText } from "../redact.js";
import { terminalText } from "../text/terminal-text.js";
import { CliExit, type CliIo, exitCodes } from "./io.js";

declare const __RUNGS_VERSION__: string | undefined;

const exitCodeHelp = `
Exit codes:
  0    done (an accepted answer, a valid config, a listing)
  1    the ladder found no accepted answer
  2    bad usage or a bad config; nothing was called
  3    the task is blocked (an earlier run exhausted its ladder); no model was called
  4    another failure (a file or store that cannot be read)
  130  interrupted (Ctrl-C, SIGINT)
  143  terminated (SIGTERM)`;

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

function program(io: CliIo, done: (code: number) => void): Command {
  const root = new Command("rungs")
    .description("Run and inspect rungs ladders: escalation across models, judged by rubrics.")
    .version(typeof __RUNGS_VERSION__ === "string" ? __RUNGS_VERSION__ : "0.0.0-dev", "-v, --version")
    .option("--debug", "on an unexpected error, print its stack and the stack of each cause")
    .showSuggestionAfterError(true)
    .addHelpText("after", exitCodeHelp)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();

  const configOptions = (command: Command) =>
    command
      .requiredOption("-c, --config <file>", "ladder config, JSON or YAML (docs/config.md)")
      .option("--setup <module>", "ES module exporting `providers` and/or `rubrics` (repeatable)", collect);

  configOptions(
    root
      .command("run")
      .description("Run the ladder on one prompt: progress per attempt on stderr, the answer on stdout."),
  )
    .option("-p, --prompt <text>", "the prompt")
    .option("-f, --file <file>", "read the prompt from a file (default: standard input)")
    .option("--system <text>", "a system message")
    .option("--context <file...>", "context documents, one file each (request.context)")
    .option(
      "--split-chars <n>",
      "tree-split a request whose prompt is over n characters (the config's split.chars)",
    )
    .option("-r, --rubric <name>", "judge with this rubric instead of the config's")
    .option("--record <dir>", "record every attempt in this directory (see `rungs replay`)")
    .option("--task-id <id>", "metadata.taskId: blocked tasks and escalation across runs (needs a store)")
    .option("--task-class <class>", "metadata.taskClass: learned ladders (needs a store)")
    .option(
      "--meta <key=value>",
      "more metadata, the value read as JSON when it parses (repeatable)",
      collect,
    )
    .option("--json", "print the whole Generation as JSON instead of the text")
    .option(
      "--stream",
      "show each attempt's text on stderr as it streams (a rejected one marked discarded); stdout still gets only the accepted answer",
    )
    .addHelpText("after", exitCodeHelp)
    // Each command is loaded when it runs, so `--help` does not load the config schemas or a provider.
    .action(async (flags) => done(await (await import("./commands/run.js")).runCommand(io, flags)));

  configOptions(root.command("check").description("Validate a config and print the ladder it expands to."))
    .option("-r, --rubric <name>", "check this rubric name instead of the config's")
    .option("--json", "print the expanded ladder as JSON")
    .addHelpText("after", exitCodeHelp)
    .action(async (flags) => done(await (await import("./commands/check.js")).checkCommand(io, flags)));

  const storeOption = () =>
    new Option(
      "-s, --store <path|url>",
      "the JSON stats file (a config's `store`), or a Redis URL (redis://host:port, for redisStatsStore)",
    ).makeOptionMandatory();
  const prefixOption = () =>
    new Option("--prefix <prefix>", "with a Redis URL: the key prefix the workers use").default("rungs:");

  root
    .command("stats")
    .description("Accept rates per task class and model, blocked tasks and escalated tasks.")
    .addOption(storeOption())
    .addOption(prefixOption())
    .option("--json", "print the store's content as JSON")
    .addHelpText("after", exitCodeHelp)
    .action(async (flags) => done(await (await import("./commands/store.js")).statsCommand(io, flags)));

  root
    .command("blocked")
    .description("List the tasks that exhausted their ladder and stay blocked until unblocked.")
    .addOption(storeOption())
    .addOption(prefixOption())
    .option("--json", "print them as JSON ({ taskId: blockedAt })")
    .addHelpText("after", exitCodeHelp)
    .action(async (flags) => done(await (await import("./commands/store.js")).blockedCommand(io, flags)));

  root
    .command("unblock")
    .description("Let a blocked task run again; its next run starts above the rung that last failed.")
    .argument("<taskId>", "the task's metadata.taskId")
    .addOption(storeOption())
    .addOption(prefixOption())
    .option("--reset", "also forget its escalation, so its next run starts at the bottom rung")
    .addHelpText("after", exitCodeHelp)
    .action(async (taskId: string, flags) =>
      done(await (await import("./commands/store.js")).unblockCommand(io, taskId, flags)),
    );

  root
    .command("replay")
    .description("Show a recorded run's attempts (rungs run --record, recordRun) as a table.")
    .argument("<runDir>", "the run directory")
    .option("--json", "print the attempt records as JSON")
    .addHelpText("after", exitCodeHelp)
    .action(async (dir: string, flags) =>
      done(await (await import("./commands/replay.js")).replayCommand(io, dir, flags)),
    );

  root
    .command("view")
    .description(
      "Write one self-contained HTML page of a recorded run (or two runs side by side) to look at.",
    )
    .argument("<runDirs...>", "the run directory (two with --compare)")
    .option("-o, --out <file>", "where to write the page (default: RUN_DIR/view.html, or RUN_A/compare.html)")
    .option(
      "--compare",
      "two runs of the same tasks side by side: accuracy, cost, tasks that changed outcome",
    )
    .option(
      "--prices <file>",
      "prices by model id, $ per million tokens (default: RUN_DIR/prices.json if there)",
    )
    .option("--open", "open the page in the system's browser")
    .addHelpText("after", exitCodeHelp)
    .action(async (dirs: string[], flags) =>
      done(await (await import("./commands/view.js")).viewCommand(io, dirs, flags)),
    );

  return root;
}

/** Most causes followed by `--debug` (a cause chain can be a cycle). */
const maxCauses = 8;

/** The error's stack, then each cause's ("Caused by: ..."), redacted. */
function stacks(error: unknown): string {
  const out: string[] = [];
  const seen = new Set<unknown>();
  for (let current = error, depth = 0; current !== undefined && depth <= maxCauses; depth += 1) {
    if (seen.has(current)) break;
    seen.add(current);
    const text =
      current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current);
    out.push(`${depth === 0 ? "" : "Caused by: "}${redactText(text)}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return `${out.join("\n")}\n`;
}

/**
 * Runs the `rungs` command line on `argv` (without `node` and the script) and resolves with the exit code
 * (docs/cli.md). Never throws: every failure is a message on `io.stderr` and a code.
 */
export async function runCli(argv: readonly string[], terminal: CliIo): Promise<number> {
  // Everything on stderr is for people (progress, errors that quote ids and messages from outside):
  // control characters in it are shown escaped. stdout carries data (the answer, tables, JSON) as it is to a
  // pipe or a file, and escaped when it is a terminal: a model's answer must not drive the terminal either.
  const io: CliIo = {
    ...terminal,
    stdout:
      terminal.stdout.isTTY === true
        ? { write: (text: string) => terminal.stdout.write(terminalText(text)), isTTY: true }
        : terminal.stdout,
    stderr: { write: (text: string) => terminal.stderr.write(terminalText(text)) },
  };
  let code: number = exitCodes.ok;
  let root: Command | undefined;
  try {
    root = program(io, (c) => {
      code = c;
    });
    if (argv.length === 0) {
      root.outputHelp();
      return exitCodes.usage;
    }
    await root.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; unknown options and missing arguments are usage errors.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (error instanceof CliExit) {
      io.stderr.write(`rungs: ${error.message}\n`);
      return error.code;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`rungs: ${RungsError.isInstance(error) ? "" : "unexpected error: "}${message}\n`);
    if (root?.opts().debug === true) io.stderr.write(stacks(error));
    else if (error instanceof Error && error.cause !== undefined) {
      io.stderr.write("rungs: run with --debug to see the stack of the error and of its cause\n");
    }
    return exitCodes.failure;
  }
}
