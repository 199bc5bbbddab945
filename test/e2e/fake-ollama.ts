// A real HTTP server on 127.0.0.1 (random port) speaking Ollama's /api/chat and /api/tags, scripted per test.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ollamaModel } from "../../src/providers/ollama/index.js";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  /** Resolves when the connection of this request closes (client abort, or the response ended). */
  closed: Promise<number>;
}

/** One scripted answer to a /api/chat request. */
export type ChatHandler = (res: ServerResponse, request: ReceivedRequest) => void | Promise<void>;

export interface FakeOllama {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Chat requests only. */
  readonly chats: ReceivedRequest[];
  /** Queues handlers for the next /api/chat requests, in order. */
  script(...handlers: ChatHandler[]): void;
  /** Models /api/tags lists. */
  models: string[];
  /** Answers /api/tags instead of the list of `models` (a hostile or broken server). */
  tags: ChatHandler | undefined;
  /** Resolves once `n` chat requests have arrived. */
  untilChats(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeOllama(): Promise<FakeOllama> {
  const requests: ReceivedRequest[] = [];
  const queue: ChatHandler[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const chats = () => requests.filter((r) => r.path === "/api/chat");
  const state: { models: string[]; tags: ChatHandler | undefined } = {
    models: ["qwen3:8b"],
    tags: undefined,
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: Record<string, unknown> = {};
    try {
      body = raw === "" ? {} : (JSON.parse(raw) as Record<string, unknown>);
    } catch {
      body = { raw };
    }
    const closed = new Promise<number>((resolve) => res.on("close", () => resolve(performance.now())));
    const received: ReceivedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body,
      closed,
    };
    requests.push(received);
    if (received.path === "/api/tags") {
      if (state.tags !== undefined) return state.tags(res, received);
      json(res, 200, { models: state.models.map((name) => ({ name, model: name, size: 1 })) });
      return;
    }
    if (received.path !== "/api/chat") {
      json(res, 404, { error: `unexpected path ${received.path}` });
      return;
    }
    const count = chats().length;
    for (const waiter of waiters.filter((w) => w.n <= count)) waiter.resolve();
    const handler = queue.shift();
    if (handler === undefined) {
      json(res, 500, { error: "fake-ollama: no scripted answer for this request" });
      return;
    }
    await handler(res, received);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get chats() {
      return chats();
    },
    script: (...handlers) => queue.push(...handlers),
    get models() {
      return state.models;
    },
    set models(value: string[]) {
      state.models = value;
    },
    get tags() {
      return state.tags;
    },
    set tags(handler: ChatHandler | undefined) {
      state.tags = handler;
    },
    untilChats: (n) =>
      chats().length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Writes NDJSON lines (objects, or raw strings written as is) and ends the response unless `end` is false. */
export function ndjson(
  res: ServerResponse,
  lines: Array<object | string>,
  options: { end?: boolean } = {},
): void {
  if (!res.headersSent) res.writeHead(200, { "content-type": "application/x-ndjson" });
  for (const line of lines) res.write(typeof line === "string" ? line : `${JSON.stringify(line)}\n`);
  if (options.end !== false) res.end();
}

/** A streamed chat answer: one chunk per piece, then the final `done` message. */
export function chatStream(
  pieces: readonly string[],
  final: { done_reason?: string; prompt_eval_count?: number; eval_count?: number } = {
    done_reason: "stop",
    prompt_eval_count: 12,
    eval_count: pieces.length,
  },
): Array<object> {
  return [
    ...pieces.map((content) => ({ model: "m", message: { role: "assistant", content }, done: false })),
    { model: "m", message: { role: "assistant", content: "" }, done: true, ...final },
  ];
}

/** A non-streamed chat answer. */
export function chatResponse(
  content: string,
  final: { done_reason?: string; prompt_eval_count?: number; eval_count?: number } = {
    done_reason: "stop",
    prompt_eval_count: 12,
    eval_count: 3,
  },
): object {
  return { model: "m", message: { role: "assistant", content }, done: true, ...final };
}

/** One tool call as Ollama writes it in `message.tool_calls` (recent servers add an `id`). */
export interface WireToolCall {
  id?: string;
  function: { index?: number; name: string; arguments: unknown };
}

/** A non-streamed answer that calls tools: empty content, `tool_calls`, and `done_reason: "stop"` as Ollama sends. */
export function chatToolCalls(calls: readonly WireToolCall[], content = ""): object {
  return {
    model: "m",
    message: { role: "assistant", content, tool_calls: calls },
    done: true,
    done_reason: "stop",
    prompt_eval_count: 30,
    eval_count: 9,
  };
}

/** A streamed answer that calls tools: the calls arrive in one chunk before the final `done` message, as Ollama streams them. */
export function chatToolCallStream(
  calls: readonly WireToolCall[],
  pieces: readonly string[] = [],
): Array<object> {
  return [
    ...pieces.map((content) => ({ model: "m", message: { role: "assistant", content }, done: false })),
    { model: "m", message: { role: "assistant", content: "", tool_calls: calls }, done: false },
    {
      model: "m",
      message: { role: "assistant", content: "" },
      done: true,
      done_reason: "stop",
      eval_count: 9,
    },
  ];
}

/**
 * Makes one unmeasured abort of a streaming call against `server`. The first fetch abort in a process is slow
 * in Node itself (a bare fetch measured 47 ms, then ~10 ms: undici loads its abort path lazily), so tests that
 * bound an abort at 50 ms call this first and measure rungs, not that one-time load.
 */
export async function warmUpAbort(server: FakeOllama): Promise<void> {
  const controller = new AbortController();
  server.script((res) => ndjson(res, [], { end: false }));
  const warm = ollamaModel({ model: "m", host: server.url })
    .generate({ messages: [{ role: "user", content: "w" }] }, { signal: controller.signal })
    .catch(() => {});
  await server.untilChats(1);
  controller.abort(new Error("warm-up"));
  await warm;
  await server.chats[0]!.closed;
}
