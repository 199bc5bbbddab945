import { open } from "node:fs/promises";

/** What {@link readTextLimited} read: the text, or that the source holds more than the limit. */
export type LimitedText = { text: string } | { tooLarge: true; bytes: number };

/**
 * Reads a file as UTF-8, at most `maxBytes` of it: a file, a FIFO, `/dev/stdin` or a device alike. The size
 * a `stat` gives cannot be trusted (a FIFO or `/dev/zero` says 0, a file can grow between the stat and the
 * read), so the read itself stops one byte past the limit and reports `tooLarge`.
 * @throws the file system's error (ENOENT, EACCES, EISDIR...).
 */
export async function readTextLimited(path: string, maxBytes: number): Promise<LimitedText> {
  const handle = await open(path, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const room = maxBytes + 1 - total;
      const { bytesRead, buffer } = await handle.read({
        buffer: Buffer.allocUnsafe(Math.min(room, 1 << 20)),
      });
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) return { tooLarge: true, bytes: total };
    }
    // Decoded once, whole: a character split between two reads is not mangled.
    return { text: Buffer.concat(chunks, total).toString("utf8") };
  } finally {
    await handle.close();
  }
}

/**
 * Reads a stream (standard input) as UTF-8, at most `maxBytes`; `tooLarge` as soon as it passes them.
 * Decoded once at the end, so a multi-byte character split across chunks stays whole.
 */
export async function readStreamLimited(
  stream: AsyncIterable<unknown>,
  maxBytes: number,
): Promise<LimitedText> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk as Uint8Array);
    chunks.push(bytes);
    total += bytes.length;
    if (total > maxBytes) return { tooLarge: true, bytes: total };
  }
  return { text: Buffer.concat(chunks, total).toString("utf8") };
}
