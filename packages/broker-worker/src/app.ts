import { type Context, Hono } from "hono";
import type { AppEnv } from "./env.js";
import { BrokerError } from "./internal/errors.js";
import { errorPage } from "./internal/html.js";
import { catalogue } from "./routes/catalogue.js";
import { health } from "./routes/health.js";
import { oauth } from "./routes/oauth.js";
import { recipes } from "./routes/recipes.js";

const MAX_URL_LENGTH = 4096;

/** Pages a person sees in the browser get an HTML error; everything else is called by code and gets JSON. */
const isBrowserRoute = (c: Context) =>
  c.req.method === "GET" && (c.req.path === "/oauth/callback" || /^\/oauth\/[^/]+\/start$/.test(c.req.path));

function respond(c: Context<AppEnv>, err: BrokerError): Response {
  const headers = { ...err.headers, "Cache-Control": "no-store" };
  if (isBrowserRoute(c)) return c.html(errorPage(err), err.status, headers);
  return c.json(err.toJSON(), err.status, headers);
}

/** Builds the broker: security headers, size limits and closed CORS around the OAuth, recipe and health routes. */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const started = Date.now();
    await next();
    // One line per request: method, path (never the query, which carries codes and states), status, time.
    console.log(`${c.req.method} ${c.req.path.slice(0, 200)} ${c.res.status} ${Date.now() - started}ms`);
    const h = c.res.headers;
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("X-Frame-Options", "DENY");
    h.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    if (!h.has("Cache-Control")) h.set("Cache-Control", "no-store");
    // CORS stays closed: no route ever grants a web origin access.
    h.delete("Access-Control-Allow-Origin");
  });

  app.use(async (c, next) => {
    if (c.req.url.length > MAX_URL_LENGTH) {
      throw new BrokerError(
        414,
        "invalid_request",
        "The request URL is too long.",
        "Send a shorter request.",
      );
    }
    if (c.req.method === "OPTIONS") {
      throw new BrokerError(
        405,
        "cors_not_allowed",
        "This broker does not accept cross-origin requests from web pages.",
        "Call it from arcrun-auth or the arcrun CLI.",
      );
    }
    const origin = c.req.header("origin");
    if (c.req.method === "POST" && origin !== undefined && origin !== new URL(c.req.url).origin) {
      throw new BrokerError(
        403,
        "cors_not_allowed",
        "This broker does not accept requests from web pages.",
        "Call it from arcrun-auth or the arcrun CLI.",
      );
    }
    await next();
  });

  app.route("/", oauth);
  app.route("/", recipes);
  app.route("/", catalogue);
  app.route("/", health);

  app.notFound((c) =>
    respond(
      c,
      new BrokerError(
        404,
        "not_found",
        "There is nothing at this address.",
        "See docs/broker.md for the routes.",
      ),
    ),
  );
  app.onError((err, c) => {
    if (err instanceof BrokerError) return respond(c, err);
    // Only the error's class name: messages of runtime errors may quote request data.
    console.error(`broker: unexpected ${err.name} on ${c.req.method} ${c.req.path}`);
    return respond(
      c,
      new BrokerError(
        500,
        "server_error",
        "The broker failed unexpectedly.",
        "Try again; if it keeps failing, tell the broker's operator.",
      ),
    );
  });
  return app;
}

export const app = createApp();
