import type { Recipe } from "@arcrun/recipes";
import { ArcrunError } from "../../errors.js";
import { CATALOGUE_FORMAT, RELEASE_PUBLIC_KEYS, TEST_PUBLIC_KEY_ENV } from "./release-key.js";

/** A signed catalogue whose signature verified: its version and its resolved recipes. */
export interface VerifiedCatalogue {
  format: typeof CATALOGUE_FORMAT;
  /** Monotonic: a later catalogue has a greater version. */
  version: number;
  issuedAt: string | undefined;
  recipes: Recipe[];
  /** sha256 of the exact bytes that were verified, hex. */
  sha256: string;
}

const UPDATE_NEXT = "run: arcrun recipes update again later, or report it to the catalogue's publisher";

/** The public keys to verify with: the release keys, or the test-only key of TEST_PUBLIC_KEY_ENV. */
export function verificationKeys(env: Readonly<Record<string, string | undefined>>): {
  keys: readonly string[];
  testOnly: boolean;
} {
  const test = env[TEST_PUBLIC_KEY_ENV];
  return test ? { keys: [test], testOnly: true } : { keys: RELEASE_PUBLIC_KEYS, testOnly: false };
}

/** Decodes a detached signature: 64 raw bytes, or their base64 text (what sign-catalogue.mjs writes). */
export function decodeSignature(sig: Uint8Array): Uint8Array | undefined {
  if (sig.length === 64) return sig;
  const text = new TextDecoder().decode(sig).trim();
  if (!/^[A-Za-z0-9+/]{86}==$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, "base64"));
}

/**
 * Verifies a detached Ed25519 signature over the exact bytes of a catalogue, with WebCrypto, against each
 * trusted key, then parses it. Refuses (ERR_CATALOGUE_SIGNATURE) a missing or malformed signature, a byte
 * changed after signing, and a signature by any other key; refuses (ERR_CATALOGUE_INVALID) a signed
 * document of an unknown format or shape.
 * @see https://www.rfc-editor.org/rfc/rfc8032#section-5.1.7
 */
export async function verifyCatalogue(
  bytes: Uint8Array,
  signature: Uint8Array | undefined,
  keys: readonly string[],
  where: string,
): Promise<VerifiedCatalogue> {
  const sig = signature === undefined ? undefined : decodeSignature(signature);
  if (!sig) {
    throw new ArcrunError(
      "ERR_CATALOGUE_SIGNATURE",
      `The catalogue from ${where} has no usable signature (${where}.sig must hold a base64 Ed25519 signature); nothing was changed. ${UPDATE_NEXT}`,
    );
  }
  const { subtle } = globalThis.crypto;
  let ok = false;
  for (const k of keys) {
    const key = await subtle
      .importKey("raw", Buffer.from(k, "base64"), { name: "Ed25519" }, false, ["verify"])
      .catch((cause: unknown) => {
        throw new ArcrunError(
          "ERR_CATALOGUE_SIGNATURE",
          `A catalogue verification key is not a base64 Ed25519 public key; if ${TEST_PUBLIC_KEY_ENV} is set, fix or unset it`,
          { cause },
        );
      });
    if (await subtle.verify({ name: "Ed25519" }, key, sig, bytes)) {
      ok = true;
      break;
    }
  }
  if (!ok) {
    throw new ArcrunError(
      "ERR_CATALOGUE_SIGNATURE",
      `The catalogue from ${where} does not verify with arcrun's release key (changed after signing, or signed with another key); nothing was changed. ${UPDATE_NEXT}`,
    );
  }
  const sha256 = Buffer.from(await subtle.digest("SHA-256", bytes)).toString("hex");
  return { ...parseCatalogue(bytes, where), sha256 };
}

function invalid(where: string, what: string): ArcrunError {
  return new ArcrunError(
    "ERR_CATALOGUE_INVALID",
    `The catalogue from ${where} is signed but ${what}; nothing was changed. Upgrade arcrun-auth (npm install arcrun-auth@latest), or ${UPDATE_NEXT}`,
  );
}

function parseCatalogue(bytes: Uint8Array, where: string): Omit<VerifiedCatalogue, "sha256"> {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw invalid(where, "not JSON");
  }
  if (!doc || typeof doc !== "object") throw invalid(where, "not a JSON object");
  const d = doc as Record<string, unknown>;
  if (d.format !== CATALOGUE_FORMAT) {
    throw invalid(
      where,
      `of format ${JSON.stringify(d.format)}, which this library does not read (it reads ${CATALOGUE_FORMAT})`,
    );
  }
  if (typeof d.version !== "number" || !Number.isSafeInteger(d.version) || d.version < 1) {
    throw invalid(where, "has no version (a positive integer)");
  }
  if (!Array.isArray(d.recipes) || !d.recipes.every(isRecipeShape)) {
    throw invalid(where, "has no recipe list of the expected shape");
  }
  return {
    format: CATALOGUE_FORMAT,
    version: d.version,
    issuedAt: typeof d.issued_at === "string" ? d.issued_at : undefined,
    recipes: d.recipes,
  };
}

function isRecipeShape(r: unknown): r is Recipe {
  if (!r || typeof r !== "object") return false;
  const o = r as Record<string, unknown>;
  return (
    typeof o.id === "string" &&
    /^[a-z0-9][a-z0-9_]*$/.test(o.id) &&
    typeof o.primitive === "string" &&
    typeof o.base_url === "string" &&
    Array.isArray(o.hosts) &&
    o.hosts.every((h) => typeof h === "string")
  );
}
