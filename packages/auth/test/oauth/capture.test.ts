import { describe, expect, it } from "vitest";
import { isArcrunError } from "../../src/errors.js";
import { readCaptures, valueAt } from "../../src/internal/oauth/capture.js";
import { OAUTH_CLIENT_ENTRY, storedClient } from "../../src/internal/oauth/client-config.js";
import { MemoryStore } from "../../src/stores/memory.js";

const flow = { service: "jira", instance: "default" };
const cloud = { cloud_id: { from: "lookup" as const, path: "0.id", pattern: "[0-9a-f-]{36}" } };
const ID = "1324a887-45db-1bf4-1e99-ef0ff456d421";

describe("oauth2.capture", () => {
  it("valueAt follows objects and array indexes; numbers become text; anything else is missing", () => {
    expect(valueAt([{ id: ID }], "0.id")).toBe(ID);
    expect(valueAt({ team: { id: "T1" } }, "team.id")).toBe("T1");
    expect(valueAt({ n: 42 }, "n")).toBe("42");
    expect(valueAt({ team: { id: { x: 1 } } }, "team.id")).toBeUndefined();
    expect(valueAt({ team: "T1" }, "team.id")).toBeUndefined();
    expect(valueAt([], "0.id")).toBeUndefined();
    expect(valueAt({ a: "" }, "a")).toBeUndefined();
  });

  it("at login a value outside its pattern fails, naming the capture and the pattern, never the value", () => {
    const err = (() => {
      try {
        readCaptures(cloud, "lookup", [{ id: "x.evil.example" }], flow, true);
      } catch (e) {
        return e;
      }
    })();
    expect(isArcrunError(err, "ERR_OAUTH")).toBe(true);
    expect((err as Error).message).toContain('"cloud_id" (pattern [0-9a-f-]{36})');
    expect((err as Error).message).toContain("arcrun setup jira");
    expect((err as Error).message).not.toContain("evil");
  });

  it("on a refresh a missing or malformed value is left out (the stored one is kept), and only its source is read", () => {
    expect(readCaptures(cloud, "lookup", [{ id: "bad" }], flow, false)).toEqual({});
    expect(readCaptures(cloud, "token", [{ id: ID }], flow, true)).toEqual({});
    expect(readCaptures(cloud, "lookup", [{ id: ID }], flow, true)).toEqual({ cloud_id: ID });
  });
});

describe("the OAuth client arcrun setup keeps in the store", () => {
  it("is read from the reserved entry of the service: with a secret a confidential client, without one public", async () => {
    const store = new MemoryStore();
    expect(await storedClient(store, "zoom", "client_secret_basic")).toBeUndefined();
    const entry = (values: Record<string, string>) => ({
      v: 1 as const,
      type: "static_key" as const,
      values,
      created_at: "2026-01-01T00:00:00.000Z",
      updated_at: "2026-01-01T00:00:00.000Z",
    });
    await store.set(OAUTH_CLIENT_ENTRY, "zoom", entry({ client_id: "id", client_secret: "s" }));
    expect(await storedClient(store, "zoom", "client_secret_basic")).toEqual({
      clientId: "id",
      clientSecret: "s",
      authMethod: "client_secret_basic",
    });
    await store.set(OAUTH_CLIENT_ENTRY, "linear", entry({ client_id: "pub" }));
    expect(await storedClient(store, "linear", "client_secret_post")).toEqual({
      clientId: "pub",
      authMethod: "none",
    });
    expect(await storedClient(store, "monday", "client_secret_post")).toBeUndefined();
  });
});
