export { builtinBases, type CatalogData, getRecipe, loadCatalog } from "./catalog.js";
export { RecipeError } from "./errors.js";
export { parseRecipe, parseRecipes } from "./parse.js";
export {
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
  HttpMethod,
  InjectSpec,
  OAuth2Spec,
  PrimitiveName,
  Recipe,
  RequiredSecretSpec,
  ScopeEchoSpec,
  ServiceAccountSpec,
  TestRequestSpec,
} from "./types.js";
