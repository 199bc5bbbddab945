// Global setup of the "redis" test project: one throwaway redis-server for every Redis test file.
import type { TestProject } from "vitest/node";
import { startRedisServer } from "../../scripts/redis-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startRedisServer();
  project.provide("redisUrl", server.url);
  return () => server.stop();
}
