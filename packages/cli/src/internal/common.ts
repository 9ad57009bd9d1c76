import type { PrimitiveName } from "@arcrun/recipes";
import type { InstanceOptions } from "./api.js";
import type { OptionSpec, Parsed } from "./args.js";
import { str } from "./args.js";
import { UsageError } from "./errors.js";

export const INSTANCE_OPTION: Record<string, OptionSpec> = {
  instance: {
    type: "string",
    short: "i",
    arg: "<name>",
    description: 'Which account of the service (default "default"), e.g. --instance work',
  },
};

export const VIA_OPTION: Record<string, OptionSpec> = {
  via: {
    type: "string",
    arg: "<primitive>",
    description: "Use another auth kind the recipe offers (oauth2, service_account, ...)",
  },
};

export const JSON_OPTION: Record<string, OptionSpec> = {
  json: { type: "boolean", description: "Machine-readable output (see docs/cli.md)" },
};

const PRIMITIVES: readonly PrimitiveName[] = ["static_key", "oauth2", "service_account", "aws_sigv4"];
const INSTANCE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function instanceOptions(args: Parsed, command: string): InstanceOptions {
  const out: InstanceOptions = {};
  const instance = str(args, "instance");
  if (instance !== undefined) {
    if (!INSTANCE.test(instance))
      throw new UsageError(
        `--instance must be letters, digits, "_", "-" or "." (got "${instance}")`,
        command,
      );
    out.instance = instance;
  }
  const via = str(args, "via");
  if (via !== undefined) {
    const p = PRIMITIVES.find((x) => x === via);
    if (!p) throw new UsageError(`--via must be one of ${PRIMITIVES.join(", ")} (got "${via}")`, command);
    out.via = p;
  }
  return out;
}

export function instanceName(options: InstanceOptions): string {
  return options.instance ?? "default";
}

/** "notion" or "notion --instance work": the argument text of the commands a message suggests. */
export function target(service: string, options: InstanceOptions): string {
  return options.instance && options.instance !== "default"
    ? `${service} --instance ${options.instance}`
    : service;
}
