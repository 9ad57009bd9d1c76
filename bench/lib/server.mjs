// A keep-alive HTTP/1.1 server on 127.0.0.1 for the benchmarks, run in its own process so that its CPU
// time is not charged to the client being measured. Prints {"port"} on stdout, exits when stdin closes.
import { createServer } from "node:http";

const body = Buffer.from('{"ok":true,"object":"user","id":"bench"}');
let requests = 0;

const server = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
  if (req.url === "/stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ requests }));
    return;
  }
  requests++;
  req.resume();
  const authorized = typeof req.headers.authorization === "string";
  res.writeHead(authorized ? 200 : 401, {
    "content-type": "application/json",
    "content-length": String(body.length),
  });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === "object" && address ? address.port : 0 })}\n`,
  );
});
process.stdin.resume();
process.stdin.on("end", () => server.close(() => process.exit(0)));
process.on("SIGTERM", () => process.exit(0));
