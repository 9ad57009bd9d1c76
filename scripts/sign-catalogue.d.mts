// Types of scripts/sign-catalogue.mjs for the TypeScript tests that sign catalogues the way a release does.
export function catalogueBytes(recipes: readonly unknown[], version: number, issuedAt?: string): Buffer;
export function signBytes(bytes: Uint8Array, privatePem: string): Promise<string>;
export function newKeyPair(): Promise<{ privatePem: string; publicKey: string }>;
