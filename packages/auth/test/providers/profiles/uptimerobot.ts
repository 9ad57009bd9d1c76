/**
 * UptimeRobot API v2: the api_key in the form body of every POST.
 * - https://uptimerobot.com/api/ (Authentication; getAccountDetails; the v2 announcement: "The APIv2 expects
 *   all parameters to be sent as a POST request")
 */
import { randomBytes } from "node:crypto";
import { json } from "../kit.js";
import type { Route, StaticKeyProfile } from "../simulator.js";

const KEY = `u${randomBytes(4).toString("hex").slice(0, 7)}-${randomBytes(12).toString("hex")}`;

// "While making a request, you must send the api_key in your request's body. API key as a query parameter
// is only allowed for getMonitors endpoint": on getAccountDetails a key in the query counts for nothing.
// The curl examples post Content-Type: application/x-www-form-urlencoded with api_key=...&format=json.
// A refused key is HTTP 200 with "stat": "fail" and an error object of type invalid_parameter naming the
// api_key parameter; the account details come as "stat": "ok" with an "account" object.
const accountDetails: Route = (req) => {
  const type = req.headers["content-type"] ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) {
    return json(200, { stat: "fail", error: { type: "missing_parameter", parameter_name: "api_key" } });
  }
  const form = new URLSearchParams(req.body);
  if (form.get("api_key") !== KEY) {
    return json(200, {
      stat: "fail",
      error: { type: "invalid_parameter", parameter_name: "api_key", passed_value: form.get("api_key") },
    });
  }
  return json(200, {
    stat: "ok",
    account: { email: "ada@example.com", monitor_limit: 50, up_monitors: 1, down_monitors: 0 },
  });
};

export const uptimerobot: StaticKeyProfile = {
  kind: "static_key",
  recipe: "uptimerobot",
  docs: ["https://uptimerobot.com/api/"],
  values: { api_key: KEY },
  wrongValues: { api_key: `${KEY.slice(0, -1)}${KEY.endsWith("0") ? "1" : "0"}` },
  routes: { "POST https://api.uptimerobot.com/v2/getAccountDetails": accountDetails },
};
