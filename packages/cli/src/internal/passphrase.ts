/** A rough strength estimate of a passphrase, shown when one is chosen (never stored, never logged). */
export interface Strength {
  /** Estimated bits of guessing work, for a person: not a proof. */
  bits: number;
  label: "weak" | "fair" | "good" | "strong";
}

/**
 * Bits = length × log2(alphabet), where the alphabet is the union of the character classes used, then
 * discounted for repetition (a passphrase of few distinct characters is easier than its length says).
 */
export function passphraseStrength(text: string): Strength {
  const chars = Array.from(text);
  let pool = 0;
  if (/[a-z]/.test(text)) pool += 26;
  if (/[A-Z]/.test(text)) pool += 26;
  if (/[0-9]/.test(text)) pool += 10;
  if (/[ -/:-@[-`{-~]/.test(text)) pool += 33;
  if (/[^\x20-\x7e]/.test(text)) pool += 100;
  const distinct = new Set(chars).size;
  const spread = chars.length === 0 ? 0 : Math.min(1, distinct / Math.max(4, chars.length / 2));
  const bits = Math.round(chars.length * Math.log2(Math.max(pool, 1)) * spread);
  const label = bits < 40 ? "weak" : bits < 60 ? "fair" : bits < 80 ? "good" : "strong";
  return { bits, label };
}
