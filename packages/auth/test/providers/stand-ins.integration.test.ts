/**
 * The stand-ins refuse what their providers refuse. The conformance suite shows that the shipped recipes
 * pass; this file shows that the rules each profile cites are enforced at all, by sending the requests a
 * careless client would send (another loopback port, no PKCE, no User-Agent, the client in the wrong place)
 * to the real simulator servers. A stand-in that let them through would hide the bug it exists to catch.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { airtable } from "./profiles/airtable.js";
import { asana } from "./profiles/asana.js";
import { bitbucket } from "./profiles/bitbucket.js";
import { calendly } from "./profiles/calendly.js";
import { discord } from "./profiles/discord.js";
import { docusignDemo } from "./profiles/docusign.js";
import { mailchimpOAuth } from "./profiles/mailchimp.js";
import { slackOAuth } from "./profiles/slack.js";
import { todoist } from "./profiles/todoist.js";
import { wrikeOAuth } from "./profiles/wrike.js";
import { type OAuthProfile, type Simulator, startSimulator } from "./simulator.js";

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const pkce = () => {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
};

/** GET the profile's authorization URL with these parameters (client_id and response_type added). */
async function authorize(profile: OAuthProfile, params: Record<string, string>): Promise<Response> {
  sim = await startSimulator(profile);
  const key = Object.keys(profile.routes).find((k) => k.startsWith("GET ")) ?? "";
  const url = new URL(key.slice(4));
  url.searchParams.set("client_id", sim.state.clientId);
  url.searchParams.set("response_type", "code");
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return sim.fetch(url.toString(), { redirect: "manual" });
}

describe("redirect URIs: only the registered one", () => {
  const { challenge } = pkce();
  const withPkce = { code_challenge: challenge, code_challenge_method: "S256" };

  it.each([
    ["slack, another port", slackOAuth, "http://localhost:9999/callback", { user_scope: "chat:write" }],
    ["slack, 127.0.0.1 for localhost", slackOAuth, "http://127.0.0.1:8970/callback", {}],
    ["todoist, another URL", todoist, "http://127.0.0.1:8985/callback", {}],
    ["airtable, another port", airtable, "http://localhost:8976/callback", withPkce],
    ["asana, 127.0.0.1 for localhost", asana, "http://127.0.0.1:8969/callback", {}],
    ["discord, another path", discord, "http://localhost:8971/cb", {}],
    ["calendly, another port", calendly, "http://localhost:1234/callback", withPkce],
    ["bitbucket, another port", bitbucket, "http://localhost:8974/callback", {}],
    ["bitbucket, a sibling path", bitbucket, "http://localhost:8973/callbackx", {}],
    ["mailchimp, localhost for 127.0.0.1", mailchimpOAuth, "http://localhost:9012/callback", {}],
    ["wrike, another port", wrikeOAuth, "http://localhost:9999/callback", {}],
    ["docusign, another port", docusignDemo, "http://localhost:9999/callback", withPkce],
  ] as const)("%s is refused without a redirect", async (_t, profile, redirect, extra) => {
    const res = await authorize(profile, {
      ...(profile === slackOAuth ? withPkce : {}),
      ...extra,
      redirect_uri: redirect,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });

  it.each([
    ["slack, a subdirectory of the registered URL", slackOAuth, "http://localhost:8970/callback/x"],
    ["bitbucket, a path appended to the registered URL", bitbucket, "http://localhost:8973/callback/x"],
  ] as const)("%s is allowed", async (_t, profile, redirect) => {
    const res = await authorize(profile, {
      ...(profile === slackOAuth ? { ...withPkce, user_scope: "chat:write" } : {}),
      redirect_uri: redirect,
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")?.startsWith(`${redirect}?code=`)).toBe(true);
  });

  it("todoist sends a request without redirect_uri back to the configured URL", async () => {
    const res = await authorize(todoist, { scope: "data:read" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^http:\/\/localhost:8985\/callback\?code=/);
  });
});

describe("PKCE where the provider requires it", () => {
  it.each([
    ["airtable", airtable, "http://localhost:8975/callback"],
    ["calendly", calendly, "http://localhost:8972/callback"],
  ] as const)("%s refuses an authorization request without code_challenge S256", async (_t, profile, uri) => {
    const { challenge } = pkce();
    expect((await authorize(profile, { redirect_uri: uri, scope: "a" })).status).toBe(400);
    await sim?.close();
    const plain = await authorize(profile, {
      redirect_uri: uri,
      code_challenge: challenge,
      code_challenge_method: "plain",
    });
    expect(plain.status).toBe(400);
  });
});

describe("Discord's User-Agent rule", () => {
  it("the API, the token URL and the revocation URL refuse a request without DiscordBot ($url, $version)", async () => {
    sim = await startSimulator(discord);
    const basic = Buffer.from(`${sim.state.clientId}:${sim.state.clientSecret}`).toString("base64");
    const form = { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` };
    const me = await sim.fetch("https://discord.com/api/v10/users/@me", {
      headers: { authorization: "Bearer x", "user-agent": "arcrun/0.1.0" },
    });
    expect(me.status).toBe(403);
    expect(me.headers.get("content-type")).toContain("text/html");
    const token = await sim.fetch("https://discord.com/api/oauth2/token", {
      method: "POST",
      headers: { ...form, "user-agent": "node" },
      body: "grant_type=refresh_token&refresh_token=x",
    });
    expect(token.status).toBe(403);
    const revoke = await sim.fetch("https://discord.com/api/oauth2/token/revoke", {
      method: "POST",
      headers: form,
      body: "token=x",
    });
    expect(revoke.status).toBe(400);
    // With the header, a bad token is the API's own 401.
    const withAgent = await sim.fetch("https://discord.com/api/v10/users/@me", {
      headers: { authorization: "Bearer x", "user-agent": "DiscordBot (https://example.com, 1.0)" },
    });
    expect(withAgent.status).toBe(401);
    expect(await withAgent.json()).toEqual({ message: "401: Unauthorized", code: 0 });
  });

  it("the token URL refuses JSON", async () => {
    sim = await startSimulator(discord);
    const res = await sim.fetch("https://discord.com/api/oauth2/token", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "DiscordBot (https://example.com, 1.0)",
      },
      body: JSON.stringify({
        grant_type: "refresh_token",
        refresh_token: "x",
        client_id: sim.state.clientId,
        client_secret: sim.state.clientSecret,
      }),
    });
    expect(res.status).toBe(400);
  });
});

describe("client authentication where the provider puts it", () => {
  it("calendly's token URL wants Basic, its revoke URL the client in the form body", async () => {
    sim = await startSimulator(calendly);
    const { clientId, clientSecret } = sim.state;
    const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const tokenByBody = await sim.fetch("https://auth.calendly.com/oauth/token", {
      method: "POST",
      headers: form,
      body: new URLSearchParams({
        grant_type: "refresh_token",
        refresh_token: "x",
        client_id: clientId,
        client_secret: clientSecret,
      }).toString(),
    });
    expect(tokenByBody.status).toBe(401);
    const revokeByBasic = await sim.fetch("https://auth.calendly.com/oauth/revoke", {
      method: "POST",
      headers: { ...form, authorization: basic },
      body: "token=x",
    });
    expect(revokeByBasic.status).toBe(401);
  });
});
