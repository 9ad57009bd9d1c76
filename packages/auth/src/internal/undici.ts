import { createRequire } from "node:module";
import type { Agent, Dispatcher } from "undici";

/**
 * undici's full entry point costs ~60 ms to load (fetch, websocket, cache, mocks); what arcrun needs of the npm
 * copy (the Dispatcher base of `client.dispatcher`, an Agent where Node's own undici is missing) is loaded
 * file by file when used, never at import time.
 */
const requireUndici = createRequire(import.meta.url);

let dispatcherCtor: typeof Dispatcher | undefined;

export function loadDispatcherBase(): typeof Dispatcher {
  dispatcherCtor ??= requireUndici("undici/lib/dispatcher/dispatcher.js") as typeof Dispatcher;
  return dispatcherCtor;
}

/** Where undici (Node's own copy and the npm package alike) keeps the process's global dispatcher. */
const GLOBAL_DISPATCHER = Symbol.for("undici.globalDispatcher.1");

let fallbackAgent: Agent | undefined;

/**
 * The dispatcher a bound client sends through when the caller gave none: the process's global dispatcher,
 * the one Node's fetch uses, so `setGlobalDispatcher` (a proxy, a MockAgent) applies to arcrun as it does to
 * fetch. Read per request, as fetch does. Node's fetch loads its own undici, which installs an Agent there,
 * when the Response class is first touched; the bound client needs that class for its responses anyway, so
 * no second HTTP stack loads (the npm copy's Agent cost ~20 ms of CPU per cold start; docs/bench.md). A
 * runtime without Node's undici gets one keep-alive Agent of the npm copy.
 */
export function defaultDispatcher(): Dispatcher {
  const g = globalThis as unknown as Record<symbol, Dispatcher | undefined>;
  let d = g[GLOBAL_DISPATCHER];
  if (d === undefined) {
    void globalThis.Response;
    d = g[GLOBAL_DISPATCHER];
  }
  if (d !== undefined) return d;
  if (!fallbackAgent) {
    const AgentCtor = requireUndici("undici/lib/dispatcher/agent.js") as typeof Agent;
    fallbackAgent = new AgentCtor({ keepAliveTimeout: 10_000, connections: 128 });
  }
  return fallbackAgent;
}

export type { Dispatcher };
