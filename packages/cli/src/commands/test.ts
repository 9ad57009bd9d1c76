import type { CommandSpec, Parsed } from "../internal/args.js";
import {
  INSTANCE_OPTION,
  instanceName,
  instanceOptions,
  JSON_OPTION,
  target,
  VIA_OPTION,
} from "../internal/common.js";
import type { Context } from "../internal/context.js";
import { CliError, EXIT_FAILURE, EXIT_OK } from "../internal/errors.js";
import { Spinner } from "../internal/spinner.js";

export const spec: CommandSpec = {
  name: "test",
  summary: "Run the recipe's test request with the credential arcrun would use (store, env or secret file).",
  positionals: ["<service>"],
  options: { ...INSTANCE_OPTION, ...VIA_OPTION, ...JSON_OPTION },
  details: "Examples:\n  arcrun test notion\n  arcrun test github --instance work --json",
};

export async function run(ctx: Context, args: Parsed): Promise<number> {
  const service = args.positionals[0] ?? "";
  const options = instanceOptions(args, spec.name);
  const api = await ctx.api();
  const recipe = await api.recipe(service);
  if (!recipe.test) {
    throw new CliError(
      "ERR_NO_TEST",
      `${service} has no test request in its recipe`,
      `add a test: block to its recipe (run: arcrun recipe show ${service})`,
    );
  }
  const result = ctx.json
    ? await api.test(service, options)
    : await Spinner.run(
        ctx.ui,
        `Testing ${service}`,
        () => api.test(service, options),
        (r) => `Testing ${service}: HTTP ${r.status}`,
        (r) => r.ok,
      );
  if (ctx.json) {
    ctx.ui.json({ service, instance: instanceName(options), ...result });
    return result.ok ? EXIT_OK : EXIT_FAILURE;
  }
  if (!result.ok) {
    throw new CliError(
      "ERR_TEST_FAILED",
      `${service}: the test request answered HTTP ${result.status} (expected ${result.expected.join(" or ")})`,
      `run: arcrun setup ${target(service, options)}`,
    );
  }
  return EXIT_OK;
}
