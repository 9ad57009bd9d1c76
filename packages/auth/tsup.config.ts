import { defineConfig } from "tsup";
import { rechunkEsm } from "./scripts/rechunk-esm.js";

export default defineConfig({
  // agent-main: the program `arcrun unlock` starts (startKeyAgent finds it next to the other chunks).
  entry: { index: "src/index.ts", "agent-main": "src/agent-main.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  splitting: true,
  target: "node20",
  // import.meta.url (createRequire for undici) in the CJS build.
  shims: true,
  // The ESM entry loads as one file, lazy modules importing from it (scripts/rechunk-esm.ts).
  onSuccess: () => rechunkEsm("dist"),
});
