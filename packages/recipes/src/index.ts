export { builtinBases, type CatalogData, getRecipe, loadCatalog } from "./catalog.js";
export {
  chooseDigestChallenge,
  type DigestAlgorithm,
  type DigestAnswer,
  type DigestChallenge,
  type DigestHash,
  digestAuthorization,
  parseDigestChallenges,
} from "./digest.js";
export { RecipeError } from "./errors.js";
export { MAX_RECIPE_FILE_BYTES } from "./limits.js";
export { parseRecipe, parseRecipes, validateRecipe } from "./parse.js";
export {
  AddressWindow,
  clientAddress,
  FixedWindowCounter,
  hitWindow,
  type WindowNamespace,
  type WindowState,
  type WindowStorage,
} from "./rate-limit.js";
export { type Code, redirectText, registration } from "./registration.js";
export { basicForms, secretForms } from "./secret-forms.js";
export { type SigV4Keys, type SigV4Request, signSigV4, sigV4Keys } from "./sigv4.js";
export {
  CLIENT_KEYS,
  type ClientKey,
  findExprs,
  hasExpr,
  hostAllowed,
  MissingTemplateValue,
  parseExpr,
  RUNTIME_KEYS,
  type RuntimeKey,
  renderTemplate,
  type TemplateExpr,
  type TemplateValues,
} from "./template.js";
export type {
  AwsSigV4Spec,
  CaptureSpec,
  ExpectJsonValue,
  GitHelperSpec,
  HttpDigestSpec,
  HttpMethod,
  InjectBodySpec,
  InjectSpec,
  OAuth2Spec,
  PrimitiveName,
  Recipe,
  RecipeWarning,
  RequiredSecretSpec,
  ScopeEchoSpec,
  ServiceAccountSpec,
  SessionRequestSpec,
  SessionSpec,
  SessionTokenRequestSpec,
  TestRequestSpec,
} from "./types.js";
export { OAUTH_URL_KEYS } from "./types.js";
