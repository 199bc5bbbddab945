// The OpenTelemetry API, an optional peer. Importing rungs/otel without it says `npm i @opentelemetry/api`;
// the API itself is loaded on the first traced call with a dynamic import, so an ESM app and rungs share
// its global tracer provider (the API keeps it on globalThis, so the CJS copy sees the same one too).
import type * as OtelApi from "@opentelemetry/api";
import { assertPeerInstalled } from "../providers/peer.js";

assertPeerInstalled("rungs/otel", "@opentelemetry/api", "@opentelemetry/api");

export type Api = typeof OtelApi;

let loading: Promise<Api> | undefined;

/** The API module, loaded once. */
export function loadApi(): Promise<Api> {
  loading ??= import("@opentelemetry/api");
  return loading;
}
