import type { CredentialSource, ResolvedCredential } from "../../types.js";

type Make<T> = (token: T, source: CredentialSource, secrets: Record<string, string>) => ResolvedCredential;

/**
 * The resolved form of the token a strategy holds, made once per token, source and values and then handed
 * out again: the bound client keys its target and the inject applier its rendered headers on that object
 * (docs/architecture.md), so a new object per `resolve()` would redo both on every request.
 */
export function heldResolved<T extends object>(make: Make<T>): Make<T> {
  let last:
    | { token: T; source: CredentialSource; secrets: Record<string, string>; resolved: ResolvedCredential }
    | undefined;
  return (token, source, secrets) => {
    if (last && last.token === token && last.source === source && last.secrets === secrets) {
      return last.resolved;
    }
    const resolved = make(token, source, secrets);
    last = { token, source, secrets, resolved };
    return resolved;
  };
}
