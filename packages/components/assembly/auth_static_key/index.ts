// auth_static_key: a stored API key in the recipe's `inject` (headers, query), rendered and sealed by the host.
import { authError, authOutput, loadCredential, renderInject } from "../_sdk/auth";
import { fail, getString, readConfig, writeStdout } from "../_sdk";
export { u6u_alloc } from "../_sdk";

function main(): void {
  const config = readConfig();
  const cred = loadCredential(getString(config, "credential"), getString(config, "recipe"));
  if (cred == null) {
    fail(authError);
  } else {
    const injected = renderInject(cred, "static_key", new Map<string, string>());
    if (injected == null) fail(authError);
    else writeStdout(authOutput(cred, injected, ""));
  }
}

main();
