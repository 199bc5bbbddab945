import { fork } from "node:child_process";

/**
 * Runs one benchmark row in its own Node process (so rows cannot warm each other's JIT or share a heap)
 * and returns the JSON the child sends over IPC. The child inherits this process's loader flags (tsx), so
 * it runs TypeScript the same way.
 *
 * @throws Error when the child exits without sending a result, or sends `{ error }`.
 */
export function runChild<T>(script: string, args: readonly string[], timeoutMs = 300_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(script, [...args], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let result: { ok: true; value: T } | { ok: false; error: string } | undefined;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} ${args.join(" ")}: no result after ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("message", (message) => {
      result = message as typeof result;
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (result === undefined)
        reject(new Error(`${script} ${args.join(" ")}: exited ${code} without a result`));
      else if (!result.ok) reject(new Error(`${script} ${args.join(" ")}: ${result.error}`));
      else resolve(result.value);
    });
  });
}

/** The child side of {@link runChild}: sends the value (or the error) to the parent, then exits. */
export async function reply<T>(work: () => Promise<T>): Promise<void> {
  try {
    const value = await work();
    process.send?.({ ok: true, value });
  } catch (error) {
    process.send?.({
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  process.disconnect?.();
}
