export {
  type AgentStatus,
  agentStatus,
  lockAgent,
  type StartAgentOptions,
  startKeyAgent,
} from "./agent.js";
export {
  Auth,
  type AuthLoginOptions,
  type AuthOptions,
  type AuthStatus,
  type BindOptions,
  createAuth,
  type InstanceInfo,
  type InstanceOptions,
  type InstanceStatus,
  type LoginResult,
  type LogoutResult,
  type ServiceInfo,
  type TestResult,
  type Token,
} from "./auth.js";
export {
  type BrokerHealth,
  type BrokerLocation,
  type BrokerUrlSource,
  checkBroker,
  findBroker,
} from "./broker.js";
export {
  type AppliedCatalogue,
  applyCatalogueUpdate,
  CATALOGUE_TEST_PUBLIC_KEY_ENV,
  type CatalogueChange,
  type CataloguePlan,
  type CatalogueSource,
  type FetchedCatalogue,
  fetchCatalogue,
  findCatalogueSource,
  planCatalogueUpdate,
} from "./catalogue.js";
export type { Client, ClientInfo, ClientRequestInit, QueryParams, RequestOptions } from "./client.js";
export { auth } from "./default.js";
export { ArcrunError, type ArcrunErrorCode, isArcrunError, OAuthError } from "./errors.js";
export type {
  BrokerClient,
  BrokerClientFactory,
  BrokerContext,
  BrokerStartArgs,
} from "./internal/broker/seam.js";
export { OAUTH_CLIENT_ENTRY } from "./internal/oauth/client-entry.js";
export { injectFor } from "./internal/recipe.js";
export {
  initEncryptedFile,
  type KeyChoice,
  type StoreChoice,
  type StoreInfo,
} from "./internal/store-select.js";
export { suggest } from "./internal/suggest.js";
export type { RecipeFileError } from "./internal/user-recipes.js";
export {
  type EncryptedFileKey,
  type EncryptedFileState,
  EncryptedFileStore,
  type EncryptedFileStoreOptions,
} from "./stores/encrypted-file.js";
export { KeyringStore, type KeyringStoreOptions } from "./stores/keyring.js";
export { MemoryStore } from "./stores/memory.js";
export { type StrategyFactory, strategyFactories } from "./strategies/index.js";
export type {
  CredentialApplier,
  CredentialSource,
  CredentialStore,
  Logger,
  LoginOptions,
  OAuth2Credential,
  OutgoingRequest,
  Prompter,
  PromptQuestion,
  RequestParts,
  ResolvedCredential,
  ResolvedValues,
  SessionCredential,
  StaticKeyCredential,
  StoredCredential,
  Strategy,
  StrategyContext,
  StrategyFactoryContext,
} from "./types.js";
