import { loadCatalog } from "@arcrun/recipes";

/** Runs the CLI with argv (without node and script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === "list") {
    for (const r of loadCatalog())
      console.log(`${r.id.padEnd(24)} ${r.primitive.padEnd(16)} ${r.display_name}`);
    return 0;
  }
  console.error("usage: arcrun list");
  return 2;
}
