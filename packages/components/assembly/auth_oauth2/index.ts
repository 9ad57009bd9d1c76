// auth_oauth2: a stored OAuth 2.0 token; refreshed at the recipe's refresh or token URL (RFC 6749 section 6)
// when it expires, the new token cached through kv_put under oauth2:NAME.
import { JSON } from "json-as";
import { quote, toJson, Parts } from "../_sdk/text";
import { authError, authOutput, cachedToken, cacheToken, loadCredential, postTokenForm, renderInject } from "../_sdk/auth";
import { fail, formBody, getObj, getString, nowSeconds, readConfig, stringMap, valueText, writeStdout } from "../_sdk";
export { u6u_alloc } from "../_sdk";

function secret(secrets: Map<string, string>, key: string): string {
  return secrets.has(key) ? secrets.get(key) : "";
}

function main(): void {
  const config = readConfig();
  const cred = loadCredential(getString(config, "credential"), getString(config, "recipe"));
  if (cred == null) {
    fail(authError);
  } else {
    const oauth2 = getObj(cred.recipe, "oauth2");
    const now = nowSeconds();
    let accessToken = "";
    let tokenType = "Bearer";
    let refreshed = false;
    let problem = "";
    const cached = cachedToken(cred.name, now);
    const storedExp = secret(cred.secrets, "expires_at");
    const storedValid = secret(cred.secrets, "access_token").length > 0 && (storedExp.length == 0 || I64.parseInt(storedExp) - now >= 60);
    if (cached != null) {
      accessToken = getString(cached, "access_token");
      tokenType = getString(cached, "token_type", "Bearer");
    } else if (storedValid && !getString(config, "force_refresh").includes("true")) {
      accessToken = secret(cred.secrets, "access_token");
      tokenType = secret(cred.secrets, "token_type").length > 0 ? secret(cred.secrets, "token_type") : "Bearer";
    } else if (oauth2 == null) {
      problem = 'recipe "' + cred.recipeId + '" has no oauth2 block; use auth_static_key';
    } else if (secret(cred.secrets, "refresh_token").length == 0) {
      problem = 'credential "' + cred.name + '" has no valid access_token and no refresh_token; run: arcrun setup ' + cred.recipeId + ", then arcrun creds push " + cred.name;
    } else {
      const form = new Map<string, string>();
      form.set("grant_type", "refresh_token");
      form.set("refresh_token", secret(cred.secrets, "refresh_token"));
      const params = stringMap(getObj(oauth2, "refresh_params"));
      const pk = params.keys();
      for (let i = 0; i < pk.length; i++) form.set(pk[i], params.get(pk[i]));
      const headers = new Map<string, string>();
      const method = getString(oauth2, "token_auth_method", "client_secret_post");
      const clientId = secret(cred.secrets, "client_id");
      const clientSecret = secret(cred.secrets, "client_secret");
      let basic = "";
      if (method == "client_secret_basic" && clientId.length > 0) {
        // RFC 6749 section 2.3.1: id and secret are form-encoded before Basic (the host does both).
        basic = '{"user":' + quote(clientId) + ',"password":' + quote(clientSecret) + ',"form_encode":true}';
      } else if (clientId.length > 0) {
        form.set("client_id", clientId);
        if (method == "client_secret_post" && clientSecret.length > 0) form.set("client_secret", clientSecret);
      }
      // A refresh token is redeemed at refresh_url when the recipe has one (Figma), else at token_url; both as
      // the host rendered them for this credential (a host without that gives the recipe's text).
      let url = cred.refreshUrl.length > 0 ? cred.refreshUrl : cred.tokenUrl;
      if (url.length == 0) url = getString(oauth2, "token_url");
      const token = postTokenForm(url, formBody(form), headers, basic);
      if (token == null) {
        problem = authError;
        if (problem.includes("invalid_grant")) problem += "; the grant was revoked: run: arcrun setup " + cred.recipeId + ", then arcrun creds push " + cred.name;
      } else {
        const path = getString(oauth2, "access_token_path");
        const at = path.length > 0 ? valueText(token.get(path)) : getString(token, "access_token");
        if (at.length == 0) {
          problem = "the token endpoint returned no access_token";
        } else {
          accessToken = at;
          tokenType = getString(token, "token_type", "Bearer");
          const expiresIn = token.has("expires_in") ? I64.parseInt(valueText(token.get("expires_in"))) : 3600;
          let cache = '{"access_token":' + quote(at) + ',"token_type":' + quote(tokenType) + ',"expires_at":' + (now + expiresIn).toString();
          const rotated = getString(token, "refresh_token");
          if (rotated.length > 0) cache += ',"refresh_token":' + quote(rotated);
          cache += "}";
          cacheToken(cred.name, cache, expiresIn);
          refreshed = true;
        }
      }
    }
    if (problem.length > 0) {
      fail(problem);
    } else {
      const runtime = new Map<string, string>();
      runtime.set("access_token", accessToken);
      runtime.set("token_type", tokenType);
      const injected = renderInject(cred, "oauth2", runtime);
      if (injected == null) fail(authError);
      else writeStdout(authOutput(cred, injected, ',"refreshed":' + (refreshed ? "true" : "false")));
    }
  }
}

main();
