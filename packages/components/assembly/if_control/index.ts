// if_control: compares config.left with config.right (or tests config.condition) and picks a branch.
import { JSON } from "json-as";
import { fail, getString, isNumberType, looksNumeric, readConfig, valueText, writeStdout } from "../_sdk";
export { u6u_alloc } from "../_sdk";

function asNumber(v: JSON.Value | null): f64 {
  if (v == null) return NaN;
  const text = valueText(v);
  if (isNumberType(v.type) || looksNumeric(text)) return parseFloat(text);
  return NaN;
}

function truthy(v: JSON.Value | null): bool {
  if (v == null) return false;
  const t = v.type;
  if (t == JSON.Types.Null) return false;
  if (t == JSON.Types.Bool) return v.get<bool>();
  if (t == JSON.Types.String) {
    const s = v.get<string>();
    return s.length > 0 && s != "false" && s != "0";
  }
  if (isNumberType(t)) return parseFloat(v.toString()) != 0;
  if (t == JSON.Types.Array) return v.get<JSON.Arr>().length > 0;
  return true;
}

function contains(haystack: JSON.Value | null, needle: JSON.Value | null): bool {
  if (haystack == null) return false;
  const n = valueText(needle);
  if (haystack.type == JSON.Types.Array) {
    const arr = haystack.get<JSON.Arr>();
    for (let i = 0; i < arr.length; i++) if (valueText(arr.at(i)) == n) return true;
    return false;
  }
  if (haystack.type == JSON.Types.Object) return haystack.get<JSON.Obj>().has(n);
  return valueText(haystack).includes(n);
}

function main(): void {
  const config = readConfig();
  const op = getString(config, "operator", config.has("condition") ? "truthy" : "eq");
  const left = config.has("condition") ? config.get("condition") : config.get("left");
  const right = config.get("right");
  let result = false;
  let known = true;
  const ln = asNumber(left);
  const rn = asNumber(right);
  const numeric = !isNaN(ln) && !isNaN(rn);
  if (op == "eq") result = numeric ? ln == rn : valueText(left) == valueText(right);
  else if (op == "ne") result = numeric ? ln != rn : valueText(left) != valueText(right);
  else if (op == "gt") result = numeric && ln > rn;
  else if (op == "gte") result = numeric && ln >= rn;
  else if (op == "lt") result = numeric && ln < rn;
  else if (op == "lte") result = numeric && ln <= rn;
  else if (op == "contains") result = contains(left, right);
  else if (op == "not_contains") result = !contains(left, right);
  else if (op == "starts_with") result = valueText(left).startsWith(valueText(right));
  else if (op == "ends_with") result = valueText(left).endsWith(valueText(right));
  else if (op == "exists") result = left != null && left.type != JSON.Types.Null;
  else if (op == "not_exists") result = left == null || left.type == JSON.Types.Null;
  else if (op == "truthy") result = truthy(left);
  else if (op == "falsy") result = !truthy(left);
  else known = false;

  if (!known) {
    fail(
      'unknown operator "' + op + '": use eq, ne, gt, gte, lt, lte, contains, not_contains, starts_with, ends_with, exists, not_exists, truthy or falsy',
    );
  } else {
    const branch = result ? "true" : "false";
    writeStdout('{"success":true,"branch":"' + branch + '","data":{"result":' + branch + "}}");
  }
}

main();
