// auth_service_account: an RS256 JWT bearer assertion (RFC 7523 section 2.1) signed by the host with the
// credential's private key (the key never enters this component), exchanged at the recipe's token URL.
import { JSON } from "json-as";
import { quote, toJson, Parts } from "../_sdk/text";
import { authError, authOutput, cachedToken, cacheToken, loadCredential, postTokenForm, renderInject } from "../_sdk/auth";
import { base64, cryptoSignRs256, fail, formBody, getObj, getString, nowSeconds, parseObject, readConfig, valueText, writeStdout } from "../_sdk";
export { u6u_alloc } from "../_sdk";

/** The key file's public fields (client_email, token_uri), which the host gives as values; the key stays sealed. */
function keyFile(secrets: Map<string, string>, keySecret: string): JSON.Obj | null {
  if (secrets.has("client_email")) {
    const o = new JSON.Obj();
    o.set("client_email", secrets.get("client_email"));
    if (secrets.has("token_uri")) o.set("token_uri", secrets.get("token_uri"));
    return o;
  }
  if (secrets.has(keySecret)) return parseObject(secrets.get(keySecret));
  return null;
}

function scopesText(sa: JSON.Obj, config: JSON.Obj): string {
  const sep = getString(sa, "scope_separator", " ");
  const source = config.has("scopes") ? config.get("scopes") : sa.get("scopes");
  if (source == null) return "";
  if (source.type == JSON.Types.Array) {
    const arr = source.get<JSON.Arr>();
    const out = new Parts();
    for (let i = 0; i < arr.length; i++) {
      if (i > 0) out.add(sep);
      out.add(valueText(arr.at(i)));
    }
    return out.toString();
  }
  return valueText(source);
}

function main(): void {
  const config = readConfig();
  const cred = loadCredential(getString(config, "credential"), getString(config, "recipe"));
  if (cred == null) {
    fail(authError);
  } else {
    const sa = getObj(cred.recipe, "service_account");
    const now = nowSeconds();
    let accessToken = "";
    let problem = "";
    let refreshed = false;
    const cached = cachedToken(cred.name, now);
    if (cached != null) {
      accessToken = getString(cached, "access_token");
    } else if (sa == null) {
      problem = 'recipe "' + cred.recipeId + '" has no service_account block';
    } else {
      const key = keyFile(cred.secrets, getString(sa, "key_secret", "key_json"));
      const iss = key == null ? "" : getString(key, "client_email");
      if (iss.length == 0) {
        problem = 'credential "' + cred.name + '" is not a service account key (no client_email); push the JSON key file: arcrun creds push ' + cred.name;
      } else {
        const tokenUrl = getString(sa, "token_url");
        const aud = getString(sa, "audience", tokenUrl);
        let claims = '{"iss":' + quote(iss) + ',"aud":' + quote(aud.length > 0 ? aud : tokenUrl);
        const scope = scopesText(sa, config);
        if (scope.length > 0) claims += ',"scope":' + quote(scope);
        const sub = getString(config, "subject");
        if (sub.length > 0) claims += ',"sub":' + quote(sub);
        claims += ',"iat":' + now.toString() + ',"exp":' + (now + 3600).toString() + "}";
        const input = base64('{"alg":"RS256","typ":"JWT"}', true) + "." + base64(claims, true);
        const signed = cryptoSignRs256('{"credential":' + quote(cred.name) + ',"data":' + quote(input) + "}");
        const sig = signed.ok ? parseObject(signed.body) : null;
        if (sig == null) {
          problem = signed.ok ? "the host returned no signature" : signed.error();
        } else {
          const form = new Map<string, string>();
          form.set("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
          form.set("assertion", input + "." + getString(sig, "signature"));
          const token = postTokenForm(tokenUrl, formBody(form), new Map<string, string>());
          if (token == null) {
            problem = authError;
          } else {
            accessToken = getString(token, "access_token");
            if (accessToken.length == 0) {
              problem = "the token endpoint returned no access_token";
            } else {
              const expiresIn = token.has("expires_in") ? I64.parseInt(valueText(token.get("expires_in"))) : 3600;
              cacheToken(cred.name, '{"access_token":' + quote(accessToken) + ',"token_type":"Bearer","expires_at":' + (now + expiresIn).toString() + "}", expiresIn);
              refreshed = true;
            }
          }
        }
      }
    }
    if (problem.length > 0) {
      fail(problem);
    } else {
      const runtime = new Map<string, string>();
      runtime.set("access_token", accessToken);
      runtime.set("token_type", "Bearer");
      const injected = renderInject(cred, "service_account", runtime);
      if (injected == null) fail(authError);
      else writeStdout(authOutput(cred, injected, ',"refreshed":' + (refreshed ? "true" : "false")));
    }
  }
}

main();
