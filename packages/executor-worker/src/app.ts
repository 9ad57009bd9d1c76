import { Hono } from "hono";
import { type AppEnv, type ComponentRegistry, errorResponse } from "./routes/common.js";
import { credentialRoutes } from "./routes/credentials.js";
import { recipeRoutes } from "./routes/recipes.js";
import { workflowRoutes } from "./routes/workflows.js";
import { tenancy } from "./tenant.js";

/** The executor's HTTP API over a set of components (the bundled ones in production). */
export function createApp(registry: ComponentRegistry): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", async (c, next) => {
    c.set("registry", registry);
    await next();
  });

  app.get("/health", (c) => {
    const wa = WebAssembly as unknown as { Suspending?: unknown };
    return c.json({
      ok: true,
      components: Object.keys(registry.modules).length,
      suspend: typeof wa.Suspending === "function" ? "jspi" : "asyncify",
      tenancy: c.env.ARCRUN_TENANCY ?? "single",
    });
  });

  app.use("*", tenancy);

  app.get("/components", (c) =>
    c.json({
      components: registry.manifest.components.map(({ wasm: _w, imports, bytes, ...contract }) => ({
        ...contract,
        wasm_bytes: bytes,
        imports,
      })),
    }),
  );
  app.route("/", workflowRoutes);
  app.route("/", credentialRoutes);
  app.route("/", recipeRoutes);
  // One place maps an error to its response (codes to statuses, no internals): routes just throw.
  app.onError((err, c) => errorResponse(c, err));
  app.notFound((c) =>
    c.json(
      {
        error: {
          code: "ERR_NOT_FOUND",
          message: `no route ${c.req.method} ${c.req.path}; see docs/executor.md`,
        },
      },
      404,
    ),
  );
  return app;
}
