// foreach_control: prepares a list for FOREACH. `a >> FOREACH(item) >> b` from this node runs b and every
// node after b once per item; the other edges out of this node run after the loop, when this node's
// data.results holds what each iteration produced.
import { JSON } from "json-as";
import { readConfig } from "../_sdk";
import { badInteger, jsonKey, Parts, failWith, intParam, isMissing, numberJson, quote, succeed, toJson, typeName } from "../_sdk/values";
export { u6u_alloc } from "../_sdk";

function main(): void {
  const config = readConfig();
  const items = config.get("items");
  let entries = new Array<string>();
  if (isMissing(items)) {
    // null (an API that returned nothing) is an empty list; a missing path fails earlier, in the template.
  } else if (items!.type == JSON.Types.Array) {
    const arr = items!.get<JSON.Arr>();
    for (let i = 0; i < arr.length; i++) entries.push(toJson(arr.at(i)));
  } else if (items!.type == JSON.Types.Object) {
    const obj = items!.get<JSON.Obj>();
    const keys = obj.keys();
    for (let i = 0; i < keys.length; i++) entries.push('{"key":' + quote(jsonKey(keys[i])) + ',"value":' + toJson(obj.get(keys[i])) + "}");
  } else {
    failWith("config.items must be a list (or an object, iterated as { key, value }), got " + typeName(items) + '; e.g. items: "{{fetch.data.body.results}}"');
    return;
  }
  const offset = intParam(config, "offset", 0);
  if (badInteger || offset < 0) {
    failWith("config.offset must be a whole number >= 0, e.g. offset: 10");
    return;
  }
  const limit = intParam(config, "limit", -1);
  if (badInteger || (limit < 0 && config.has("limit") && !isMissing(config.get("limit")))) {
    failWith("config.limit must be a whole number >= 0, e.g. limit: 50");
    return;
  }
  const total = entries.length;
  const end = limit < 0 ? total : min(total, offset + limit);
  const out = new Parts().add("[");
  let count = 0;
  for (let i = offset; i < end; i++) {
    if (count > 0) out.add(",");
    out.add(entries[i]);
    count++;
  }
  out.add("]");
  succeed(
    '{"items":' + out.toString() + ',"count":' + numberJson(<f64>count) + ',"total":' + numberJson(<f64>total) + "}",
    count == 0 ? "empty" : "items",
  );
}

main();
