export { builtinBases, type CatalogData, getRecipe, loadCatalog } from "./catalog.js";
export { RecipeError } from "./errors.js";
export { parseRecipe, parseRecipes } from "./parse.js";
export type {
  AwsSigV4Spec,
  InjectSpec,
  OAuth2Spec,
  PrimitiveName,
  Recipe,
  RecipeInput,
  RequiredSecretSpec,
  ServiceAccountSpec,
  TestRequestSpec,
} from "./schema.js";
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
