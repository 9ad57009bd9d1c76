import { afterEach, describe, expect, it } from "vitest";
import { isArcrunError, OAuthError } from "../../src/errors.js";
import {
  type DeviceAuthorization,
  pollDeviceToken,
  requestDeviceAuthorization,
} from "../../src/internal/oauth/device.js";
import { localServer, type Reply } from "./local-server.js";

const flow = { service: "svc", instance: "default" };
const client = { clientId: "cid", authMethod: "none" as const };
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A token endpoint answering from a script of replies (local server), with a recording sleep. */
async function poll(script: Reply[], auth: Partial<DeviceAuthorization> = {}) {
  const srv = await localServer((_req, n) => script[Math.min(n, script.length) - 1] as Reply);
  close = srv.close;
  const waits: number[] = [];
  let clock = 0;
  const result = pollDeviceToken(flow, {
    url: `${srv.url}/token`,
    client,
    bodyFormat: "form",
    tokenParams: {},
    authorization: {
      device_code: "dc",
      user_code: "UC",
      verification_uri: "https://x",
      expires_in: 600,
      interval: 5,
      ...auth,
    },
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    now: () => clock,
  });
  return { result, waits, seen: srv.seen };
}

const pending: Reply = { status: 400, json: { error: "authorization_pending" } };
const ok: Reply = { status: 200, json: { access_token: "at", token_type: "Bearer", expires_in: 3600 } };

describe("RFC 8628 device authorization grant: what the client owns", () => {
  it("RFC 8628 3.4: polls with grant_type device_code and the device_code", async () => {
    const { result, seen } = await poll([pending, ok]);
    await expect(result).resolves.toMatchObject({ access_token: "at" });
    const body = new URLSearchParams(seen[0]?.body);
    expect(body.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:device_code");
    expect(body.get("device_code")).toBe("dc");
    expect(body.get("client_id")).toBe("cid");
  });

  it("RFC 8628 3.5: authorization_pending: keeps polling at the interval", async () => {
    const { result, waits } = await poll([pending, pending, ok], { interval: 7 });
    await result;
    expect(waits).toEqual([7000, 7000, 7000]);
  });

  it("RFC 8628 3.5: slow_down honoured: the interval grows by 5 s for this and every later poll", async () => {
    const { result, waits } = await poll([
      pending,
      { status: 400, json: { error: "slow_down" } },
      pending,
      ok,
    ]);
    await result;
    expect(waits).toEqual([5000, 5000, 10000, 10000]);
  });

  it("RFC 8628 3.2: interval defaults to 5 s when the server gives none", async () => {
    const srv = await localServer(() => ({
      status: 200,
      json: { device_code: "d", user_code: "U", verification_uri: "https://v", expires_in: 300 },
    }));
    close = srv.close;
    const a = await requestDeviceAuthorization(flow, {
      url: srv.url,
      client,
      bodyFormat: "form",
      params: { scope: "a b" },
    });
    expect(a.interval).toBe(5);
    expect(new URLSearchParams(srv.seen[0]?.body).get("scope")).toBe("a b");
  });

  it("RFC 8628 3.5: access_denied stops polling with ERR_ACCESS_DENIED", async () => {
    const { result, seen } = await poll([pending, { status: 400, json: { error: "access_denied" } }, ok]);
    const err = await result.catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_ACCESS_DENIED")).toBe(true);
    expect((err as Error).message).toContain("arcrun setup svc --device");
    expect(seen).toHaveLength(2);
  });

  it("RFC 8628 3.5: expired_token stops polling with ERR_DEVICE_CODE_EXPIRED", async () => {
    const { result } = await poll([{ status: 400, json: { error: "expired_token" } }]);
    const err = await result.catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_DEVICE_CODE_EXPIRED")).toBe(true);
  });

  it("RFC 8628 3.5: stops at the device code's own expiry without asking again", async () => {
    const { result, seen } = await poll([pending], { expires_in: 12, interval: 5 });
    const err = await result.catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_DEVICE_CODE_EXPIRED")).toBe(true);
    expect(seen).toHaveLength(2);
  });

  it("RFC 8628 3.5: a server error backs off (exponentially) instead of failing", async () => {
    const { result, waits } = await poll([{ status: 503, text: "busy" }, { status: 503, text: "busy" }, ok]);
    await expect(result).resolves.toMatchObject({ access_token: "at" });
    expect(waits).toEqual([5000, 10000, 15000]);
  });

  it("any other error is the provider's, kept as an OAuthError", async () => {
    const { result } = await poll([
      { status: 400, json: { error: "invalid_client", error_description: "nope" } },
    ]);
    const err = await result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthError);
    expect((err as OAuthError).error).toBe("invalid_client");
  });
});
