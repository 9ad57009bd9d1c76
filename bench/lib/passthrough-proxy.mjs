// The baseline of the proxy figure: the least a local HTTP proxy in its own process can do. node:http in,
// undici.request on a keep-alive Agent out (the same undici copy arcrun-auth uses), the path after the first
// segment appended to UPSTREAM, one fixed Authorization header added, the answer written back. No token
// check, no recipe, no credential logic: what it costs is the second process and the second loopback hop,
// which any proxy pays. Prints {"port"} on stdout, exits when stdin closes.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const upstream = process.env.UPSTREAM ?? "";
const authorization = process.env.UPSTREAM_AUTHORIZATION ?? "";
const authDir = process.env.ARCRUN_AUTH_DIR ?? "";
const undici = await import(
  pathToFileURL(createRequire(join(authDir, "package.json")).resolve("undici")).href
);
const agent = new undici.Agent({ keepAliveTimeout: 30_000 });
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "authorization"]);

const server = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
  const raw = req.url ?? "/";
  const path = raw.slice(raw.indexOf("/", 1));
  const headers = { authorization };
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && v !== undefined) headers[k] = v;
  undici
    .request(`${upstream}${path}`, {
      method: req.method,
      headers,
      body: req.method === "GET" || req.method === "HEAD" ? undefined : req,
      dispatcher: agent,
    })
    .then(
      async (answer) => {
        const out = {};
        for (const [k, v] of Object.entries(answer.headers)) if (!HOP.has(k)) out[k] = v;
        res.writeHead(answer.statusCode, out);
        res.end(Buffer.from(await answer.body.arrayBuffer()));
      },
      (err) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(String(err));
      },
    );
  if (req.method === "GET" || req.method === "HEAD") req.resume();
});
server.keepAliveTimeout = 60_000;

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 })}\n`,
  );
});
process.stdin.resume();
process.stdin.on("end", () => server.close(() => process.exit(0)));
process.on("SIGTERM", () => process.exit(0));
