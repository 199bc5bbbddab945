#!/usr/bin/env node
// The `rungs` bin: wires the process's streams, environment and signals to runCli.
import { Interrupted } from "./io.js";
import { runCli } from "./program.js";

// A reader that stops early (`rungs stats | head`) closes the pipe: stop quietly, as other tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// SIGINT (Ctrl-C) and SIGTERM (what a process manager sends) stop a run the same way: the running attempt
// is aborted, the record's summary is written, and the exit code names the signal (130, 143).
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => controller.abort(new Interrupted(signal)));
}

runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
}).then((code) => {
  process.exitCode = code;
});
