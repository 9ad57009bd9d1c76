import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  method: string;
  path: string;
  host: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface ApiServer {
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

type Handler = (
  req: SeenRequest,
) => Promise<{ status?: number; json?: unknown; text?: string; delayMs?: number }>;

/** A real HTTP server on 127.0.0.1 that records every request and answers through `handle`. */
export async function startApiServer(handle: Handler): Promise<ApiServer> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: SeenRequest = {
        method: req.method ?? "GET",
        path: req.url ?? "/",
        host: req.headers.host ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      seen.push(r);
      handle(r)
        .then(async (out) => {
          if (out.delayMs) await new Promise((resolve) => setTimeout(resolve, out.delayMs));
          if (res.destroyed) return;
          if (out.json !== undefined) {
            res.writeHead(out.status ?? 200, { "content-type": "application/json" });
            res.end(JSON.stringify(out.json));
          } else {
            res.writeHead(out.status ?? 200, { "content-type": "text/plain" });
            res.end(out.text ?? "");
          }
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
