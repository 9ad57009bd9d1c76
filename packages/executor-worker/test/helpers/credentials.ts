import { randomBytes } from "node:crypto";
import { type CredentialEnvelope, deriveTenantKey, legacyEnvelopeAad, sealEnvelope } from "@arcrun/workflow";

/** A new executor key (`ENCRYPTION_KEY`): 32 random bytes, base64 (docs/executor.md). */
export function generateExecutorKey(): string {
  return randomBytes(32).toString("base64");
}

/** A credential as `arcrun creds push` encrypts it: with the tenant's key, derived from the executor's. */
export async function sealFor(executorKey: string, tenant: string, name: string, plaintext: string) {
  return sealEnvelope(await deriveTenantKey(executorKey, tenant), name, plaintext);
}

/**
 * A first-version record, as clients wrote them before version 2 (no `v`): AES-256-GCM under the executor's
 * own key, with only the name as additional data. The executor refuses new ones and migrates stored ones;
 * tests make them here to exercise that path.
 */
export async function sealLegacy(
  executorKey: string,
  name: string,
  plaintext: string,
): Promise<CredentialEnvelope> {
  const iv = randomBytes(12);
  const key = await crypto.subtle.importKey("raw", Buffer.from(executorKey, "base64"), "AES-GCM", false, [
    "encrypt",
  ]);
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: legacyEnvelopeAad(name) },
    key,
    new TextEncoder().encode(plaintext),
  );
  return { name, encrypted: Buffer.from(ct).toString("base64"), iv: iv.toString("base64") };
}
