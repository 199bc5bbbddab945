import { redactText } from "../redact.js";

/**
 * A copy of `error` safe to keep as a `cause`: same `name` and `code`, the message scrubbed of keys, and its
 * own `cause` chain copied the same way (depth-capped at 4). Provider errors can echo the request (URL
 * with `?key=`, headers, the body that was sent), so rungs never keeps the raw error object beneath its own
 * (docs/reliability.md, item 20; litellm#15799).
 */
export function scrubbedError(error: unknown, depth = 0): Error {
  if (!(error instanceof Error)) return new Error(redactText(String(error)));
  const options =
    error.cause !== undefined && depth < 4 ? { cause: scrubbedError(error.cause, depth + 1) } : {};
  const copy = new Error(redactText(error.message), options);
  copy.name = error.name;
  const { code } = error as { code?: unknown };
  if (typeof code === "string") Object.defineProperty(copy, "code", { value: code, enumerable: true });
  return copy;
}
