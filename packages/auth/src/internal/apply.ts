import { type InjectBodySpec, type InjectSpec, renderTemplate } from "@arcrun/recipes";
import { ArcrunError } from "../errors.js";
import type { CredentialApplier, OutgoingRequest, ResolvedCredential } from "../types.js";

interface Rendered {
  /** Lower-case names. */
  headers: Array<[string, string]>;
  /** Encoded `k=v&k2=v2`, or "". */
  query: string;
  /** Body fields (`inject.body`), rendered. */
  body: Array<[string, string]>;
}

const BODY_TYPES: Record<InjectBodySpec["format"], { type: string; matches: RegExp; name: string }> = {
  form: {
    type: "application/x-www-form-urlencoded",
    matches: /^application\/x-www-form-urlencoded\b/i,
    name: "a form (application/x-www-form-urlencoded)",
  },
  json: { type: "application/json", matches: /^application\/(?:[\w.-]+\+)?json\b/i, name: "a JSON object" },
};

/**
 * The request with the recipe's body fields set (`inject.body`): added to its form or JSON object, replacing
 * fields of the same name, or as the whole body of a request that has none. A GET or HEAD has no body to
 * carry them, and a body of another kind (or a stream) cannot take them: both are refused, never sent
 * without the credential.
 */
function withBodyFields(
  request: OutgoingRequest,
  spec: InjectBodySpec,
  fields: Array<[string, string]>,
  service: string,
  instance: string,
): OutgoingRequest {
  const kind = BODY_TYPES[spec.format];
  const refuse = (why: string) =>
    new ArcrunError(
      "ERR_INVALID_OPTION",
      `The ${service} recipe sends the credential in the request body, as ${kind.name}; ${why}. Send a ${request.method === "GET" || request.method === "HEAD" ? "POST" : request.method} with ${spec.format === "json" ? "a JSON object body (json: {...})" : "a form body (new URLSearchParams(...))"}.`,
      { service, instance },
    );
  const headers: Record<string, string> = {};
  for (const k of Object.keys(request.headers)) {
    if (k !== "content-length") headers[k] = request.headers[k] as string;
  }
  let text: string;
  if (request.body === null) {
    if (request.method === "GET" || request.method === "HEAD") {
      throw refuse(`a ${request.method} request has no body`);
    }
    text = "";
    headers["content-type"] ??= kind.type;
  } else if (typeof request.body === "string") {
    text = request.body;
  } else if (request.body instanceof Uint8Array) {
    text = new TextDecoder().decode(request.body);
  } else {
    throw refuse("a streamed body cannot take fields");
  }
  const type = headers["content-type"] ?? "";
  if (!kind.matches.test(type)) throw refuse(`this request's body is ${type || "of no declared type"}`);
  let body: string;
  if (spec.format === "form") {
    const form = new URLSearchParams(text);
    for (const [k, v] of fields) form.set(k, v);
    body = form.toString();
  } else {
    let parsed: unknown = {};
    if (text.trim() !== "") {
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        throw new ArcrunError(
          "ERR_INVALID_OPTION",
          `The ${service} request's body is not valid JSON, so the credential cannot be added to it; send a JSON object (json: {...}).`,
          { cause, service, instance },
        );
      }
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw refuse("this request's JSON body is not an object");
    }
    const obj = parsed as Record<string, unknown>;
    for (const [k, v] of fields) obj[k] = v;
    body = JSON.stringify(obj);
  }
  return { method: request.method, origin: request.origin, path: request.path, headers, body };
}

/** Renders one recipe template with a credential; a missing value is the recipe's fault, said so. */
export function renderOrFail(
  text: string,
  credential: ResolvedCredential,
  where: string,
  service: string,
  instance: string,
): string {
  try {
    return renderTemplate(text, credential.values);
  } catch (cause) {
    throw new ArcrunError(
      "ERR_RECIPE_INVALID",
      `The ${service} recipe's ${where} needs a value the credential does not have (${cause instanceof Error ? cause.message : "unknown"}). Run: arcrun setup ${service}`,
      { cause, service, instance },
    );
  }
}

/**
 * The applier of every strategy that does not sign: the recipe's `inject` block (for the chosen primitive,
 * `ctx.inject`) rendered with the credential, once per credential, then set on each request. Injected headers replace
 * the caller's of the same name; the injected query is appended to the caller's. The path prefix is part
 * of where a relative path goes (internal/client/request.ts), not of this.
 */
export function injectApplier(
  inject: InjectSpec | undefined,
  service: string,
  instance: string,
): CredentialApplier {
  const headerSpec = Object.entries(inject?.header ?? {});
  const querySpec = Object.entries(inject?.query ?? {});
  const bodySpec = inject?.body;
  const bodyFields = Object.entries(bodySpec?.fields ?? {});
  const rendered = new WeakMap<ResolvedCredential, Rendered>();
  const render = (cred: ResolvedCredential): Rendered => {
    let r = rendered.get(cred);
    if (!r) {
      r = {
        headers: headerSpec.map(([k, v]) => [
          k.toLowerCase(),
          renderOrFail(v, cred, `inject > header > ${k}`, service, instance),
        ]),
        query: querySpec
          .map(
            ([k, v]) =>
              `${encodeURIComponent(k)}=${encodeURIComponent(renderOrFail(v, cred, `inject > query > ${k}`, service, instance))}`,
          )
          .join("&"),
        body: bodyFields.map(([k, v]) => [
          k,
          renderOrFail(v, cred, `inject > body > fields > ${k}`, service, instance),
        ]),
      };
      rendered.set(cred, r);
    }
    return r;
  };
  return {
    queryNames: querySpec.map(([k]) => k),
    apply(given: OutgoingRequest, credential: ResolvedCredential): OutgoingRequest {
      const r = render(credential);
      const request =
        bodySpec === undefined ? given : withBodyFields(given, bodySpec, r.body, service, instance);
      if (r.headers.length === 0 && r.query === "") return request;
      let headers = request.headers;
      if (r.headers.length > 0) {
        // A fresh object filled key by key: V8 (Node 20) makes `{ ...headers }` followed by new keys cost
        // microseconds per request, more than the rest of the applier (docs/bench.md).
        headers = {};
        for (const k of Object.keys(request.headers)) headers[k] = request.headers[k] as string;
        for (const [k, v] of r.headers) headers[k] = v;
      }
      const path =
        r.query === "" ? request.path : `${request.path}${request.path.includes("?") ? "&" : "?"}${r.query}`;
      return { method: request.method, origin: request.origin, path, headers, body: request.body };
    },
  };
}
