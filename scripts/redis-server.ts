/**
 * Starts a throwaway `redis-server` (Debian's package) for tests and examples: a free port on 127.0.0.1
 * only, no persistence (no RDB snapshots, no AOF), its working directory in a temp dir removed on stop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the server (SIGTERM, SIGKILL after 5 s) and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** Resolves true when the server answers PING on `port`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Starts a redis-server (on `port`, or a free one) and waits (up to 10 s) until it answers PING.
 * @throws Error saying how to install it when `redis-server` is not on the PATH, or when it does not start.
 */
export async function startRedisServer(options: { port?: number } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "rungs-redis-"));
  for (let tries = 1; ; tries += 1) {
    const port = options.port ?? (await freePort());
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        "--daemonize",
        "no",
        "--logfile",
        "",
        "--loglevel",
        "warning",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    const failed = new Promise<Error>((resolve) => {
      child.once("error", (error) =>
        resolve(
          (error as NodeJS.ErrnoException).code === "ENOENT"
            ? new Error(
                "redis-server is not installed: run `apt-get install -y redis-server` (Debian/Ubuntu).",
              )
            : error,
        ),
      );
      child.once("exit", (code) =>
        resolve(new Error(`redis-server exited with code ${code}: ${stderr.trim()}`)),
      );
    });
    let problem: Error | undefined;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const result = await Promise.race([ping(port), failed]);
      if (result === true) break;
      if (result instanceof Error) {
        problem = result;
        break;
      }
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        problem = new Error(`redis-server did not answer on port ${port} within 10 s: ${stderr.trim()}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (problem !== undefined) {
      // Another process may have taken the port between the probe and the bind: try a new one.
      if (tries < 3 && options.port === undefined && /Address already in use/i.test(problem.message))
        continue;
      rmSync(dir, { recursive: true, force: true });
      throw problem;
    }
    let stopped: Promise<void> | undefined;
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      pid: child.pid ?? -1,
      stop() {
        stopped ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
            await exited(child);
            clearTimeout(timer);
          }
          rmSync(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  }
}
