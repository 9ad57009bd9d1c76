/**
 * The oauth2 block's `refresh_on_status` (docs/recipes.md): a provider that answers an expired or revoked
 * access token with a plain 403 (Figma, developers.figma.com/docs/rest-api/errors/) gets one refresh and one
 * retry when the recipe lists 403; without the field only a 401 does. A 403 carrying a Bearer
 * `insufficient_scope` challenge (RFC 6750 section 3.1) stays step-up and never causes a refresh.
 *
 * The provider here is made up (as.example.test, api.example.test): a plain RFC 6749 server with a loopback
 * redirect on any port (RFC 8252 section 7.3) whose resource answers a dead token with a bare 403. That one
 * answer is the behaviour Figma documents; nothing else here stands for Figma, whose own rules are in
 * profiles/figma.ts. It is reached by user recipes through the test dispatcher.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, isArcrunError } from "../../src/index.js";
import { makeHome, type TestHome } from "../support/home.js";
import { sink } from "../support/streams.js";
import { json, tokenRoute } from "./kit.js";
import {
  authorizeRoute,
  bearerOf,
  loopback,
  type OAuthProfile,
  params,
  type Route,
  type Simulator,
  startSimulator,
} from "./simulator.js";

/** A token the resource no longer accepts gets a plain 403 (no challenge), as Figma answers it. */
const resource =
  (scope: string): Route =>
  (req, sim) => {
    const grant = sim.live(bearerOf(req));
    if (!grant) return json(403, { status: 403, err: "Invalid token" });
    if (!grant.scopes.includes(scope)) {
      return json(
        403,
        { error: "insufficient_scope" },
        { "www-authenticate": `Bearer error="insufficient_scope", scope="${scope}"` },
      );
    }
    return json(200, { ok: true });
  };

const profile: OAuthProfile = {
  kind: "oauth2",
  recipe: "forbid_api",
  // A made-up provider: the RFCs it follows, not a real provider's pages.
  docs: ["https://www.rfc-editor.org/rfc/rfc6749", "https://www.rfc-editor.org/rfc/rfc6750#section-3.1"],
  clientSecret: true,
  refreshes: true,
  revokes: false,
  routes: {
    "GET https://as.example.test/authorize": authorizeRoute({
      redirectAllowed: (u) => loopback(u) !== undefined,
    }),
    "POST https://as.example.test/token": tokenRoute({
      clientAuth: "post",
      body: "form",
      expiresIn: 3600,
      refreshToken: "reusable",
      scopeEcho: (granted) => granted.join(" "),
    }),
    "GET https://api.example.test/me": resource("read"),
    "GET https://api.example.test/mail": resource("mail.read"),
  },
};

let sim: Simulator;
let home: TestHome;

const refreshes = () =>
  sim.state.seen.filter((r) => r.url.pathname === "/token" && params(r).grant_type === "refresh_token")
    .length;

async function recipe(id: string, refreshOnStatus?: number[]): Promise<void> {
  await home.writeRecipe({
    id,
    display_name: `Forbid API (${id})`,
    docs_url: "https://www.rfc-editor.org/rfc/rfc6750",
    primitive: "oauth2",
    base_url: "https://api.example.test",
    hosts: ["api.example.test"],
    oauth2: {
      authorize_url: "https://as.example.test/authorize",
      token_url: "https://as.example.test/token",
      scopes: ["read"],
      client: "byo",
      ...(refreshOnStatus ? { refresh_on_status: refreshOnStatus } : {}),
    },
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
  });
  home.env[`ARCRUN_${id.toUpperCase()}_CLIENT_ID`] = sim.state.clientId;
  home.env[`ARCRUN_${id.toUpperCase()}_CLIENT_SECRET`] = sim.state.clientSecret;
  const auth = createAuth({ env: home.env, interactive: false, dispatcher: sim.dispatcher });
  await auth.login(id, {
    output: sink(),
    openUrl: async (url) => {
      const res = await sim.fetch(url, { redirect: "manual" });
      await fetch(res.headers.get("location") ?? "");
    },
  });
  await auth.close();
}

beforeAll(async () => {
  sim = await startSimulator(profile);
  home = await makeHome();
  await recipe("forbid_api", [401, 403]);
  await recipe("forbid_default");
});

afterAll(async () => {
  await sim?.close();
  await home?.cleanup();
});

describe("refresh_on_status", () => {
  it("[401, 403]: a plain 403 for an expired token leads to one refresh and a retry that passes", async () => {
    const auth = createAuth({ env: home.env, interactive: false, dispatcher: sim.dispatcher });
    expect((await auth.bind("forbid_api").get("/me")).status).toBe(200);
    const before = refreshes();
    sim.state.expireAccessTokens();
    expect((await auth.bind("forbid_api").get("/me")).status).toBe(200);
    expect(refreshes()).toBe(before + 1);
    await auth.close();
  });

  it("[401, 403]: a revoked grant ends in ERR_REAUTH_REQUIRED after the one refresh", async () => {
    const auth = createAuth({ env: home.env, interactive: false, dispatcher: sim.dispatcher });
    const before = refreshes();
    const grants = sim.state.grants.length;
    sim.state.revokeGrants();
    sim.state.expireAccessTokens();
    const err = await auth
      .bind("forbid_api")
      .get("/me")
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_REAUTH_REQUIRED")).toBe(true);
    expect(refreshes()).toBe(before + 1);
    expect(sim.state.grants.length).toBe(grants);
    await auth.close();
    // Sign in again for the tests that follow.
    await recipe("forbid_api", [401, 403]);
    await recipe("forbid_default");
  });

  it("[401, 403]: a 403 insufficient_scope challenge is step-up, not a refresh", async () => {
    const auth = createAuth({ env: home.env, interactive: false, dispatcher: sim.dispatcher });
    const before = refreshes();
    const err = await auth
      .bind("forbid_api")
      .get("/mail")
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_NEEDS_LOGIN")).toBe(true);
    expect((err as Error).message).toContain("mail.read");
    expect(refreshes()).toBe(before);
    await auth.close();
  });

  it("default [401]: a plain 403 comes back as it is, without a refresh", async () => {
    const auth = createAuth({ env: home.env, interactive: false, dispatcher: sim.dispatcher });
    expect((await auth.bind("forbid_default").get("/me")).status).toBe(200);
    const before = refreshes();
    sim.state.expireAccessTokens();
    const res = await auth.bind("forbid_default").get("/me");
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ status: 403, err: "Invalid token" });
    expect(refreshes()).toBe(before);
    await auth.close();
  });
});
