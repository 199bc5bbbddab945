// The npm mirror this project is built on serves only some platform packages of biome and rollup, so
// `npm install` leaves the other platforms' optional binaries out of package-lock.json and `npm ci` then
// refuses the lock as out of sync. This adds each missing optional platform package to the lock with its
// version and os/cpu from the parent's metadata as written by npm, so `npm ci` skips it on other platforms
// exactly as it would with a complete lock. Run after any `npm install` that changes the lock.
import { readFileSync, writeFileSync } from "node:fs";

// Usage: node scripts/lock-add-missing-optionals.mjs [path/to/package-lock.json]
const lockPath = process.argv[2] ?? new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === "" ? "" : `${path}/`;
    const candidates = [`${base}node_modules/${name}`, `node_modules/${name}`];
    if (candidates.some((candidate) => packages[candidate])) continue;
    const platform = platformOf(name);
    packages[`node_modules/${name}`] = {
      version: String(version).replace(/^[\^~]/, ""),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      ...platform,
    };
    added += 1;
  }
}
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`added ${added} missing optional platform packages to package-lock.json`);

/** os/cpu/libc from the package name's platform triple (the naming biome, rollup and esbuild use). */
function platformOf(name) {
  const tail = name.split("/").pop() ?? "";
  const os = [
    "android",
    "darwin",
    "freebsd",
    "openbsd",
    "openharmony",
    "win32",
    "linux",
    "netbsd",
    "sunos",
    "aix",
  ].find((o) => tail.includes(o));
  const cpu = ["arm64", "x64", "ia32", "arm", "loong64", "ppc64", "riscv64", "s390x"].find((c) =>
    new RegExp(`-${c}(?:-|$)`).test(tail),
  );
  const out = {};
  if (os) out.os = [os];
  if (cpu) out.cpu = [cpu];
  if (tail.includes("musl")) out.libc = ["musl"];
  else if (os === "linux" && tail.includes("gnu")) out.libc = ["glibc"];
  return out;
}
