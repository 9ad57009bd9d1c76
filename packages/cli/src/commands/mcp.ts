import type { CommandSpec, Parsed } from "../internal/args.js";
import type { Context } from "../internal/context.js";
import { EXIT_OK } from "../internal/errors.js";
import { invocation, withInvocation } from "../internal/invocation.js";
import {
  type HttpRequestArgs,
  httpRequest,
  listServices,
  Refused,
  serviceStatus,
  type ToolContext,
} from "../internal/mcp-tools.js";

export const spec: CommandSpec = {
  name: "mcp",
  summary:
    "An MCP server over stdio for AI agents: list services, a service's status, and HTTP requests through a\n" +
    "bound client (GET and HEAD only unless config.yaml allows more). It never returns a secret or a token.",
  positionals: [],
  options: {},
  details: [
    'Register it with an MCP client, e.g. { "command": "npx", "args": ["arcrun", "mcp"] }.',
    "Allow writes per service in $ARCRUN_HOME/config.yaml:  mcp: { allow: { github: [GET, POST] } }",
    "Docs: docs/agents.md",
  ].join("\n"),
};

const TOOLS = [
  {
    name: "list_services",
    description:
      "Every service arcrun knows: id, auth kind, whether it is connected, and the command a person runs to connect it.",
    inputSchema: { type: "object" as const, properties: {} },
  },
  {
    name: "service_status",
    description:
      "One service: base URL, the hosts requests may go to, connected instances, token expiry and scopes, and the HTTP methods allowed.",
    inputSchema: {
      type: "object" as const,
      properties: {
        service: { type: "string", description: "A service id from list_services, e.g. github" },
      },
      required: ["service"],
    },
  },
  {
    name: "http_request",
    description:
      "An authenticated HTTP request to a connected service, with its stored credential (never shown). `path` is relative to the service's base URL, or a full URL on one of its hosts. Only GET and HEAD unless the user allowed more in config.yaml.",
    inputSchema: {
      type: "object" as const,
      properties: {
        service: { type: "string" },
        instance: { type: "string", description: 'Which account (default "default")' },
        method: { type: "string", enum: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] },
        path: { type: "string", description: "e.g. /user, or https://api.github.com/user" },
        query: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } },
        json: { description: "A JSON request body" },
        headers: { type: "object", additionalProperties: { type: "string" } },
      },
      required: ["service", "path"],
    },
  },
];

function text(value: unknown, isError = false) {
  return {
    content: [
      { type: "text" as const, text: typeof value === "string" ? value : JSON.stringify(value, null, 2) },
    ],
    ...(isError ? { isError: true } : {}),
  };
}

export async function run(ctx: Context, _args: Parsed): Promise<number> {
  // The SDK loads only for this command.
  const [{ Server }, { StdioServerTransport }, types] = await Promise.all([
    import("@modelcontextprotocol/sdk/server/index.js"),
    import("@modelcontextprotocol/sdk/server/stdio.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]);
  const tools: ToolContext = { api: await ctx.api(), cli: invocation(process.argv[1], ctx.ui.env) };
  const server = new Server({ name: "arcrun", version: "0.1.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(types.ListToolsRequestSchema, async () => ({ tools: TOOLS }));
  server.setRequestHandler(types.CallToolRequestSchema, async (request) => {
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    try {
      switch (request.params.name) {
        case "list_services":
          return text(await listServices(tools));
        case "service_status":
          return text(await serviceStatus(tools, String(args.service ?? "")));
        case "http_request":
          return text(await httpRequest(tools, args as unknown as HttpRequestArgs));
        default:
          return text(
            `unknown tool ${request.params.name}; the tools are ${TOOLS.map((t) => t.name).join(", ")}`,
            true,
          );
      }
    } catch (err) {
      if (err instanceof Refused) return text(err.message, true);
      // arcrun-auth's errors name the next step and never hold a secret.
      const code = err && typeof err === "object" && "code" in err ? String(err.code) : "ERR_UNEXPECTED";
      const message = withInvocation(err instanceof Error ? err.message : String(err), tools.cli);
      return text({ error: { code, message } }, true);
    }
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
  return EXIT_OK;
}
