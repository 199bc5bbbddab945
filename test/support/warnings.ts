// Process warnings a test expects: captured (so a passing run prints none) and returned for its assertions.
// The global guard (test/setup/guard.ts) fails a test that lets any other process warning through.
import { onTestFinished, vi } from "vitest";

/** One captured `process.emitWarning` call. */
export interface CapturedWarning {
  message: string;
  /** The warning's `code` (`RUNGS_STATS_STORE_ERROR`, ...), when it has one. */
  code: string | undefined;
  /** The warning's name (`"Warning"` unless given). */
  name: string;
}

/**
 * Captures every process warning until the current test ends: none is printed, and each is pushed on the
 * returned list, in order, for the test to assert on.
 */
export function captureWarnings(): CapturedWarning[] {
  const captured: CapturedWarning[] = [];
  const spy = vi.spyOn(process, "emitWarning").mockImplementation(((
    warning: string | Error,
    options?: string | { code?: string; type?: string },
    code?: string,
  ) => {
    const message = warning instanceof Error ? warning.message : String(warning);
    const name =
      warning instanceof Error
        ? warning.name
        : typeof options === "string"
          ? options
          : (options?.type ?? "Warning");
    captured.push({
      message,
      name,
      code: typeof options === "object" ? options.code : (code ?? (warning as { code?: string }).code),
    });
  }) as typeof process.emitWarning);
  onTestFinished(() => spy.mockRestore());
  return captured;
}
