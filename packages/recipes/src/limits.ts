/**
 * The largest recipe file read or parsed, in bytes. A recipe describes one service in a few dozen lines;
 * a file past this is a mistake or an attack on the parser, refused before it is read whole.
 */
export const MAX_RECIPE_FILE_BYTES = 64 * 1024;

export function recipeTooLarge(bytes: number): string {
  return `a recipe file of at most ${MAX_RECIPE_FILE_BYTES / 1024} KiB, got ${bytes} bytes (a recipe describes one service: remove what it does not need, or split it with extends)`;
}
