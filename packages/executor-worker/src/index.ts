import { manifest, modules } from "components";
import { createApp } from "./app.js";
import type { Env } from "./env.js";
import { scheduledHandler } from "./scheduled.js";

const app = createApp({ modules, manifest });

export default {
  fetch: app.fetch,
  scheduled: scheduledHandler({ modules, manifest }),
} satisfies ExportedHandler<Env>;
