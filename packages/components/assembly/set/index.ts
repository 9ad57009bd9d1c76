// set: builds an object from config.values (dotted keys nest), on top of config.base, minus config.remove.
import { JSON } from "json-as";
import { readConfig } from "../_sdk";
import { failWith, isMissing, jsonKey, quote, succeed, toText, Tree, typeName } from "../_sdk/values";
export { u6u_alloc } from "../_sdk";

function validPath(path: string): bool {
  if (path.length == 0 || path.startsWith(".") || path.endsWith(".")) return false;
  return !path.includes("..");
}

function main(): void {
  const config = readConfig();
  const base = config.get("base");
  const values = config.get("values");
  const remove = config.get("remove");
  if (isMissing(values) && isMissing(base)) {
    failWith('config.values is required: the fields to set, e.g. values: { name: "{{input.name}}", "user.id": 7 }');
    return;
  }
  if (!isMissing(base) && base!.type != JSON.Types.Object) {
    failWith("config.base must be an object, got " + typeName(base) + '; e.g. base: "{{fetch.data.body}}"');
    return;
  }
  if (!isMissing(values) && values!.type != JSON.Types.Object) {
    failWith("config.values must be an object of field: value, got " + typeName(values));
    return;
  }
  if (!isMissing(remove) && remove!.type != JSON.Types.Array) {
    failWith("config.remove must be a list of paths, got " + typeName(remove) + "; e.g. remove: [password, meta.internal]");
    return;
  }
  const out = isMissing(base) ? new Tree() : Tree.of(base);
  if (!isMissing(values)) {
    const obj = values!.get<JSON.Obj>();
    const keys = obj.keys();
    for (let i = 0; i < keys.length; i++) {
      const key = jsonKey(keys[i]);
      if (!validPath(key)) {
        failWith("config.values has the key " + quote(key) + ": a field name, or a dotted path like user.name");
        return;
      }
      out.setPath(key, Tree.of(obj.get(keys[i])));
    }
  }
  if (!isMissing(remove)) {
    const list = remove!.get<JSON.Arr>();
    for (let i = 0; i < list.length; i++) {
      const path = toText(list.at(i));
      if (validPath(path)) out.removePath(path);
    }
  }
  succeed(out.toJson());
}

main();
