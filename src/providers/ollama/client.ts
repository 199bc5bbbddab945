// The official `ollama` client, an optional peer: loaded through requirePeer so `import "rungs/ollama"`
// without it says `npm i ollama`. The browser build is used because rungs passes its own `fetch`.
import type * as OllamaClient from "ollama/browser";
import { requirePeer } from "../peer.js";

export const { Ollama } = requirePeer<typeof OllamaClient>("rungs/ollama", "ollama", "ollama/browser");
export type Ollama = OllamaClient.Ollama;
