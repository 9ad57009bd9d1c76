import { deriveTenantKey, sealEnvelope } from "@arcrun/workflow";

/** A credential as `arcrun creds push` encrypts it: with the tenant's key, derived from the executor's. */
export async function sealFor(executorKey: string, tenant: string, name: string, plaintext: string) {
  return sealEnvelope(await deriveTenantKey(executorKey, tenant), name, plaintext);
}
