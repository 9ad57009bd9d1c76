import { ArcrunError } from "../../errors.js";
import { checkInstance } from "./checks.js";

/** Names under which arcrun keeps its own secrets (never a recipe's id). */
const RESERVED_NAME = /^arcrun_[a-z0-9_]{1,56}$/;

/** The instance of one of arcrun's own secrets, after checking its name is a reserved one. */
export function reservedInstance(name: string, instance: string | undefined): string {
  if (!RESERVED_NAME.test(name)) {
    throw new ArcrunError(
      "ERR_INVALID_OPTION",
      `${JSON.stringify(name).slice(0, 80)} is not a reserved name: arcrun's own secrets are filed under "arcrun_" and lower_snake_case (arcrun_executor). Use setSecret for a service's credential`,
    );
  }
  return checkInstance(name, instance);
}

/** A non-empty object of string values under names of letters, digits and "_". */
export function checkReservedValues(name: string, values: Readonly<Record<string, string>>): void {
  const entries = Object.entries(values);
  if (
    entries.length === 0 ||
    entries.some(([k, v]) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || typeof v !== "string")
  ) {
    throw new ArcrunError(
      "ERR_INVALID_OPTION",
      `${name}: values must be a non-empty object of string values under names of letters, digits and "_". Fix the call`,
    );
  }
}
