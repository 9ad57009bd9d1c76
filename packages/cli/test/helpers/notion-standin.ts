import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandIn {
  origin: string;
  /** Every request the stand-in saw: method, path and headers. */
  requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/**
 * A local stand-in for the Notion API's `GET /v1/users/me`: 200 with a bot user for `Bearer <token>` and
 * a Notion-Version header, 401 with Notion's error body otherwise (https://developers.notion.com/reference/status-codes).
 */
export async function notionStandIn(token: string): Promise<StandIn> {
  const requests: StandIn["requests"] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.url === "/v1/search" && req.method === "POST") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        // "All requests must include the Notion-Version header" (developers.notion.com/reference/versioning);
        // without it: 400 missing_version (developers.notion.com/reference/status-codes).
        if (!req.headers["notion-version"])
          return send(400, {
            object: "error",
            status: 400,
            code: "missing_version",
            message: "Notion-Version header failed validation.",
          });
        if (req.headers.authorization !== `Bearer ${token}`)
          return send(401, {
            object: "error",
            status: 401,
            code: "unauthorized",
            message: "API token is invalid.",
          });
        let query: unknown;
        try {
          query = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { query?: unknown }).query;
        } catch {
          return send(400, {
            object: "error",
            status: 400,
            code: "invalid_json",
            message: "Error parsing JSON body.",
          });
        }
        return send(200, { object: "list", results: [], next_cursor: null, has_more: false, query });
      });
      return;
    }
    req.resume();
    if (req.url !== "/v1/users/me" || req.method !== "GET")
      return send(404, { object: "error", status: 404, code: "object_not_found", message: "Not found." });
    if (req.headers.authorization !== `Bearer ${token}` || !req.headers["notion-version"])
      return send(401, {
        object: "error",
        status: 401,
        code: "unauthorized",
        message: "API token is invalid.",
      });
    return send(200, { object: "user", id: "bot-1", type: "bot", name: "arcrun test" });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
