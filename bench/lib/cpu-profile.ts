import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt } from "./stats.js";
import { markdownTable } from "./table.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const repoDir = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Runs `script args` (TypeScript, through tsx) under `node --cpu-prof` and returns its top `top` frames by self
 * time, and rungs' functions in dist/ by inclusive time, leaving out idle time and module loading, as Markdown
 * (the .cpuprofile is kept for a flame graph, e.g. in Chrome DevTools or speedscope; its path is printed).
 */
export function profileScript(script: string, args: readonly string[], top: number): string {
  const dir = mkdtempSync(join(tmpdir(), "rungs-profile-"));
  execFileSync(
    process.execPath,
    ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--import", "tsx", script, ...args],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`no profile written to ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as { nodes: ProfileNode[] };

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOf = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.startsWith("file://") ? relative(repoDir, fileURLToPath(url)) : url || "(native)";
    const line = url === "" ? "" : `:${lineNumber + 1}`;
    return `${functionName || "(anonymous)"} ${where}${line}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  /** Module loading (start-up, the tsx loader): not the code under measurement. */
  const loading = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url } = byId.get(at)!.callFrame;
      if (url.startsWith("node:internal/modules/") || url.startsWith("node:internal/bootstrap/")) return true;
    }
    return false;
  };
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || node.callFrame.functionName === "(idle)" || loading(node.id)) continue;
    busy += hits;
    self.set(keyOf(node), (self.get(keyOf(node)) ?? 0) + hits);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const key = keyOf(byId.get(id)!);
      if (!seen.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + hits);
      seen.add(key);
    }
  }
  const table = (counts: Map<string, number>, title: string, filter: (key: string) => boolean) =>
    markdownTable(
      [title, "share of busy samples"],
      [...counts]
        .filter(([key]) => filter(key))
        .sort((a, b) => b[1] - a[1])
        .slice(0, top)
        .map(([key, hits]) => [key, `${fmt((100 * hits) / busy, 1)} %`]),
    );
  return [
    table(self, "frame (self time)", () => true),
    "",
    table(inclusive, "rungs function in dist/ (self + synchronous callees)", (key) => key.includes(" dist/")),
    "",
    `Busy samples: ${busy} (idle and module loading excluded). Profile: ${join(dir, file)}`,
  ].join("\n");
}
