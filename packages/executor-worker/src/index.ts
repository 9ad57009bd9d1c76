import { manifest, modules } from "components";
import { createApp } from "./app.js";
import type { Env } from "./env.js";
import { scheduledHandler } from "./scheduled.js";

// The Durable Object class of the FAILED_KEYS binding (wrangler.toml): failed API keys per address.
export { AddressWindow } from "@arcrun/recipes";

const app = createApp({ modules, manifest });

export default {
  fetch: app.fetch,
  scheduled: scheduledHandler({ modules, manifest }),
} satisfies ExportedHandler<Env>;
