import { type InjectSpec, renderTemplate } from "@arcrun/recipes";
import { ArcrunError } from "../errors.js";
import type { CredentialApplier, OutgoingRequest, ResolvedCredential } from "../types.js";

interface Rendered {
  /** Lower-case names. */
  headers: Array<[string, string]>;
  /** Encoded `k=v&k2=v2`, or "". */
  query: string;
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
      };
      rendered.set(cred, r);
    }
    return r;
  };
  return {
    queryNames: querySpec.map(([k]) => k),
    apply(request: OutgoingRequest, credential: ResolvedCredential): OutgoingRequest {
      const r = render(credential);
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
