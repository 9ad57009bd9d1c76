// try_catch: opens a protected region. The executor runs the ON_BRANCH(try) nodes; when one of them fails,
// it skips the rest of the region, sets this node's branch to "catch" and its `error` to
// { code, message, node }, and runs the ON_BRANCH(catch) nodes instead of failing the run.
import { readConfig } from "../_sdk";
import { succeed, toJson } from "../_sdk/values";
export { u6u_alloc } from "../_sdk";

function main(): void {
  const config = readConfig();
  const value = config.get("value");
  succeed(value == null ? "{}" : toJson(value), "try");
}

main();
