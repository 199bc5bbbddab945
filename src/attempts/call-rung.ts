import { childController, raceAbort } from "../abort.js";
import type { Clock } from "../clock.js";
import { ProviderError } from "../errors/provider-error.js";
import type { CallOptions, GenerateRequest, Generation, Model } from "../model.js";
import type { BreakerPermit } from "./breaker.js";

/**
 * Calls a rung's model under a time limit: the attempt's `attemptTimeoutMs` and, for a half-open probe, the
 * breaker's `probeTimeoutMs`, whichever ends first. Past it the call is aborted (its signal fires with a
 * `timeout` ProviderError) and the attempt fails as `timeout` at once, even when the model ignores its
 * signal, so a hung rung cannot hold the run or a probe permit. The timer runs on the injected clock. The
 * caller's abort still rejects with `signal.reason`.
 */
export async function callRung(
  model: Model,
  request: GenerateRequest,
  options: CallOptions,
  permit: BreakerPermit | undefined,
  clock: Clock,
  timeoutMs: number,
): Promise<Generation> {
  const probeMs = permit?.probe === true ? Math.max(0, permit.deadline - clock.now()) : undefined;
  const limitMs = probeMs === undefined ? timeoutMs : Math.min(probeMs, timeoutMs);
  const message =
    probeMs !== undefined && probeMs <= timeoutMs
      ? `The half-open probe of "${model.id}" took longer than ${limitMs} ms.`
      : `"${model.id}" did not answer within attemptTimeoutMs (${timeoutMs} ms); the call was aborted and the run goes on.`;
  // The call's own signal is made only when the model reads it: most models that never look at it (a
  // function, a scripted model) then cost no AbortController and no listener per call (issue 17's profile).
  let child: ReturnType<typeof childController> | undefined;
  let expired: ProviderError | undefined;
  const signalOf = (): AbortSignal => {
    if (child === undefined) {
      child = childController(options.signal);
      if (expired !== undefined) child.controller.abort(expired);
    }
    return child.controller.signal;
  };
  let expire: (error: ProviderError) => void = () => {};
  const deadline = new Promise<never>((_resolve, reject) => {
    expire = reject;
  });
  const handle = clock.setTimeout(() => {
    expired = new ProviderError(message, { kind: "timeout", providerId: model.id });
    child?.controller.abort(expired);
    expire(expired);
  }, limitMs);
  const callOptions: CallOptions = {
    ...options,
    get signal() {
      return signalOf();
    },
  };
  try {
    // The time limit holds even when the model ignores its signal; the caller's abort rejects at once.
    return await raceAbort(Promise.race([model.generate(request, callOptions), deadline]), options.signal);
  } finally {
    clock.clearTimeout(handle);
    child?.dispose();
  }
}
