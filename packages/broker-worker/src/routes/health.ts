import { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { getConfig, serviceStatus } from "../internal/config.js";
import { importKey } from "../internal/crypto.js";

export const health = new Hono<AppEnv>();

/** Liveness plus what an operator needs to see: which services are usable. Never a secret's value. */
health.get("/health", async (c) => {
  const config = await getConfig(c.env);
  const { ready, misconfigured } = serviceStatus(config, c.env);
  const keyOk =
    c.env.TOKEN_ENCRYPTION_KEY !== undefined && importKey(c.env.TOKEN_ENCRYPTION_KEY) !== undefined;
  const ok = keyOk && misconfigured.length === 0;
  return c.json(
    { status: ok ? "ok" : "degraded", services: ready, misconfigured, encryption_key: keyOk },
    ok ? 200 : 503,
  );
});
