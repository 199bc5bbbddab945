// The official `ollama` client, an optional peer. Importing rungs/ollama without it says `npm i ollama`;
// the client itself is loaded on the first call with a dynamic import, so an ESM app and rungs share one
// copy (the CJS build gets the CJS one). The browser build is used because rungs passes its own `fetch`.
import type * as OllamaClient from "ollama/browser";
import { assertPeerInstalled } from "../peer.js";

assertPeerInstalled("rungs/ollama", "ollama", "ollama/browser");

export type Ollama = OllamaClient.Ollama;

let loading: Promise<typeof OllamaClient.Ollama> | undefined;

/** The client class, loaded once. */
export function loadOllama(): Promise<typeof OllamaClient.Ollama> {
  loading ??= import("ollama/browser").then((client) => client.Ollama);
  return loading;
}
