import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCatalog, type Recipe } from "@arcrun/recipes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// The release script's own functions: the test signs the way a release does, with a key pair made per run.
import { catalogueBytes, newKeyPair, signBytes } from "../../../../scripts/sign-catalogue.mjs";
import { run, runInPty, type Sandbox, sandbox } from "../helpers/cli.js";
import { notionStandIn, type StandIn } from "../helpers/notion-standin.js";

/** The slice of packages/broker-worker/test/support/worker.ts used here (outside this package's rootDir). */
interface BrokerSupport {
  bundleWorker(): Promise<{ scriptPath: string; dispose(): Promise<void> }>;
  startBroker(
    scriptPath: string,
    bindings: Record<string, string>,
  ): Promise<{
    url: string;
    mf: { getKVNamespace(name: string): Promise<{ put(key: string, value: ArrayBuffer): Promise<void> }> };
    dispose(): Promise<void>;
  }>;
  baseVars(services: string): Record<string, string>;
}

const HOST_MAP = fileURLToPath(new URL("../support/host-map.mjs", import.meta.url));
const BIND_GET = fileURLToPath(new URL("../fixtures/bind-get.mjs", import.meta.url));
const TOKEN = `secret_${"k".repeat(43)}`;
const DEMO_HOST = "api.catalogue-demo.example";
const MIRROR_HOST = "api.notion-mirror.example";

