/**
 * rungs/otel: OpenTelemetry spans for rungs runs, with the GenAI semantic conventions (optional peer
 * @opentelemetry/api).
 *
 * @module rungs/otel
 */
export { type OtelOptions, withOtel } from "./with-otel.js";
