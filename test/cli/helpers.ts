import type { ServerResponse } from "node:http";
import { runCli } from "../../src/cli/program.js";
import { chatResponse, chatStream, json, ndjson, type ReceivedRequest } from "../e2e/fake-ollama.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with captured streams. */
export async function cli(
  argv: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? {},
    cwd: options.cwd,
  });
  return { code, stdout, stderr };
}

/** A fake-ollama chat answer, streamed or not as the client asked. */
export const answer =
  (text: string) =>
  (res: ServerResponse, request: ReceivedRequest): void => {
    if (request.body.stream === false) json(res, 200, chatResponse(text));
    else ndjson(res, chatStream(text === "" ? [] : [text]));
  };

/** Ollama's answer for a model the server does not have. */
export const notFound = (res: ServerResponse, request: ReceivedRequest): void =>
  json(res, 404, { error: `model '${String(request.body.model)}' not found` });
