import { createRequire } from "node:module";

/**
 * Checks at import time, synchronously and without loading it, that an optional peer dependency is
 * installed, so a missing peer fails with the command that installs it instead of Node's bare "Cannot find
 * package". The peer itself is loaded later with a dynamic `import()` (see the caller), so an ESM app gets
 * the same ESM copy it imports itself. (A static `import` would fail while Node links the module graph,
 * before any rungs code could explain.)
 *
 * @param entry the rungs subpath that needs the peer, e.g. `"rungs/ollama"`
 * @param packageName the npm package to install, e.g. `"ollama"`
 * @param specifier what the subpath loads, e.g. `"ollama/browser"`
 * @throws Error `rungs/ollama needs the "ollama" package: npm i ollama` (the resolver's error as `cause`).
 */
export function assertPeerInstalled(entry: string, packageName: string, specifier: string): void {
  try {
    createRequire(import.meta.url).resolve(specifier);
  } catch (error) {
    throw new Error(`${entry} needs the "${packageName}" package: npm i ${packageName}`, { cause: error });
  }
}
