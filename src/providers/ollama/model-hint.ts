import { childController } from "../../abort.js";
import type { Clock } from "../../clock.js";
import { loadOllama } from "./client.js";
import type { ResolvedOllamaSettings } from "./settings.js";

/** How long the `/api/tags` lookup behind a 404 may take, in ms: a hint must not delay the ladder. */
const hintTimeoutMs = 2_000;
/** Most model names listed in the hint. */
const maxNames = 12;

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
    const Ollama = await loadOllama();
    const client = new Ollama({
      host: settings.host,
      headers: settings.headers,
      fetch: (input, init) => settings.fetch(input, { ...init, signal: controller.signal }),
    });
    const { models } = await client.list();
    const names = models.map((m) => m.name).filter((name) => typeof name === "string");
    if (names.length === 0) return "The server has no models pulled.";
    const shown = names.slice(0, maxNames).join(", ");
    return `The server has: ${shown}${names.length > maxNames ? `, and ${names.length - maxNames} more` : ""}.`;
  } catch {
    return undefined;
  } finally {
    clock.clearTimeout(timer);
    controller.abort();
    dispose();
  }
}
