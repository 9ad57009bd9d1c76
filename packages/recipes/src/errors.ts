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
