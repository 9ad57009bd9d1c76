#!/usr/bin/env node
// Release script: writes the signed recipe catalogue that `arcrun recipes update` installs
// (docs/architecture.md "Recipe sources"), from the built catalogue (packages/recipes/dist):
//   node scripts/sign-catalogue.mjs --key release-key.pem [--version N] [--out dir]
// writes <out>/catalogue.json (format 1, version, issued_at, recipes) and <out>/catalogue.json.sig (base64 of
// the detached Ed25519 signature over the exact bytes of catalogue.json). Publish both files side by side
// (a URL for `catalogue_url`, or the broker's KV: docs/broker.md).
//   node scripts/sign-catalogue.mjs --new-key release-key.pem
// makes a new release key pair: the private key (PKCS#8 PEM, mode 0600) goes to the file, the public key is
// printed as base64 for RELEASE_PUBLIC_KEYS in packages/auth/src/internal/catalogue/release-key.ts. The
// private key is the release owner's alone: never commit it, never put it in CI logs.
// --version defaults to the current time as YYYYMMDDHHMMSS (UTC): each catalogue must be newer than the last.
import { webcrypto } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const { subtle } = webcrypto;

function pemBody(pem, label) {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  if (!m) throw new Error(`the key file holds no "${label}" PEM block`);
  return Buffer.from(m[1].replace(/\s+/g, ""), "base64");
}

/** The catalogue document, as bytes: what is signed and served byte for byte. */
export function catalogueBytes(recipes, version, issuedAt = new Date().toISOString()) {
  return Buffer.from(`${JSON.stringify({ format: 1, version, issued_at: issuedAt, recipes })}\n`);
}

/** Signs bytes with a PKCS#8 Ed25519 private key (PEM text); returns the signature as base64. */
export async function signBytes(bytes, privatePem) {
  const key = await subtle.importKey(
    "pkcs8",
    pemBody(privatePem, "PRIVATE KEY"),
    { name: "Ed25519" },
    false,
    ["sign"],
  );
  return Buffer.from(await subtle.sign({ name: "Ed25519" }, key, bytes)).toString("base64");
}

/** A new Ed25519 key pair: the private key as PKCS#8 PEM, the public key as base64 of its 32 raw bytes. */
export async function newKeyPair() {
  const pair = await subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const pkcs8 = Buffer.from(await subtle.exportKey("pkcs8", pair.privateKey)).toString("base64");
  const lines = pkcs8.match(/.{1,64}/g).join("\n");
  return {
    privatePem: `-----BEGIN PRIVATE KEY-----\n${lines}\n-----END PRIVATE KEY-----\n`,
    publicKey: Buffer.from(await subtle.exportKey("raw", pair.publicKey)).toString("base64"),
  };
}

function utcStamp(d = new Date()) {
  return Number(
    d
      .toISOString()
      .replace(/[^0-9]/g, "")
      .slice(0, 14),
  );
}

async function main() {
  const { values } = parseArgs({
    options: {
      key: { type: "string" },
      version: { type: "string" },
      out: { type: "string" },
      "new-key": { type: "string" },
    },
  });
  if (values["new-key"]) {
    const file = resolve(values["new-key"]);
    if (existsSync(file)) throw new Error(`${file} exists; choose another file`);
    const { privatePem, publicKey } = await newKeyPair();
    writeFileSync(file, privatePem, { mode: 0o600, flag: "wx" });
    process.stdout.write(`${publicKey}\n`);
    process.stderr.write(
      `private key written to ${file} (keep it offline; never commit it). Add the public key above to RELEASE_PUBLIC_KEYS.\n`,
    );
    return;
  }
  if (!values.key)
    throw new Error(
      "usage: node scripts/sign-catalogue.mjs --key <private-key.pem> [--version N] [--out dir]",
    );
  const dist = join(root, "packages/recipes/dist/index.js");
  if (!existsSync(dist))
    throw new Error("packages/recipes is not built; run: pnpm --filter @arcrun/recipes build");
  const { loadCatalog } = await import(pathToFileURL(dist).href);
  const version = values.version ? Number(values.version) : utcStamp();
  if (!Number.isSafeInteger(version) || version < 1) throw new Error("--version must be a positive integer");
  const bytes = catalogueBytes(loadCatalog(), version);
  const signature = await signBytes(bytes, readFileSync(resolve(values.key), "utf8"));
  const out = resolve(values.out ?? ".");
  writeFileSync(join(out, "catalogue.json"), bytes);
  writeFileSync(join(out, "catalogue.json.sig"), `${signature}\n`);
  process.stderr.write(`wrote ${join(out, "catalogue.json")} (version ${version}) and its .sig\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`sign-catalogue: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
