/** A chunk small enough for `String.fromCharCode(...chunk)` on every engine. */
const chunkBytes = 0x8000;

/** The bytes as standard base64 (with padding), in Node and in browsers. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += chunkBytes) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunkBytes));
  }
  return btoa(binary);
}
