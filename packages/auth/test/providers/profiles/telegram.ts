/**
 * Telegram Bot API: the bot token is part of the URL, https://api.telegram.org/bot<token>/METHOD.
 * - https://core.telegram.org/bots/api#authorizing-your-bot
 * - https://core.telegram.org/bots/api#making-requests
 */
import { randomBytes } from "node:crypto";
import { json } from "../kit.js";
import type { StaticKeyProfile } from "../simulator.js";

const TOKEN = `123456789:${randomBytes(17).toString("base64url")}`;

export const telegram: StaticKeyProfile = {
  kind: "static_key",
  recipe: "telegram",
  docs: ["https://core.telegram.org/bots/api#authorizing-your-bot"],
  values: { token: TOKEN },
  wrongValues: { token: `123456789:${randomBytes(17).toString("base64url")}` },
  routes: {
    // Every answer is JSON with "ok"; a token the server does not know answers 401
    // {"ok": false, "error_code": 401, "description": "Unauthorized"} (making-requests).
    "GET https://api.telegram.org/bot*": (req) => {
      const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.url.pathname);
      if (m?.[1] !== TOKEN) return json(401, { ok: false, error_code: 401, description: "Unauthorized" });
      if (m[2] !== "getMe") return json(404, { ok: false, error_code: 404, description: "Not Found" });
      return json(200, { ok: true, result: { id: 123456789, is_bot: true, username: "sim_bot" } });
    },
  },
};
