import type { TransportRetry } from "../trace.js";

const detailsKey = Symbol.for("rungs.providerCallDetails");

/** What a provider call left behind when it failed, for the attempt record. */
export interface ProviderCallDetails {
  /** Transport retries made inside the call before it failed for good. */
  transportRetries?: readonly TransportRetry[];
  /** Text received before the failure (a stream that broke mid-way): kept, never lost. */
  partialText?: string;
  /**
   * The failure is of a transient kind but re-sending the same request will not fix it (a malformed
   * stream): the provider's transport retries skip it; the attempt engine still sees its kind.
   */
  noTransportRetry?: boolean;
}

/**
 * Attaches call details to an error a provider throws, so the attempt engine can record the transport
 * retries and the partial output of a failed call. Read them back with {@link transportRetriesOf} and
 * {@link partialTextOf}. Returns `error` itself; a non-object is returned unchanged.
 */
export function attachCallDetails<E>(error: E, details: ProviderCallDetails): E {
  if (typeof error !== "object" || error === null || !Object.isExtensible(error)) return error;
  const previous = (error as { [detailsKey]?: ProviderCallDetails })[detailsKey] ?? {};
  const merged: ProviderCallDetails = { ...previous, ...details };
  Object.defineProperty(error, detailsKey, { value: merged, configurable: true, enumerable: false });
  if (merged.transportRetries !== undefined) {
    Object.defineProperty(error, "transportRetries", {
      value: merged.transportRetries,
      configurable: true,
      enumerable: true,
    });
  }
  if (merged.partialText !== undefined) {
    Object.defineProperty(error, "partialText", {
      value: merged.partialText,
      configurable: true,
      enumerable: true,
    });
  }
  return error;
}

/** The transport retries a provider made before throwing `error` (empty when none, or not a provider error). */
export function transportRetriesOf(error: unknown): readonly TransportRetry[] {
  if (typeof error !== "object" || error === null) return [];
  return (error as { [detailsKey]?: ProviderCallDetails })[detailsKey]?.transportRetries ?? [];
}

/** The text a provider had received before throwing `error`, when a stream broke mid-way. */
export function partialTextOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  return (error as { [detailsKey]?: ProviderCallDetails })[detailsKey]?.partialText;
}

/** True when the provider marked `error` as not worth a transport retry (see {@link ProviderCallDetails}). */
export function notTransportRetryable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  return (error as { [detailsKey]?: ProviderCallDetails })[detailsKey]?.noTransportRetry === true;
}
