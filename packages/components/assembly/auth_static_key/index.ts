// auth_static_key: a stored API key rendered into the recipe's `inject` (headers, query).
import { authError, authOutput, loadCredential, renderInject } from "../_sdk/auth";
import { fail, getObj, getString, readConfig, writeStdout } from "../_sdk";
export { u6u_alloc } from "../_sdk";

function main(): void {
  const config = readConfig();
  const cred = loadCredential(getString(config, "credential"), getString(config, "recipe"));
  if (cred == null) {
    fail(authError);
  } else {
    const injected = renderInject(getObj(cred.recipe, "inject"), cred.secrets, new Map<string, string>());
    if (injected == null) fail(authError);
    else writeStdout(authOutput(cred, injected, ""));
  }
}

main();
