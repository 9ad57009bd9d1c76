// switch: matches config.value against config.cases (label -> value, or a list of values) in order and
// picks the first matching label as the branch (connect with ON_BRANCH(label)); config.default otherwise.
import { JSON } from "json-as";
import { getString, readConfig } from "../_sdk";
import { failWith, isMissing, OPERATORS, quote, succeed, test, toJson, typeName, unknownOperator } from "../_sdk/values";
export { u6u_alloc } from "../_sdk";

function validLabel(label: string): bool {
  if (label.length == 0 || label.length > 64) return false;
  for (let i = 0; i < label.length; i++) {
    const c = label.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 45;
    if (!ok) return false;
  }
  return true;
}

function main(): void {
  const config = readConfig();
  const value = config.get("value");
  const operator = getString(config, "operator", "eq");
  const fallback = getString(config, "default", "default");
  const casesV = config.get("cases");
  if (isMissing(casesV)) {
    failWith('config.cases is required: labels and the values they match, e.g. cases: { open: opened, done: [closed, merged] }');
    return;
  }
  if (casesV!.type != JSON.Types.Object) {
    failWith("config.cases must be an object of label: value, got " + typeName(casesV) + "; e.g. cases: { open: opened }");
    return;
  }
  if (!validLabel(fallback)) {
    failWith('config.default "' + fallback + '" is not a branch label: use letters, digits, _ and -');
    return;
  }
  const cases = casesV!.get<JSON.Obj>();
  const labels = cases.keys();
  let matched = "";
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!validLabel(label)) {
      failWith('case "' + label + '" is not a branch label: use letters, digits, _ and - (it is written ON_BRANCH(' + label + "))");
      return;
    }
    if (matched.length > 0) continue;
    const want = cases.get(label);
    // A list of values matches when any of them does (except for `contains`, where the list is the value).
    if (want != null && want.type == JSON.Types.Array && operator != "in" && operator != "not_in") {
      const options = want.get<JSON.Arr>();
      for (let j = 0; j < options.length; j++) {
        if (test(value, operator, options.at(j))) {
          matched = label;
          break;
        }
        if (unknownOperator) break;
      }
    } else if (test(value, operator, want)) {
      matched = label;
    }
    if (unknownOperator) {
      failWith('unknown operator "' + operator + '": use ' + OPERATORS);
      return;
    }
  }
  const branch = matched.length > 0 ? matched : fallback;
  succeed(
    '{"value":' + toJson(value) + ',"matched":' + (matched.length > 0 ? "true" : "false") + ',"case":' + quote(branch) + "}",
    branch,
  );
}

main();
