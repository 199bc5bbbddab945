import { childController, raceAbort } from "../abort.js";
import type { Clock } from "../clock.js";
import { ProviderError } from "../errors/provider-error.js";
import type { CallOptions, GenerateRequest, Generation, Model } from "../model.js";
import type { BreakerPermit } from "./breaker.js";

/**
 * Calls a rung's model. A half-open probe runs under its own time limit (the breaker's `probeTimeoutMs`):
 * past it the call is aborted with a `timeout` ProviderError, so a hung probe cannot hold its permit. The
 * caller's abort still rejects with `signal.reason`.
 */
export async function callRung(
  model: Model,
  request: GenerateRequest,
  options: CallOptions,
  permit: BreakerPermit | undefined,
  clock: Clock,
): Promise<Generation> {
  // Raced against the caller's signal: a model that ignores its signal must not hold the run.
  if (permit === undefined || !permit.probe)
    return raceAbort(model.generate(request, options), options.signal);
  const { controller, dispose } = childController(options.signal);
  const limitMs = Math.max(0, permit.deadline - clock.now());
  const handle = clock.setTimeout(() => {
    controller.abort(
      new ProviderError(`The half-open probe of "${model.id}" took longer than ${limitMs} ms.`, {
        kind: "timeout",
        providerId: model.id,
      }),
    );
  }, limitMs);
  try {
    return await raceAbort(
      model.generate(request, { ...options, signal: controller.signal }),
      controller.signal,
    );
  } finally {
    clock.clearTimeout(handle);
    dispose();
  }
}
