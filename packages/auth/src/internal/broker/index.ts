import { setBrokerClientFactory } from "../oauth/broker.js";
import { createBrokerClient } from "./client.js";

export {
  type BrokerClientContext,
  type BrokerHealth,
  checkBroker,
  createBrokerClient,
  HttpBrokerClient,
} from "./client.js";
export { type BrokerLocation, findBroker, parseBrokerUrl, requireBroker } from "./config.js";

/** Makes `client: broker` recipes sign in through the HTTP broker (ARCRUN_BROKER_URL / config.yaml broker_url). */
export function installBrokerClient(): void {
  setBrokerClientFactory(createBrokerClient);
}