/** A node:http server serving whatever `files` holds at each path (404 otherwise), like a static host. */
async function fileServer(): Promise<{ origin: string; files: Map<string, Buffer>; close(): Promise<void> }> {
  const files = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const body = files.get(req.url ?? "");
    if (req.method !== "GET" || !body) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res
      .writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length })
      .end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    files,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** The built-in catalogue plus a new service, `catalogue_demo` (notion's auth on its own host). */
function catalogueWithDemo(extra: (r: Recipe) => Recipe = (r) => r): Recipe[] {
  const builtins = loadCatalog().map((r) => extra(structuredClone(r) as Recipe));
  const notion = builtins.find((r) => r.id === "notion");
  if (!notion) throw new Error("notion is not in the built-in catalogue");
  const demo: Recipe = {
    ...structuredClone(notion),
    id: "catalogue_demo",
    display_name: "Catalogue Demo",
    base_url: `https://${DEMO_HOST}/v1`,
    hosts: [DEMO_HOST],
  };
  return [...builtins, demo].sort((a, b) => a.id.localeCompare(b.id));
}

/** notion with one more host: an update that would send a stored notion token somewhere new. */
const widenNotion = (r: Recipe): Recipe =>
  r.id === "notion" ? { ...r, hosts: [...r.hosts, MIRROR_HOST] } : r;

describe("arcrun recipes update (real CLI, catalogue from a local HTTP server)", () => {
  let box: Sandbox;
  let server: Awaited<ReturnType<typeof fileServer>>;
  let notion: StandIn;
  let release: { privatePem: string; publicKey: string };
  let other: { privatePem: string; publicKey: string };
  let url: string;

  const publish = async (recipes: Recipe[], version: number, key = release.privatePem) => {
    const bytes = catalogueBytes(recipes, version);
    server.files.set("/catalogue.json", bytes);
    server.files.set("/catalogue.json.sig", Buffer.from(`${await signBytes(bytes, key)}\n`));
    return bytes;
  };
  const update = (...args: string[]) => run(["recipes", "update", "--from", url, ...args], box.env);
  const errorOf = (stderr: string) =>
    JSON.parse(stderr.trim().split("\n").pop() ?? "{}").error as { code: string; message: string };
  const installed = () =>
    readFile(join(box.home, "catalogue", "installed.json"), "utf8").catch(() => undefined);
  const notionHosts = async () =>
    (JSON.parse((await run(["recipe", "show", "notion", "--json"], box.env)).stdout) as Recipe).hosts;
  const bindGet = (service: string, path: string) =>
    new Promise<{ status?: number; error?: { code: string; message: string } }>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", HOST_MAP, BIND_GET, service, path], {
        env: { ...box.env, ARCRUN_CATALOGUE_DEMO_TOKEN: TOKEN },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      child.once("error", reject);
      child.once("close", () => {
        try {
          resolve(JSON.parse(out));
        } catch {
          reject(new Error(`bind-get printed no JSON: ${out} ${err}`));
        }
      });
    });

  beforeAll(async () => {
    [release, other] = await Promise.all([newKeyPair(), newKeyPair()]);
    server = await fileServer();
    notion = await notionStandIn(TOKEN);
    url = `${server.origin}/catalogue.json`;
    box = await sandbox();
    box.env.ARCRUN_CATALOGUE_TEST_ONLY_PUBLIC_KEY = release.publicKey;
    box.env.ARCRUN_STORE = "encrypted-file";
    box.env.ARCRUN_TEST_HOST_MAP = JSON.stringify({
      [DEMO_HOST]: notion.origin,
      "api.notion.com": notion.origin,
    });
  });
  afterAll(async () => {
    await box?.cleanup();
    await server?.close();
    await notion?.close();
  });

  it("a signed update installs, and bind() uses its new service", async () => {
    const before = await bindGet("catalogue_demo", "/users/me");
    expect(before.error?.code).toBe("ERR_UNKNOWN_SERVICE");

    await publish(catalogueWithDemo(), 10);
    const r = await update();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("TEST key");
    expect(r.stderr).toContain("+ catalogue_demo");
    expect(r.stderr).toContain("Installed catalogue version 10");

    const after = await bindGet("catalogue_demo", "/users/me");
    expect(after).toMatchObject({ status: 200 });
    const seen = notion.requests.at(-1);
    expect(seen?.headers["x-test-original-host"]).toBe(DEMO_HOST);
    expect(seen?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("a catalogue with one byte changed after signing is refused and nothing changes", async () => {
    const was = await installed();
    const bytes = await publish(catalogueWithDemo(), 11);
    const tampered = Buffer.from(bytes);
    const at = tampered.indexOf(DEMO_HOST);
    tampered[at] = "b".charCodeAt(0); // api. -> bpi.
    server.files.set("/catalogue.json", tampered);
    const r = await update("--json");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const e = errorOf(r.stderr);
    expect(e.code).toBe("ERR_CATALOGUE_SIGNATURE");
    expect(e.message).toContain("does not verify with arcrun's release key");
    expect(e.message).toContain("nothing was changed");
    expect(await installed()).toBe(was);
  });

  it("a catalogue signed with another key is refused", async () => {
    const was = await installed();
    await publish(catalogueWithDemo(), 12, other.privatePem);
    const r = await update("--json");
    expect(r.code).toBe(1);
    expect(errorOf(r.stderr).code).toBe("ERR_CATALOGUE_SIGNATURE");
    expect(await installed()).toBe(was);
  });

  it("an unsigned catalogue (no .sig) is refused", async () => {
    await publish(catalogueWithDemo(), 13);
    server.files.delete("/catalogue.json.sig");
    const r = await update();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("has no usable signature");
    expect(r.stderr).toContain("nothing was changed");
  });

  it("a correctly signed but older catalogue (a downgrade) is refused", async () => {
    const was = await installed();
    await publish(catalogueWithDemo(), 9);
    const r = await update("--json");
    expect(r.code).toBe(1);
    const e = errorOf(r.stderr);
    expect(e.code).toBe("ERR_CATALOGUE_DOWNGRADE");
    expect(e.message).toContain("version 9, older than the one in use (10)");
    expect(await installed()).toBe(was);
  });

  it("a host widening for a stored credential is held unattended, and applied once confirmed", async () => {
    const setup = await run(["setup", "notion", "--no-verify"], box.env, `${TOKEN}\n`);
    expect(setup.code, setup.stderr).toBe(0);
    await publish(catalogueWithDemo(widenNotion), 20);

    // No terminal, no --yes: notion keeps its recipe, the rest of the update applies, and it says so.
    const held = await update();
    expect(held.code, held.stderr).toBe(0);
    expect(held.stderr).toContain(
      `notion: kept its previous recipe: the new one would send your stored credential to ${MIRROR_HOST}`,
    );
    expect(await notionHosts()).toEqual(["api.notion.com"]);
    expect(JSON.parse((await installed()) ?? "{}").version).toBe(20);

    // --json without --yes is unattended too.
    const json = await update("--json");
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as {
      held: string[];
      changes: { service: string; status: string; new_hosts: string[] }[];
    };
    expect(doc.held).toEqual(["notion"]);
    expect(doc.changes.find((c) => c.service === "notion")).toMatchObject({
      status: "held",
      new_hosts: [MIRROR_HOST],
    });
    expect(await notionHosts()).toEqual(["api.notion.com"]);

    // At a terminal the difference is shown and asked; "n" keeps the old recipe.
    const no = await runInPty(["recipes", "update", "--from", url], box.env, [
      { waitFor: /Send the notion credential to .*\[y\/N\]/, send: "n\r" },
    ]);
    expect(no.code, no.output).toBe(0);
    expect(no.output).toContain("before: api.notion.com");
    expect(no.output).toContain(`new:    ${MIRROR_HOST}`);
    expect(await notionHosts()).toEqual(["api.notion.com"]);

    // "y" applies it.
    const yes = await runInPty(["recipes", "update", "--from", url], box.env, [
      { waitFor: /Send the notion credential to .*\[y\/N\]/, send: "y\r" },
    ]);
    expect(yes.code, yes.output).toBe(0);
    expect(await notionHosts()).toEqual(["api.notion.com", MIRROR_HOST]);
  });

  it("--yes confirms a widening without asking (unattended)", async () => {
    await publish(
      catalogueWithDemo((r) =>
        r.id === "notion"
          ? { ...widenNotion(r), hosts: ["api.notion.com", MIRROR_HOST, "api2.notion-mirror.example"] }
          : r,
      ),
      21,
    );
    const r = await update("--yes");
    expect(r.code, r.stderr).toBe(0);
    expect(await notionHosts()).toEqual(["api.notion.com", MIRROR_HOST, "api2.notion-mirror.example"]);
  });

  it("with ARCRUN_BROKER_URL and no --from, the broker's published catalogue (real Worker in workerd) is installed", async () => {
    // The real broker Worker, bundled and run by the broker package's test support. A computed specifier
    // keeps tsc from compiling it into this package.
    const supportPath = new URL("../../../broker-worker/test/support/worker.ts", import.meta.url).href;
    const { baseVars, bundleWorker, startBroker } = (await import(supportPath)) as BrokerSupport;
    const bundle = await bundleWorker();
    const broker = await startBroker(bundle.scriptPath, baseVars("google_drive"));
    try {
      const env = { ...box.env, ARCRUN_BROKER_URL: broker.url };
      const unpublished = await run(["recipes", "update", "--json"], env);
      expect(unpublished.code).toBe(1);
      expect(errorOf(unpublished.stderr)).toMatchObject({ code: "ERR_CATALOGUE_SOURCE" });
      expect(errorOf(unpublished.stderr).message).toContain("answered HTTP 404");

      const bytes = catalogueBytes(catalogueWithDemo(widenNotion), 30);
      const kv = await broker.mf.getKVNamespace("BROKER_KV");
      const view = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      await kv.put("catalogue:json", view(bytes));
      await kv.put("catalogue:sig", view(Buffer.from(await signBytes(bytes, release.privatePem))));
      const r = await run(["recipes", "update", "--json"], env);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { version: number; source: string };
      expect(doc).toMatchObject({ version: 30, source: `${broker.url}/catalogue.json` });
      expect(JSON.parse((await installed()) ?? "{}").version).toBe(30);
    } finally {
      await broker.dispose();
      await bundle.dispose();
    }
  });
});
