/**
 * RFC 6750 section 3.1 step-up: a resource answers 403 with `WWW-Authenticate: Bearer
 * error="insufficient_scope", scope="..."`. Unattended, the call fails with ERR_NEEDS_LOGIN naming the
 * scope; at a terminal, consent is asked once for the login's scopes plus the named ones, and the call is
 * retried with the new token. The resource here is a simulator of a generic RFC 6750 server (no provider
 * in the catalogue documents step-up challenges yet), reached by a user recipe through the test dispatcher.
 */
import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
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
  type Route,
  type Simulator,
  startSimulator,
} from "./simulator.js";

/** A resource that needs `scope`: RFC 6750 section 3.1 insufficient_scope when the grant lacks it. */
const needs =
  (scope: string): Route =>
  (req, sim) => {
    const grant = sim.live(bearerOf(req));
    if (!grant) return json(401, {}, { "www-authenticate": 'Bearer error="invalid_token"' });
    if (!grant.scopes.includes(scope)) {
      return json(
        403,
        { error: "insufficient_scope" },
        { "www-authenticate": `Bearer error="insufficient_scope", scope="${scope}"` },
      );
    }
    return json(200, { scope: grant.scopes.join(" ") });
  };

const profile: OAuthProfile = {
  kind: "oauth2",
  recipe: "stepup_api",
  docs: ["https://www.rfc-editor.org/rfc/rfc6750#section-3.1"],
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
    "GET https://api.example.test/me": needs("read"),
    "GET https://api.example.test/mail": needs("mail.read"),
    "GET https://api.example.test/admin": needs("admin"),
  },
};

let sim: Simulator;
let home: TestHome;

beforeAll(async () => {
  sim = await startSimulator(profile);
  home = await makeHome();
  await home.writeRecipe({
    id: "stepup_api",
    display_name: "Step-up API",
    docs_url: "https://www.rfc-editor.org/rfc/rfc6750",
    primitive: "oauth2",
    base_url: "https://api.example.test",
    hosts: ["api.example.test"],
    oauth2: {
      authorize_url: "https://as.example.test/authorize",
      token_url: "https://as.example.test/token",
      scopes: ["read"],
      client: "byo",
    },
    inject: { header: { Authorization: "Bearer {{runtime.access_token}}" } },
  });
  home.env.ARCRUN_STEPUP_API_CLIENT_ID = sim.state.clientId;
  home.env.ARCRUN_STEPUP_API_CLIENT_SECRET = sim.state.clientSecret;
  const auth = createAuth({ env: home.env, interactive: false, dispatcher: sim.dispatcher });
  await auth.login("stepup_api", {
    output: sink(),
    openUrl: async (url) => {
      const res = await sim.fetch(url, { redirect: "manual" });
      await fetch(res.headers.get("location") ?? "");
    },
  });
});

afterAll(async () => {
  await sim?.close();
  await home?.cleanup();
});

describe("403 insufficient_scope (RFC 6750 section 3.1)", () => {
  it("unattended: ERR_NEEDS_LOGIN naming the scope, and nothing is asked", async () => {
    const auth = createAuth({ env: home.env, interactive: false, dispatcher: sim.dispatcher });
    expect((await auth.bind("stepup_api").get("/me")).status).toBe(200);
    const err = await auth
      .bind("stepup_api")
      .get("/mail")
      .catch((e: unknown) => e);
    expect(isArcrunError(err, "ERR_NEEDS_LOGIN")).toBe(true);
    expect((err as Error).message).toBe(
      "Step-up API (stepup_api) refused the request for lack of the scope mail.read (403 insufficient_scope); run: arcrun setup stepup_api --scopes mail.read",
    );
  });

  it("at a terminal: one consent for the granted scopes plus the named one, then the call goes through", async () => {
    const urls = join(home.dir, "stepup-urls.txt");
    const script = join(home.dir, "stepup-browser.sh");
    await writeFile(script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${urls}'\n`);
    await chmod(script, 0o755);
    const auth = createAuth({
      env: { ...home.env, BROWSER: script },
      interactive: true,
      dispatcher: sim.dispatcher,
    });
    const consent = async (n: number) => {
      let lines: string[] = [];
      await expect
        .poll(
          async () => {
            lines = (await readFile(urls, "utf8").catch(() => "")).split("\n").filter((l) => l !== "");
            return lines.length;
          },
          { timeout: 20_000 },
        )
        .toBe(n);
      const url = lines[n - 1] ?? "";
      const res = await sim.fetch(url, { redirect: "manual" });
      await fetch(res.headers.get("location") ?? "");
      return new URL(url);
    };

    const call = auth.bind("stepup_api").get("/mail");
    const url = await consent(1);
    expect(url.searchParams.get("scope")?.split(" ").sort()).toEqual(["mail.read", "read"]);
    const res = await call;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { scope: string }).scope.split(" ").sort()).toEqual(["mail.read", "read"]);

    // The user unticks the scope on the consent screen: the resource still refuses and its 403 comes back
    // after one consent; the scope left out is recorded and shown by `arcrun status`.
    sim.state.withheld.add("admin");
    const admin = auth.bind("stepup_api").get("/admin");
    const second = await consent(2);
    expect(second.searchParams.get("scope")?.split(" ").sort()).toEqual(["admin", "mail.read", "read"]);
    expect((await admin).status).toBe(403);
    const lines = (await readFile(urls, "utf8")).split("\n").filter((l) => l !== "");
    expect(lines.length).toBe(2);
    const status = await auth.status("stepup_api");
    expect(status.instances[0]?.scopesMissing).toEqual(["admin"]);
    // What was granted still works.
    expect((await auth.bind("stepup_api").get("/mail")).status).toBe(200);
    await auth.close();
  });
});
