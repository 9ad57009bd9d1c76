import { ArcrunError } from "../../errors.js";
import type { CredentialStore, Logger } from "../../types.js";
import {
  isStoreChoice,
  type SelectedStore,
  STORE_CHOICES,
  type StoreChoice,
  type StoreInfo,
  selectStore,
} from "../store-select.js";

export interface StoreHolderOptions {
  home: string;
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  /** A store object, or which one to pick; default `$ARCRUN_STORE`, else "auto". */
  store?: CredentialStore | StoreChoice | undefined;
  /** Asks for the encrypted file's passphrase when nothing else unlocks it (the CLI, at a terminal). */
  askPassphrase?: ((retry: boolean) => Promise<string>) | undefined;
}

/**
 * The active credential store, chosen on first use and only then (the keyring probe and the encrypted-file
 * fallback notice happen when a credential is actually read from or written to the store).
 */
export class StoreHolder {
  readonly #options: StoreHolderOptions;
  #chosen: Promise<SelectedStore> | undefined;

  constructor(options: StoreHolderOptions) {
    this.#options = options;
  }

  get(): Promise<SelectedStore> {
    if (!this.#chosen) {
      const opt = this.#options.store;
      if (opt !== undefined && typeof opt === "object") {
        this.#chosen = Promise.resolve({
          store: opt,
          info: { kind: opt.kind, reason: "passed to createAuth" },
        });
      } else {
        const fromEnv = this.#options.env.ARCRUN_STORE;
        let choice: StoreChoice = opt ?? "auto";
        if (opt === undefined && fromEnv) {
          if (!isStoreChoice(fromEnv)) {
            return Promise.reject(
              new ArcrunError(
                "ERR_INVALID_OPTION",
                `ARCRUN_STORE is "${fromEnv}"; use one of ${STORE_CHOICES.join(", ")}. Fix it, or run: arcrun doctor`,
              ),
            );
          }
          choice = fromEnv;
        }
        const { askPassphrase } = this.#options;
        this.#chosen = selectStore(
          choice,
          this.#options.home,
          this.#options.env,
          this.#options.logger,
          askPassphrase ? { askPassphrase } : {},
        );
      }
    }
    return this.#chosen;
  }

  /** Why the store was chosen, with what only `arcrun doctor` and `arcrun setup` show read now. */
  async info(): Promise<StoreInfo> {
    const chosen = await this.get();
    return chosen.describe ? { ...chosen.info, ...(await chosen.describe()) } : chosen.info;
  }

  async store(): Promise<CredentialStore> {
    return (await this.get()).store;
  }

  /**
   * The store as a strategy sees it, opened on its first use: a credential found in the option, the
   * environment or a secret file never opens it.
   */
  lazy(): CredentialStore {
    let opened: CredentialStore | undefined;
    const open = async () => {
      opened ??= await this.store();
      return opened;
    };
    return {
      get kind() {
        return opened?.kind ?? "not opened";
      },
      get: async (service, instance) => (await open()).get(service, instance),
      set: async (service, instance, value) => (await open()).set(service, instance, value),
      delete: async (service, instance) => (await open()).delete(service, instance),
      list: async () => (await open()).list(),
    };
  }
}
