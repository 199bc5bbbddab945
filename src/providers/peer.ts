import { createRequire } from "node:module";

/**
 * Loads an optional peer dependency at import time, synchronously, in the ESM and the CJS build alike, so a
 * missing peer fails with the command that installs it instead of Node's bare "Cannot find package". (A
 * static `import` would fail while Node links the module graph, before any rungs code could explain.)
 *
 * @param entry the rungs subpath that needs the peer, e.g. `"rungs/ollama"`
 * @param packageName the npm package to install, e.g. `"ollama"`
 * @param specifier what to load, e.g. `"ollama/browser"`
 * @throws Error `rungs/ollama needs the "ollama" package: npm i ollama` (the loader's error as `cause`) when
 *   the peer is not installed; any other load error as thrown.
 */
export function requirePeer<T>(entry: string, packageName: string, specifier: string): T {
  const load = createRequire(import.meta.url);
  try {
    return load(specifier) as T;
  } catch (error) {
    if (!peerMissing(load, specifier, error)) throw error;
    throw new Error(`${entry} needs the "${packageName}" package: npm i ${packageName}`, { cause: error });
  }
}

function peerMissing(load: NodeJS.Require, specifier: string, error: unknown): boolean {
  if ((error as { code?: unknown } | null)?.code !== "MODULE_NOT_FOUND") return false;
  try {
    load.resolve(specifier);
    return false; // the peer is there; something it needs is not: report that as it is
  } catch {
    return true;
  }
}
