import { describe, expect, it } from "vitest";
import {
  deriveTenantKey,
  legacyEnvelopeAad,
  openEnvelope,
  openRecipePush,
  parseTenantKey,
  sealEnvelope,
  sealRecipePush,
} from "../src/protocol.js";

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const executorKey = b64(crypto.getRandomValues(new Uint8Array(32)));

describe("tenant keys", () => {
  it("are derived per tenant (HKDF), the same each time, and name their tenant", async () => {
    const a = await deriveTenantKey(executorKey, "tenant_a");
    expect(await deriveTenantKey(executorKey, "tenant_a")).toBe(a);
    expect(await deriveTenantKey(executorKey, "tenant_b")).not.toBe(a);
    expect(parseTenantKey(a)?.tenant).toBe("tenant_a");
    expect(parseTenantKey(a)?.key).toHaveLength(32);
    expect(a).not.toContain(executorKey);
    expect(parseTenantKey(executorKey)).toBeUndefined();
  });

  it("refuse an executor key that is not 32 bytes", async () => {
    await expect(deriveTenantKey(b64(new Uint8Array(16)), "t")).rejects.toThrow("32 bytes");
  });
});

describe("credential envelopes", () => {
  it("open for their tenant and name only", async () => {
    const env = await sealEnvelope(await deriveTenantKey(executorKey, "tenant_a"), "gh", "ghp_secret");
    expect(env.v).toBe(2);
    expect(await openEnvelope(executorKey, "tenant_a", env)).toBe("ghp_secret");
    await expect(openEnvelope(executorKey, "tenant_b", env)).rejects.toThrow();
    await expect(openEnvelope(executorKey, "tenant_a", { ...env, name: "other" })).rejects.toThrow();
    const otherExecutor = b64(crypto.getRandomValues(new Uint8Array(32)));
    await expect(openEnvelope(otherExecutor, "tenant_a", env)).rejects.toThrow();
  });

  it("a tenant key with another tenant's name in it does not open that tenant's records", async () => {
    const real = parseTenantKey(await deriveTenantKey(executorKey, "tenant_a"));
    const forged = `arcrun-tk1.tenant_b.${b64(real?.key ?? new Uint8Array())}`;
    const env = await sealEnvelope(forged, "gh", "x");
    await expect(openEnvelope(executorKey, "tenant_b", env)).rejects.toThrow();
  });

  it("reads a first-version record (the executor's key, bound to the name)", async () => {
    const raw = Uint8Array.from(atob(executorKey), (c) => c.charCodeAt(0));
    const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: legacyEnvelopeAad("gh") },
      key,
      new TextEncoder().encode("old-secret"),
    );
    const legacy = { name: "gh", encrypted: b64(new Uint8Array(ct)), iv: b64(iv) };
    expect(await openEnvelope(executorKey, "any_tenant", legacy)).toBe("old-secret");
  });
});

describe("recipe push proofs", () => {
  const req = {
    id: "acme_api",
    source: "id: acme_api\n",
    credential: "acme",
    confirm_hosts: ["api.acme.example", "127.0.0.1:8443"],
  };

  it("open for the same request, phase and tenant; the order of confirmed hosts does not matter", async () => {
    const key = await deriveTenantKey(executorKey, "t1");
    const proof = await sealRecipePush(key, "push", req);
    expect(await openRecipePush(executorKey, "t1", "push", { ...req, proof })).toBe(true);
    const reordered = { ...req, confirm_hosts: [...req.confirm_hosts].reverse(), proof };
    expect(await openRecipePush(executorKey, "t1", "push", reordered)).toBe(true);
  });

  it("do not open for another phase, tenant, source, credential, id or confirmed host", async () => {
    const proof = await sealRecipePush(await deriveTenantKey(executorKey, "t1"), "push", req);
    expect(await openRecipePush(executorKey, "t1", "check", { ...req, proof })).toBe(false);
    expect(await openRecipePush(executorKey, "t2", "push", { ...req, proof })).toBe(false);
    expect(await openRecipePush(executorKey, "t1", "push", { ...req, source: "id: x\n", proof })).toBe(false);
    expect(await openRecipePush(executorKey, "t1", "push", { ...req, credential: "other", proof })).toBe(
      false,
    );
    expect(await openRecipePush(executorKey, "t1", "push", { ...req, id: "acme_other", proof })).toBe(false);
    const wider = { ...req, confirm_hosts: [...req.confirm_hosts, "evil.example"], proof };
    expect(await openRecipePush(executorKey, "t1", "push", wider)).toBe(false);
    const garbage = { ...proof, iv: "not base64!" };
    expect(await openRecipePush(executorKey, "t1", "push", { ...req, proof: garbage })).toBe(false);
  });
});
