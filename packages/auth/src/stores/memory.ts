import { entryKey, parseEntryKey } from "../internal/credential.js";
import type { CredentialStore, StoredCredential } from "../types.js";

/** A store that lives in this process only: for tests and short-lived tools. Values are copied in and out. */
export class MemoryStore implements CredentialStore {
  readonly kind = "memory";
  readonly #entries = new Map<string, StoredCredential>();

  async get(service: string, instance: string): Promise<StoredCredential | undefined> {
    const v = this.#entries.get(entryKey(service, instance));
    return v === undefined ? undefined : structuredClone(v);
  }

  async set(service: string, instance: string, value: StoredCredential): Promise<void> {
    this.#entries.set(entryKey(service, instance), structuredClone(value));
  }

  async delete(service: string, instance: string): Promise<boolean> {
    return this.#entries.delete(entryKey(service, instance));
  }

  async list(): Promise<Array<{ service: string; instance: string }>> {
    return [...this.#entries.keys()].flatMap((k) => {
      const e = parseEntryKey(k);
      return e ? [e] : [];
    });
  }
}
