import { createRequire } from "node:module";
import { InvalidArgumentError } from "../errors/invalid-argument-error.js";

/** An AI SDK language model specification version: `v2` (`ai` 5), `v3` (`ai` 6), `v4` (`ai` 7). */
export type AiSdkSpecificationVersion = "v2" | "v3" | "v4";

const byMajor: Readonly<Record<string, AiSdkSpecificationVersion>> = { "5": "v2", "6": "v3", "7": "v4" };

/**
 * The specification version the installed `ai` package takes natively, read from its package.json as the
 * module resolver finds it from `resolveFrom` (by default from rungs itself, which finds the app's `ai`).
 * ai 5 accepts only v2 models; ai 6 takes v2 in a compatibility mode with a warning; so the version must
 * match the installed SDK rather than be the newest.
 * @throws InvalidArgumentError when `ai` cannot be found or its major is not 5, 6 or 7 (pass
 *   `specificationVersion` to `toAiSdk` then).
 */
export function installedAiSpecificationVersion(
  resolveFrom: string | URL = import.meta.url,
): AiSdkSpecificationVersion {
  let version: unknown;
  try {
    version = (createRequire(resolveFrom)("ai/package.json") as { version?: unknown }).version;
  } catch (error) {
    throw new InvalidArgumentError({
      parameter: "specificationVersion",
      value: undefined,
      message:
        'toAiSdk: the "ai" package could not be found, so the specification version of the model to return is unknown: npm i ai, or pass { specificationVersion: "v2" | "v3" | "v4" } (ai 5, 6, 7).',
      cause: error,
    });
  }
  const major = typeof version === "string" ? version.split(".")[0] : undefined;
  const spec = major === undefined ? undefined : byMajor[major];
  if (spec === undefined) {
    throw new InvalidArgumentError({
      parameter: "specificationVersion",
      value: version,
      message: `toAiSdk: the installed "ai" is version ${String(version)}; rungs supports ai 5, 6 and 7. Pass { specificationVersion: "v2" | "v3" | "v4" } to choose the model specification yourself.`,
    });
  }
  return spec;
}
