import { createRequire } from "node:module";
import type { Agent, Dispatcher } from "undici";

/**
 * undici's full entry point costs ~60 ms to load (fetch, websocket, cache, mocks); the bound client needs
 * only the Agent (~20 ms), loaded on the first request, never at import time.
 */
const requireUndici = createRequire(import.meta.url);

let agentCtor: typeof Agent | undefined;
let dispatcherCtor: typeof Dispatcher | undefined;

export function loadAgent(): typeof Agent {
  agentCtor ??= requireUndici("undici/lib/dispatcher/agent.js") as typeof Agent;
  return agentCtor;
}

export function loadDispatcherBase(): typeof Dispatcher {
  dispatcherCtor ??= requireUndici("undici/lib/dispatcher/dispatcher.js") as typeof Dispatcher;
  return dispatcherCtor;
}

export type { Agent, Dispatcher };
