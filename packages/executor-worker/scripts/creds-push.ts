/**
 * Pushes a credential to a local executor until `arcrun creds push` exists:
 *   printf '%s' "$TOKEN" | pnpm --filter executor-worker creds:push <name> [--recipe <id>] [--host <h>]...
 * The value is read from stdin (never argv), encrypted here with the tenant's key derived from ENCRYPTION_KEY
 * in .dev.vars (or the environment), and only { v, name, encrypted, iv, recipe, hosts } is sent.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deriveTenantKey, sealEnvelope } from "@arcrun/workflow";
import { packageRoot } from "./bundle.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    recipe: { type: "string" },
    host: { type: "string", multiple: true },
    url: { type: "string", default: process.env.ARCRUN_EXECUTOR_URL ?? "http://127.0.0.1:8788" },
  },
});
const name = positionals[0];
if (!name) {
  process.stderr.write(
    "usage: printf '%s' VALUE | pnpm --filter executor-worker creds:push NAME [--recipe ID] [--host H]\n",
  );
  process.exit(2);
}
let key = process.env.ENCRYPTION_KEY;
if (!key) {
  try {
    key = /^ENCRYPTION_KEY=(.+)$/m.exec(readFileSync(join(packageRoot, ".dev.vars"), "utf8"))?.[1]?.trim();
  } catch {
    key = undefined;
  }
}
if (!key) {
  process.stderr.write(
    "no ENCRYPTION_KEY: start the executor once (pnpm --filter executor-worker dev) or set ENCRYPTION_KEY\n",
  );
  process.exit(1);
}
const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const value = Buffer.concat(chunks)
  .toString("utf8")
  .replace(/\r?\n$/, "");
if (value === "") {
  process.stderr.write("no value on stdin; pipe the secret in: printf '%s' \"$TOKEN\" | ...\n");
  process.exit(2);
}
const apiKey: Record<string, string> = process.env.ARCRUN_API_KEY
  ? { "x-arcrun-api-key": process.env.ARCRUN_API_KEY }
  : {};
const who = (await (await fetch(`${values.url}/credentials`, { headers: apiKey })).json()) as {
  tenant?: string;
};
const sealed = await sealEnvelope(await deriveTenantKey(key, who.tenant ?? "default"), name, value);
const res = await fetch(`${values.url}/credentials`, {
  method: "POST",
  headers: {
    "content-type": "application/json",
    ...apiKey,
  },
  body: JSON.stringify({
    ...sealed,
    ...(values.recipe ? { recipe: values.recipe } : {}),
    ...(values.host ? { hosts: values.host } : {}),
  }),
});
process.stdout.write(`${await res.text()}\n`);
process.exit(res.ok ? 0 : 1);
