/**
 * LINE Notify: the service ended on 31 March 2025 (https://notify-bot.line.me/closing-announce; the recipe's
 * docs_url https://notify-bot.line.me/doc/en/ carried the API while it ran). The recipe stays in the
 * catalogue so that old scripts fail with the provider's answer instead of "unknown service"; setup cannot
 * succeed with any token.
 */
import { json } from "../kit.js";
import type { StaticKeyProfile } from "../simulator.js";

// What notify-api.line.me answers since the end is not documented: the simulator answers every request
// with 404, and the suite asserts only that setup fails and saves nothing, whatever the status.
const gone = () => json(404, { status: 404, message: "LINE Notify has ended" });

export const lineNotify: StaticKeyProfile = {
  kind: "static_key",
  recipe: "line_notify",
  docs: ["https://notify-bot.line.me/closing-announce", "https://notify-bot.line.me/doc/en/"],
  // While it ran, a personal access token went in "Authorization: Bearer" and GET /api/status checked it
  // (doc/en, "Check connection status"). No token works any more, so both values are refused.
  values: { token: "x".repeat(43) },
  wrongValues: { token: "y".repeat(43) },
  routes: {
    "GET https://notify-api.line.me/api/status": gone,
    "POST https://notify-api.line.me/api/notify": gone,
  },
};
