/**
 * Cloudflare API tokens: user tokens (My Profile > API Tokens) and account-owned tokens (Manage Account >
 * Account API Tokens), each verified at its own endpoint.
 * - https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify
 * - https://developers.cloudflare.com/api/resources/accounts/subresources/tokens/methods/verify
 * - https://developers.cloudflare.com/fundamentals/api/get-started/account-owned-tokens/
 */
import { randomBytes } from "node:crypto";
import { apiRoute, json } from "../kit.js";
import { bearerOf, type SimReply, type StaticKeyProfile } from "../simulator.js";

const API = "https://api.cloudflare.com/client/v4";
const USER_TOKEN = randomBytes(30).toString("base64url").slice(0, 40);
const ACCOUNT_TOKEN = randomBytes(30).toString("base64url").slice(0, 40);
const ACCOUNT_ID = randomBytes(16).toString("hex");

// Every answer is the v4 envelope {success, errors, messages, result}; a token that is not valid here is
// 401 with error 1000 "Invalid API Token". An account-owned token is not a user token: /user/tokens/verify
// refuses it the same way (reported in cloudflare/cloudflare-docs#29486).
const invalid = (): SimReply =>
  json(401, {
    success: false,
    errors: [{ code: 1000, message: "Invalid API Token" }],
    messages: [],
    result: null,
  });

const verified = (): SimReply =>
  json(200, {
    success: true,
    errors: [],
    messages: [{ code: 10000, message: "This API Token is valid and active" }],
    result: { id: randomBytes(16).toString("hex"), status: "active" },
  });

const wrong = (token: string) => `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;

/** GET /user/tokens/verify with "Authorization: Bearer <token>": user tokens only. */
export const cloudflareUserToken: StaticKeyProfile = {
  kind: "static_key",
  recipe: "cloudflare",
  docs: ["https://developers.cloudflare.com/api/resources/user/subresources/tokens/methods/verify"],
  values: { api_token: USER_TOKEN },
  wrongValues: { api_token: ACCOUNT_TOKEN },
  routes: {
    [`GET ${API}/user/tokens/verify`]: apiRoute({
      token: bearerOf,
      accepts: (t) => t === USER_TOKEN,
      unauthorized: invalid,
      ok: verified,
    }),
  },
};

/** GET /accounts/{account_id}/tokens/verify: tokens owned by that account. */
export const cloudflareAccountToken: StaticKeyProfile = {
  kind: "static_key",
  recipe: "cloudflare_account",
  docs: [
    "https://developers.cloudflare.com/api/resources/accounts/subresources/tokens/methods/verify",
    "https://developers.cloudflare.com/fundamentals/api/get-started/account-owned-tokens/",
  ],
  values: { account_id: ACCOUNT_ID, api_token: ACCOUNT_TOKEN },
  wrongValues: { account_id: ACCOUNT_ID, api_token: wrong(ACCOUNT_TOKEN) },
  routes: {
    [`GET ${API}/accounts/${ACCOUNT_ID}/tokens/verify`]: apiRoute({
      token: bearerOf,
      accepts: (t) => t === ACCOUNT_TOKEN,
      unauthorized: invalid,
      ok: verified,
    }),
  },
};
