import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { finished } from "node:stream/promises";

/**
 * Writes the page's pieces to `file`, atomically: into a temporary file beside it, then renamed, so a
 * browser never opens half a page. Resolves with the bytes written.
 */
export async function writePage(file: string, chunks: Iterable<string>): Promise<number> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  const out = createWriteStream(temporary, { encoding: "utf8" });
  let bytes = 0;
  try {
    for (const chunk of chunks) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, "drain"); // rejects when the stream fails
    }
    out.end();
    await finished(out);
    await rename(temporary, file);
  } catch (error) {
    out.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
  return bytes;
}
