import { ENVELOPE_VERSION } from "@arcrun/workflow";
import { Hono } from "hono";
import { ExecutorError } from "../errors.js";
import {
  CREDENTIAL_NAME,
  type CredentialRecord,
  checkExecutorKey,
  decryptRecord,
} from "../host/credentials.js";
import { base64Decode } from "../internal/base64.js";
import { executorRefusal } from "../primitives.js";
import { getStoredRecipe } from "../recipes.js";
import { recipeFor, storeFor } from "../tenant.js";
import { type AppEnv, badRequest } from "./common.js";

export const credentialRoutes = new Hono<AppEnv>();

function invalid(message: string): ExecutorError {
  return new ExecutorError("ERR_CREDENTIAL_INVALID", message);
}

/**
 * POST /credentials: `{ v: 2, name, encrypted, iv, recipe?, hosts? }`, encrypted on the client with the
 * tenant's key (the protocol's `sealEnvelope`); never a plaintext.
 */
credentialRoutes.post("/credentials", async (c) => {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw badRequest(
      "send JSON { name, encrypted, iv, recipe? }, sealed for your tenant (arcrun creds push, or @arcrun/workflow's sealEnvelope)",
    );
  }
  if (!body || typeof body !== "object") throw badRequest("send a JSON object");
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!["v", "name", "encrypted", "iv", "recipe", "hosts"].includes(k)) {
      throw invalid(
        `unknown field "${k}"; a credential is { v, name, encrypted, iv, recipe?, hosts? } (never a plaintext value)`,
      );
    }
  }
  if (b.v !== ENVELOPE_VERSION) {
    throw invalid(
      `the credential is not a version ${ENVELOPE_VERSION} envelope (encrypted with this tenant's key, bound to tenant and name); push it with a current arcrun: arcrun creds push NAME`,
    );
  }
  if (typeof b.name !== "string" || !CREDENTIAL_NAME.test(b.name)) {
    throw invalid('name is required: 1-128 letters, digits, "_", "-" or "."');
  }
  if (typeof b.encrypted !== "string" || typeof b.iv !== "string")
    throw invalid("encrypted and iv (base64) are required");
  let iv: Uint8Array;
  try {
    iv = base64Decode(b.iv);
    base64Decode(b.encrypted);
  } catch {
    throw invalid("encrypted and iv must be base64");
  }
  if (iv.length !== 12) throw invalid("iv must be 12 bytes (AES-GCM)");
  // A recipe of the catalogue (or ARCRUN_RECIPES), or one this tenant pushed (arcrun recipe push).
  const builtIn = typeof b.recipe === "string" ? recipeFor(c)(b.recipe) : undefined;
  if (
    b.recipe !== undefined &&
    (typeof b.recipe !== "string" ||
      (!builtIn && !(await getStoredRecipe(c.env.ARCRUN_KV, c.get("tenant"), b.recipe))))
  ) {
    throw invalid(`unknown recipe "${String(b.recipe)}"; run: arcrun list`);
  }
  const why = builtIn ? executorRefusal(builtIn) : undefined;
  if (why) throw invalid(why);
  if (
    b.hosts !== undefined &&
    (!Array.isArray(b.hosts) ||
      !b.hosts.every((h) => typeof h === "string" && /^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i.test(h)))
  ) {
    throw invalid(
      "hosts is a list of host names (*.example.com for subdomains), with :port for a port other than 443/80",
    );
  }
  const record: CredentialRecord = {
    v: ENVELOPE_VERSION,
    name: b.name,
    encrypted: b.encrypted,
    iv: b.iv,
    ...(typeof b.recipe === "string" ? { recipe: b.recipe } : {}),
    ...(Array.isArray(b.hosts) ? { hosts: b.hosts as string[] } : {}),
    created_at: new Date().toISOString(),
  };
  // Refuse a credential this executor could never decrypt (another key, another name).
  try {
    await decryptRecord(record, c.get("tenant"), checkExecutorKey(c.env.ENCRYPTION_KEY));
  } catch (err) {
    if (err instanceof ExecutorError && err.code === "ERR_CREDENTIAL_INVALID") {
      throw invalid(
        `credential "${record.name}" was not encrypted with this tenant's key derived from the executor's ENCRYPTION_KEY (or it was, for another tenant or name); encrypt it again with this tenant's key`,
      );
    }
    throw err;
  }
  await storeFor(c).putCredential(record);
  return c.json({ name: record.name, recipe: record.recipe ?? null, created_at: record.created_at }, 201);
});

/** GET /credentials: names and metadata only. */
credentialRoutes.get("/credentials", async (c) => {
  // The tenant is not a secret: a client derives its key (or checks the one it holds) with it.
  return c.json({ tenant: c.get("tenant"), credentials: await storeFor(c).listCredentials() });
});

credentialRoutes.delete("/credentials/:name", async (c) => {
  const name = c.req.param("name");
  if (!(await storeFor(c).deleteCredential(name))) {
    throw new ExecutorError("ERR_CREDENTIAL_NOT_FOUND", `no credential "${name}"; run: arcrun creds list`);
  }
  return c.json({ deleted: name });
});
