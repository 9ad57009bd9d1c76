/**
 * Which arcrun broker is configured and whether it answers (what `arcrun doctor` shows). The broker code
 * loads on the first call, so importing arcrun-auth stays as light as before.
 */
import type { BrokerHealth } from "./internal/broker/client.js";
import type { BrokerLocation, BrokerUrlSource } from "./internal/broker/config.js";

export type { BrokerHealth, BrokerLocation, BrokerUrlSource };

/**
 * The configured broker: `ARCRUN_BROKER_URL`, else `broker_url` in `<home>/config.yaml` (home: `src.home`,
 * else `$ARCRUN_HOME`, else ~/.arcrun); undefined when none is. Throws ERR_BROKER for an unusable URL.
 */
export async function findBroker(src: BrokerUrlSource): Promise<BrokerLocation | undefined> {
  return (await import("./internal/broker/config.js")).findBroker(src);
}

/** Asks the broker's `GET /health`; never throws for an unreachable broker (`reachable: false` is the answer). */
export async function checkBroker(
  broker: BrokerLocation,
  fetchFn?: typeof globalThis.fetch,
  options: { timeoutMs?: number } = {},
): Promise<BrokerHealth> {
  return (await import("./internal/broker/client.js")).checkBroker(broker, fetchFn, options);
}
