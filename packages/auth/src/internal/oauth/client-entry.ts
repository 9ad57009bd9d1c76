/**
 * The reserved store name under which `arcrun setup` keeps a service's OAuth client (instance: the
 * service). A module of its own so that the package entry exports it without loading the OAuth code.
 */
export const OAUTH_CLIENT_ENTRY = "arcrun_oauth_client";
