import { type CommandSpec, list, type Parsed, str } from "../internal/args.js";
import type { Context } from "../internal/context.js";
import { EXIT_OK, UsageError } from "../internal/errors.js";
import { newProxyToken, startProxy } from "../internal/proxy.js";
import { parseServiceRef, refKey, routeSegment } from "../internal/service-ref.js";

export const spec: CommandSpec = {
  name: "proxy",
  summary:
    "Serve a local credential proxy on 127.0.0.1 until interrupted: http://127.0.0.1:PORT/<service>[~<instance>]/<path>\n" +
    "goes to the recipe's base URL with the credential applied. Every request must carry the proxy token it prints.",
  positionals: [],
  options: {
    service: {
      type: "string",
      short: "s",
      multiple: true,
      arg: "<service[:instance]>",
      description: "Serve only these services (repeatable; default: every connected one)",
    },
    port: {
      type: "string",
      short: "p",
      arg: "<port>",
      description: "Listen on this port (default: a free one)",
    },
  },
  details: [
    "It prints ARCRUN_PROXY_URL and ARCRUN_PROXY_TOKEN as shell assignments, then serves until Ctrl-C:",
    '  eval "$(arcrun proxy --service notion &)"   # or copy the two lines',
    '  curl -H "X-Arcrun-Proxy-Token: $ARCRUN_PROXY_TOKEN" "$ARCRUN_PROXY_URL/notion/users/me"',
    "To run one command with it (and a fresh token): arcrun run --proxy --service notion -- <command>",
  ].join("\n"),
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const services = list(args, "service").map((s) => parseServiceRef(s, spec.name));
  const portText = str(args, "port");
  const port = portText === undefined ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number (got "${portText}")`, spec.name);
  const api = await ctx.api();
  for (const s of services) await api.recipe(s.service);
  const allowed = new Set(services.map((s) => refKey(s.service, s.instance)));
  const token = newProxyToken();
  const proxy = await startProxy({
    token,
    port,
    resolve: async (service, instance) => {
      if (allowed.size > 0 && !allowed.has(refKey(service, instance))) return undefined;
      return {
        service,
        instance,
        recipe: await api.recipe(service),
        client: api.bind(service, { instance }),
      };
    },
  });
  ctx.ui.out(`ARCRUN_PROXY_URL=${proxy.url}`);
  ctx.ui.out(`ARCRUN_PROXY_TOKEN=${token}`);
  const routes =
    services.length > 0 ? services.map((s) => routeSegment(s.service, s.instance)) : ["<service>"];
  ctx.ui.err(
    ctx.ui.e.dim(
      `arcrun proxy: serving ${routes.map((r) => `${proxy.url}/${r}/`).join(", ")} (Ctrl-C stops it)`,
    ),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await proxy.close();
  return EXIT_OK;
}
