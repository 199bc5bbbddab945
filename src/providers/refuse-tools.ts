import { InvalidArgumentError } from "../errors/invalid-argument-error.js";
import type { GenerateRequest } from "../messages.js";

/**
 * Refuses a request with tools, tool calls or tool results, for a provider that does not map them yet:
 * sending them as text would change what the model is asked.
 * @throws InvalidArgumentError naming the field.
 */
export function refuseToolsFor(provider: string, request: GenerateRequest): void {
  let field: string | undefined;
  if (request.tools !== undefined && request.tools.length > 0) field = "request.tools";
  else if (request.toolChoice !== undefined) field = "request.toolChoice";
  else {
    const i = request.messages.findIndex(
      (m) => m.role === "tool" || (m.role === "assistant" && (m.toolCalls?.length ?? 0) > 0),
    );
    if (i >= 0) field = `request.messages[${i}]`;
  }
  if (field === undefined) return;
  throw new InvalidArgumentError({
    parameter: field,
    value: undefined,
    message: `${provider} does not send tools, tool calls or tool results yet (${field}): use a provider that does, or leave them out.`,
  });
}
