import { readFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL("..", import.meta.url));

/** The peers compared against, read from bench/node_modules (the versions that actually ran). */
export const peers = ["p-retry", "cockatiel", "@langchain/core", "ai"] as const;

/** Installed version of a bench dependency, or "missing". */
export function installedVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(`${benchDir}node_modules/${name}/package.json`, "utf8")) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return "missing";
  }
}

/** One line describing the machine: CPUs, memory, Node and OS. */
export function machineLine(): string {
  const cpus = os.cpus();
  return [
    `${os.availableParallelism()} CPUs (${cpus[0]?.model.trim() ?? "unknown"})`,
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `Node ${process.version}`,
    `${os.type()} ${os.release()} ${os.arch()}`,
  ].join(", ");
}
