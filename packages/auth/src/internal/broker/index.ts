export {
  type BrokerClientContext,
  type BrokerHealth,
  checkBroker,
  createBrokerClient,
  HttpBrokerClient,
} from "./client.js";
export { type BrokerLocation, findBroker, parseBrokerUrl, requireBroker } from "./config.js";

export type { BrokerClient, BrokerClientFactory, BrokerContext, BrokerStartArgs } from "./seam.js";
