import { childController } from "../../abort.js";
import type { Clock } from "../../clock.js";
import { capText } from "../../text/cap.js";
import type { ResolvedOllamaSettings } from "./settings.js";

/** How long the `/api/tags` lookup behind a 404 may take, in ms: a hint must not delay the ladder. */
const hintTimeoutMs = 2_000;
/** Most model names listed in the hint. */
const maxNames = 12;
/** Most characters of one name shown. */
const maxNameChars = 80;
/** Most bytes of `/api/tags` read: a hostile server cannot make the hint unbounded (a real list of a few hundred models is far smaller). */
export const maxTagsBytes = 262_144;

/**
 * For a 404: the models the server does have (`/api/tags`), so the message names the fix. Returns
 * `undefined` when the list cannot be had within {@link hintTimeoutMs}; never throws.
 */
export async function describeMissingModel(
  settings: ResolvedOllamaSettings,
  signal: AbortSignal,
  clock: Clock,
): Promise<string | undefined> {
  const { controller, dispose } = childController(signal);
  const timer = clock.setTimeout(() => controller.abort(), hintTimeoutMs);
  try {
    const response = await settings.fetch(`${settings.host.replace(/\?.*$/, "")}/api/tags`, {
      headers: settings.headers,
      signal: controller.signal,
      redirect: "error",
    });
    if (!response.ok || response.body === null) return undefined;
    const body = await readBytes(response.body, maxTagsBytes);
    if (body === undefined) return undefined; // over the cap: no hint rather than an unbounded one
    const { models } = JSON.parse(body) as { models?: unknown };
    if (!Array.isArray(models)) return undefined;
    const names = models
      .map((m) => (m as { name?: unknown } | null)?.name)
      .filter((name): name is string => typeof name === "string");
    if (names.length === 0) return "The server has no models pulled.";
    const shown = names
      .slice(0, maxNames)
      .map((name) => capText(name, maxNameChars))
      .join(", ");
    return `The server has: ${shown}${names.length > maxNames ? `, and ${names.length - maxNames} more` : ""}.`;
  } catch {
    return undefined;
  } finally {
    clock.clearTimeout(timer);
    controller.abort();
    dispose();
  }
}

/** The body as text when it fits in `maxBytes`; undefined (and the rest cancelled) when it does not. */
async function readBytes(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<string | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) return undefined;
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}
