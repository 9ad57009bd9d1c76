/**
 * The keys a signed catalogue update must verify with (docs/architecture.md "Recipe sources"): base64 of
 * raw 32-byte Ed25519 public keys. Only the release owner holds the private half, and it is never in this
 * repository; `scripts/sign-catalogue.mjs --key <file>` signs with it. A new release key is added here
 * (the old one kept until no update signed with it is served), never swapped in silently.
 *
 * PLACEHOLDER: the key below was generated when this feature was written and its private half discarded,
 * so nothing verifies with it yet. Before the first signed catalogue is published, the release owner makes
 * the real pair with `node scripts/sign-catalogue.mjs --new-key <file>` and replaces this entry.
 */
export const RELEASE_PUBLIC_KEYS: readonly string[] = ["XuaAjDsxAR6JUw6aN5J75afpnXkMLRpsVJ18zF6c1zs="];

/**
 * The version of the catalogue built into this release of the library: an installed update applies only
 * when its version is greater, so a library upgrade is never overridden by an older update. The release
 * owner sets it with each release (the version the release's own signed catalogue carries).
 */
export const BUILTIN_CATALOGUE_VERSION = 0;

/**
 * TEST ONLY: a base64 raw Ed25519 public key that replaces RELEASE_PUBLIC_KEYS, so tests can sign with a key
 * pair generated per run. `arcrun recipes update` says so on stderr whenever it is set; never set it
 * outside a test.
 */
export const TEST_PUBLIC_KEY_ENV = "ARCRUN_CATALOGUE_TEST_ONLY_PUBLIC_KEY";

/** The largest catalogue accepted (and its signature read), in bytes: far above 200 recipes. */
export const MAX_CATALOGUE_BYTES = 8 * 1024 * 1024;

/** The format of the signed document this library reads. */
export const CATALOGUE_FORMAT = 1;
