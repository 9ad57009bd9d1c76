/**
 * Plaid: client_id and secret in the JSON body of every POST, on the environment's own host.
 * - https://plaid.com/docs/api/ (API protocols and headers; API host: sandbox.plaid.com, production.plaid.com)
 * - https://plaid.com/docs/api/institutions/ (/institutions/get: count, offset, country_codes)
 * - https://plaid.com/docs/errors/invalid-input/ (INVALID_API_KEYS)
 */
import { randomBytes } from "node:crypto";
import { json } from "../kit.js";
import type { Route, StaticKeyProfile } from "../simulator.js";

const CLIENT_ID = randomBytes(12).toString("hex");
const SECRET = randomBytes(15).toString("hex");

const invalidRequest = (message: string) =>
  json(400, { error_type: "INVALID_REQUEST", error_code: "INVALID_FIELD", error_message: message });

// "Requests are POST requests"; "All requests must include a Content-Type of application/json and the body
// must be valid JSON"; "Almost all Plaid API endpoints require a client_id and secret. These may be sent
// either in the request body or in the headers PLAID-CLIENT-ID and PLAID-SECRET" (api, API protocols and
// headers). /institutions/get requires count, offset and country_codes (api/institutions), so the test's
// own fields must survive beside the keys. A wrong pair is 400 INVALID_INPUT / INVALID_API_KEYS
// (errors/invalid-input).
const institutionsGet: Route = (req) => {
  if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
    return invalidRequest("Content-Type must be application/json");
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(req.body) as Record<string, unknown>;
  } catch {
    return invalidRequest("the request body must be valid JSON");
  }
  const clientId = body.client_id ?? req.headers["plaid-client-id"];
  const secret = body.secret ?? req.headers["plaid-secret"];
  if (clientId !== CLIENT_ID || secret !== SECRET) {
    return json(400, {
      error_type: "INVALID_INPUT",
      error_code: "INVALID_API_KEYS",
      error_message: "invalid client_id or secret provided",
      display_message: null,
      request_id: randomBytes(4).toString("hex"),
    });
  }
  if (
    typeof body.count !== "number" ||
    typeof body.offset !== "number" ||
    !Array.isArray(body.country_codes)
  ) {
    return invalidRequest("count, offset and country_codes are required");
  }
  return json(200, {
    institutions: [{ institution_id: "ins_1", name: "First Platypus Bank", country_codes: ["US"] }],
    total: 1,
    request_id: randomBytes(4).toString("hex"),
  });
};

/** The Sandbox environment: its own host and its own secret. */
export const plaidSandbox: StaticKeyProfile = {
  kind: "static_key",
  recipe: "plaid",
  docs: [
    "https://plaid.com/docs/api/",
    "https://plaid.com/docs/api/institutions/",
    "https://plaid.com/docs/errors/invalid-input/",
  ],
  values: { environment: "sandbox", client_id: CLIENT_ID, secret: SECRET },
  wrongValues: { environment: "sandbox", client_id: CLIENT_ID, secret: `${SECRET.slice(0, -1)}x` },
  routes: { "POST https://sandbox.plaid.com/institutions/get": institutionsGet },
};
