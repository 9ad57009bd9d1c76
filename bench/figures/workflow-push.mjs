// workflow_push_cpu_ms: p50 CPU time (process.cpuUsage, user + system) of checking the largest workflow
// WORKFLOW_LIMITS allows, as POST /webhooks/named does before it stores it: parseWorkflowYaml then
// compileWorkflow against the component ids. The document is a chain of `nodes - 1` nodes (plus input),
// with extra edges up to the edge limit (each node also leads to the node two after it, a ladder of
// diamonds), each node's config reading the node before it and the first one, padded to body_bytes.
// The KV writes of a push are I/O, not CPU, and are not counted. Needs `pnpm build` (packages/workflow).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../lib/paths.mjs";
import { median, round } from "../lib/stats.mjs";

async function importWorkflow() {
  const entry = join(repoRoot, "packages", "workflow", "dist", "index.js");
  if (!existsSync(entry)) throw new Error("packages/workflow is not built; run: pnpm build");
  return import(pathToFileURL(entry).href);
}

/** The largest document the limits allow, in the shape above. */
export function largestWorkflow({ WORKFLOW_LIMITS, utf8Length }) {
  const count = WORKFLOW_LIMITS.nodes - 1;
  const flow = ["input >> ON_SUCCESS >> n0"];
  for (let i = 1; i < count; i++) flow.push(`n${i - 1} >> ON_SUCCESS >> n${i}`);
  for (let i = 0; i + 2 < count && flow.length < WORKFLOW_LIMITS.edges; i++)
    flow.push(`n${i} >> ON_SUCCESS >> n${i + 2}`);
  const config = ["  n0: { component: set, values: { x: '{{input.x}}' } }"];
  for (let i = 1; i < count; i++)
    config.push(`  n${i}: { component: set, values: { a: '{{n${i - 1}.data}}', b: '{{n0.data.x}}' } }`);
  const head = `name: largest\nflow:\n${flow.map((f) => `  - ${f}`).join("\n")}\nconfig:\n${config.join("\n")}\n`;
  const room = WORKFLOW_LIMITS.body_bytes - utf8Length(head) - 20;
  return room > 0 ? `${head}description: "${"x".repeat(room)}"\n` : head;
}

export async function measure({ runs = 200 } = {}) {
  const wf = await importWorkflow();
  const text = largestWorkflow(wf);
  const components = new Set(["set"]);
  const times = [];
  for (let i = 0; i < runs + 20; i++) {
    const before = process.cpuUsage();
    const graph = wf.compileWorkflow(wf.parseWorkflowYaml(text), { components });
    const used = process.cpuUsage(before);
    if (graph.order.length !== wf.WORKFLOW_LIMITS.nodes - 1)
      throw new Error("the largest workflow did not compile");
    // The first runs warm the JIT up, as a Worker isolate that has served a few requests is.
    if (i >= 20) times.push((used.user + used.system) / 1000);
  }
  return {
    workflow_push_cpu_ms: round(median(times)),
    details: {
      workflow_push: {
        bytes: wf.utf8Length(text),
        nodes: wf.WORKFLOW_LIMITS.nodes,
        edges: wf.WORKFLOW_LIMITS.edges,
        runs,
        p90_ms: round([...times].sort((a, b) => a - b)[Math.floor(times.length * 0.9)]),
      },
    },
  };
}
