import { raceAbort } from "../abort.js";
import type { Clock } from "../clock.js";
import { ProviderError } from "../errors/provider-error.js";
import type { GenerateRequest } from "../messages.js";
import type { CallOptions, Generation, Model } from "../model.js";
import type { AttemptTimer } from "./attempt-timer.js";
import type { BreakerPermit } from "./breaker.js";
import { type EarlyStop, type StreamTarget, streamRung } from "./stream-rung.js";

/**
 * Calls a rung's model under a time limit: the attempt's `attemptTimeoutMs` and, for a half-open probe, the
 * breaker's `probeTimeoutMs`, whichever ends first. Past it the call is aborted (its signal fires with a
 * `timeout` ProviderError) and the attempt fails as `timeout` at once, even when the model ignores its
 * signal, so a hung rung cannot hold the run or a probe permit. The run's one {@link AttemptTimer} keeps
 * the limit, on the injected clock. The caller's abort still rejects with `signal.reason`. With a `target`
 * (a run for a stream), the model is streamed into it and may stop early ({@link streamRung}).
 */
export async function callRung(
  model: Model,
  request: GenerateRequest,
  options: CallOptions,
  permit: BreakerPermit | undefined,
  clock: Clock,
  timeoutMs: number,
  timer: AttemptTimer,
  target?: StreamTarget,
): Promise<Generation | EarlyStop> {
  const probeMs = permit?.probe === true ? Math.max(0, permit.deadline - clock.now()) : undefined;
  const limitMs = probeMs === undefined ? timeoutMs : Math.min(probeMs, timeoutMs);
  const signal = timer.start(limitMs, () => {
    const message =
      probeMs !== undefined && probeMs <= timeoutMs
        ? `The half-open probe of "${model.id}" took longer than ${limitMs} ms.`
        : `"${model.id}" did not answer within attemptTimeoutMs (${timeoutMs} ms); the call was aborted and the run goes on.`;
    return new ProviderError(message, { kind: "timeout", providerId: model.id });
  });
  try {
    const callOptions = { ...options, signal };
    if (target !== undefined) return await streamRung(model, request, callOptions, target);
    return await raceAbort(model.generate(request, callOptions), signal);
  } finally {
    timer.end();
  }
}
