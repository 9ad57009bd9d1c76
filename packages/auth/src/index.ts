export {
  type CredentialKey,
  decryptCredential,
  type EncryptedCredential,
  encryptCredential,
  generateCredentialKey,
  importCredentialKey,
} from "./credential-crypto.js";
export { ArcrunError, type ArcrunErrorCode, isArcrunError, OAuthError } from "./errors.js";
export type {
  CredentialSource,
  CredentialStore,
  LoginOptions,
  OAuth2Credential,
  RequestParts,
  ResolvedCredential,
  StaticKeyCredential,
  StoredCredential,
  Strategy,
} from "./types.js";
