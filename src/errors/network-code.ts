/**
 * The error code (`ECONNRESET`, `UND_ERR_SOCKET`, ...) of `error` or of an error in its `cause` chain
 * (fetch's `TypeError: fetch failed` keeps the socket error in `cause`). Depth-capped at 5.
 */
export function networkCodeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth += 1) {
    if (typeof current !== "object" || current === null) return undefined;
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === "string") return code;
    current = cause;
  }
  return undefined;
}
