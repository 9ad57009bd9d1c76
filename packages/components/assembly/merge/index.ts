// merge: combines the objects or lists in config.inputs (usually templates of earlier nodes' data).
import { JSON } from "json-as";
import { getString, readConfig } from "../_sdk";
import { failWith, isMissing, Parts, requireList, succeed, toJson, toText, Tree, typeName, valueAt } from "../_sdk/values";
export { u6u_alloc } from "../_sdk";

const MODES = "auto, deep, shallow, concat, by_key";

function main(): void {
  const config = readConfig();
  const inputs = requireList(config, "inputs", '["{{defaults.data}}", "{{fetch.data.body}}"]');
  if (inputs == null) return;
  let mode = getString(config, "mode", "auto");
  const key = getString(config, "key", "");
  if (mode != "auto" && mode != "deep" && mode != "shallow" && mode != "concat" && mode != "by_key") {
    failWith('unknown mode "' + mode + '": use ' + MODES);
    return;
  }
  if (mode == "by_key" && key.length == 0) {
    failWith("mode by_key needs config.key, the path that identifies an item, e.g. key: id");
    return;
  }
  // null inputs (a branch that produced nothing) are skipped.
  const present = new Array<JSON.Value>();
  let objects = 0;
  let lists = 0;
  for (let i = 0; i < inputs.length; i++) {
    const v = inputs.at(i);
    if (isMissing(v)) continue;
    if (v.type == JSON.Types.Object) objects++;
    else if (v.type == JSON.Types.Array) lists++;
    else {
      failWith("config.inputs." + i.toString() + " is " + typeName(v) + "; merge combines objects or lists");
      return;
    }
    present.push(v);
  }
  if (mode == "auto") {
    if (objects > 0 && lists > 0) {
      failWith("config.inputs mixes objects and lists; merge objects with objects (mode deep or shallow) and lists with lists (mode concat or by_key)");
      return;
    }
    mode = lists > 0 ? "concat" : "deep";
  }
  if ((mode == "deep" || mode == "shallow") && lists > 0) {
    failWith("mode " + mode + " merges objects, but config.inputs has a list; use mode concat or by_key for lists");
    return;
  }
  if ((mode == "concat" || mode == "by_key") && objects > 0) {
    failWith("mode " + mode + " joins lists, but config.inputs has an object; use mode deep or shallow for objects");
    return;
  }
  if (mode == "deep" || mode == "shallow") {
    const out = new Tree();
    for (let i = 0; i < present.length; i++) {
      if (mode == "deep") out.mergeDeep(Tree.of(present[i]));
      else out.mergeShallow(Tree.of(present[i]));
    }
    succeed(out.toJson());
    return;
  }
  const all = new Array<JSON.Value>();
  for (let i = 0; i < present.length; i++) {
    const arr = present[i].get<JSON.Arr>();
    for (let j = 0; j < arr.length; j++) all.push(arr.at(j));
  }
  if (mode == "concat") {
    const out = new Parts().add("[");
    for (let i = 0; i < all.length; i++) {
      if (i > 0) out.add(",");
      out.add(toJson(all[i]));
    }
    succeed(out.add("]").toString());
    return;
  }
  // by_key: items with the same key become one object (later inputs win, deeply); items without it stay apart.
  const order = new Array<Tree>();
  const byKey = new Map<string, Tree>();
  for (let i = 0; i < all.length; i++) {
    const item = all[i];
    if (item.type != JSON.Types.Object) {
      failWith("mode by_key merges lists of objects, but an item is " + typeName(item) + ": " + toJson(item));
      return;
    }
    const k = valueAt(item, key);
    if (isMissing(k)) {
      order.push(Tree.of(item));
      continue;
    }
    const id = typeName(k) + ":" + toText(k);
    if (byKey.has(id)) {
      byKey.get(id).mergeDeep(Tree.of(item));
    } else {
      const t = Tree.of(item);
      byKey.set(id, t);
      order.push(t);
    }
  }
  const out = new Parts().add("[");
  for (let i = 0; i < order.length; i++) {
    if (i > 0) out.add(",");
    order[i].write(out);
  }
  succeed(out.add("]").toString());
}

main();
