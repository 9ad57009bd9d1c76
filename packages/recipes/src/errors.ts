/**
 * Marks RecipeError instances across copies of this package: the CJS build throws the class of the ESM
 * loader it imports (one copy of zod and yaml), and an app may load both builds.
 */
const brand = Symbol.for("@arcrun/recipes/RecipeError");

/**
 * A recipe that cannot be used. `file` and `keyPath` say where (`oauth2 > token_url`), `expected` says what
 * was wanted there. The code matches arcrun-auth's `ERR_RECIPE_INVALID`.
 */
export class RecipeError extends Error {
  override name = "RecipeError";
  readonly code = "ERR_RECIPE_INVALID" as const;
  readonly file: string;
  readonly keyPath: readonly string[];
  readonly expected: string;

  constructor(
    file: string,
    keyPath: readonly (string | number)[],
    expected: string,
    options?: { cause?: unknown },
  ) {
    const path = keyPath.map(String);
    const where = path.length > 0 ? `${file}: ${path.join(" > ")}` : file;
    super(`${where}: ${expected}. Fix the recipe file, then run: arcrun recipe validate ${file}`, options);
    this.file = file;
    this.keyPath = path;
    this.expected = expected;
  }
}

// On the prototype, not the instance: logging an error does not show it.
Object.defineProperty(RecipeError.prototype, brand, { value: true });

// `err instanceof RecipeError` holds for a RecipeError of either build (ESM or CJS) of this package; a
// subclass (`this` is the class on the right of instanceof) keeps the ordinary prototype check.
Object.defineProperty(RecipeError, Symbol.hasInstance, {
  value(this: unknown, value: unknown): boolean {
    if (this !== RecipeError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return value instanceof Error && (value as { [brand]?: unknown })[brand] === true;
  },
});
