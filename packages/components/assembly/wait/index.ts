// wait: pauses the workflow for a number of milliseconds (or seconds) through the host's asynchronous sleep.
// The host refuses at once a wait that would pass the node's or the run's time limit.
import { JSON } from "json-as";
import { quote, toJson, Parts } from "../_sdk/text";
import { fail, readConfig, writeStdout } from "../_sdk";
import { sleepMs } from "../_sdk/platform";
export { u6u_alloc } from "../_sdk";

function isNum(t: u16): bool {
  return t >= JSON.Types.U8 && t <= JSON.Types.F64;
}

function amount(v: JSON.Value, key: string): f64 {
  let n: f64 = NaN;
  if (isNum(v.type)) n = parseFloat(v.toString());
  else if (v.type == JSON.Types.String) {
    const s = v.get<string>().trim();
    let ok = s.length > 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (!(c >= 48 && c <= 57) && c != 46) ok = false;
    }
    if (ok) n = parseFloat(s);
  }
  return n;
}

function main(): void {
  const config = readConfig();
  const hasMs = config.has("ms");
  const hasSeconds = config.has("seconds");
  if (hasMs == hasSeconds) {
    fail(hasMs ? "give ms or seconds, not both" : "ms is required: how long to wait, in milliseconds (or give seconds)");
    return;
  }
  const key = hasMs ? "ms" : "seconds";
  const v = config.get(key)!;
  const n = amount(v, key);
  if (isNaN(n) || n < 0 || !isFinite(n)) {
    fail(key + ": expected a number >= 0, got " + toJson(v));
    return;
  }
  const ms = hasMs ? n : n * 1000;
  const r = sleepMs('{"ms":' + Math.ceil(ms).toString() + "}");
  if (!r.ok) {
    fail(r.error());
    return;
  }
  const slept = JSON.parse<JSON.Obj>(r.body).get("slept_ms")!;
  const value = config.get("value");
  writeStdout('{"success":true,"data":{"waited_ms":' + toJson(slept) + (value != null ? ',"value":' + toJson(value) : "") + "}}");
}

main();
