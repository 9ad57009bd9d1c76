import { BrokerError, START_AGAIN } from "./errors.js";

const LOOPBACK_PREFIXES = ["http://127.0.0.1:", "http://[::1]:"];
const RESERVED_PARAMS = ["code", "state", "error", "error_description", "iss"];

export const badRequest = (description: string, next = START_AGAIN) =>
  new BrokerError(400, "invalid_request", description, next);

/**
 * Accepts only a loopback redirect URI with an explicit port: the broker hands a code only to a program on
 * the same machine as the browser, never to a web site.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3 (loopback interface redirection)
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.3 (use the IP literal, not `localhost`)
 */
export function loopbackRedirect(text: string | undefined): string {
  const refuse = (why: string) =>
    badRequest(
      `The redirect_uri ${why}. This broker only sends sign-ins back to a program on your own computer (http://127.0.0.1:<port>/... or http://[::1]:<port>/...).`,
      "Use arcrun-auth or the arcrun CLI, which listen on a loopback port; a web site cannot use this broker.",
    );
  if (!text) throw refuse("is missing");
  if (text.length > 512) throw refuse("is too long");
  if (!LOOPBACK_PREFIXES.some((p) => text.startsWith(p))) throw refuse("is not a loopback address");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse("is not a valid URL");
  }
  if (url.hostname !== "127.0.0.1" && url.hostname !== "[::1]") throw refuse("is not a loopback address");
  if (!url.port) throw refuse("has no port");
  if (url.username || url.password) throw refuse("carries credentials");
  if (text.includes("#")) throw refuse("has a fragment");
  if (/[\s\\]/.test(text)) throw refuse("has characters not allowed in a URL");
  for (const p of RESERVED_PARAMS)
    if (url.searchParams.has(p)) throw refuse(`already has a "${p}" parameter`);
  return text;
}

/** The library's `state`: opaque, unreserved characters only, so it can never be a URL or markup. */
export function clientState(text: string | undefined): string {
  if (!text || !/^[A-Za-z0-9._~-]{8,256}$/.test(text)) {
    throw badRequest("The state parameter is missing or not 8-256 letters, digits, '.', '_', '~' or '-'.");
  }
  return text;
}

/**
 * The library's S256 code challenge: base64url of a SHA-256 digest, exactly 43 characters.
 * `plain` is refused, since the broker must not learn the verifier.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export function codeChallenge(text: string | undefined, method: string | undefined): string {
  if (method !== undefined && method !== "S256") {
    throw badRequest("Only code_challenge_method=S256 is accepted.");
  }
  if (!text || !/^[A-Za-z0-9_-]{43}$/.test(text)) {
    throw badRequest("The code_challenge is missing or not an S256 challenge (43 base64url characters).");
  }
  return text;
}

/** @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1 (43-128 unreserved characters) */
export function codeVerifier(text: string | undefined): string {
  if (!text || !/^[A-Za-z0-9._~-]{43,128}$/.test(text)) {
    throw badRequest("The code_verifier is missing or not 43-128 unreserved characters.");
  }
  return text;
}

/** A space-separated scope list. @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3 */
export function scope(text: string | undefined): string[] | undefined {
  if (text === undefined || text === "") return undefined;
  if (text.length > 2048 || !/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(text)) {
    throw badRequest("The scope parameter is not a space-separated list of scope tokens.");
  }
  return text.split(" ");
}

/** A handoff code, a refresh token or a token to revoke: printable, bounded, never echoed back. */
export function opaque(name: string, text: string | undefined, max = 4096): string {
  if (!text || text.length > max || !/^[\x21-\x7e]+$/.test(text)) {
    throw badRequest(`The ${name} is missing or malformed.`, "Check the request your client sends.");
  }
  return text;
}
