// The program `arcrun unlock` starts: the key agent (src/internal/agent/server.ts).
import { runKeyAgent } from "./internal/agent/server.js";

runKeyAgent().catch((err: unknown) => {
  process.stderr.write(`arcrun-agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
