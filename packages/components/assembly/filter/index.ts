// filter: keeps the items of config.items whose value at config.path passes `operator value`.
import { getBool, getString, readConfig } from "../_sdk";
import { failWith, numberJson, Parts, OPERATORS, requireList, succeed, test, toJson, unknownOperator, valueAt } from "../_sdk/values";
export { u6u_alloc } from "../_sdk";

function main(): void {
  const config = readConfig();
  const items = requireList(config, "items", '"{{fetch.data.body.items}}"');
  if (items == null) return;
  const path = getString(config, "path", "");
  const hasValue = config.has("value");
  const operator = getString(config, "operator", hasValue ? "eq" : "truthy");
  const value = config.get("value");
  const invert = getBool(config, "invert", false);
  const kept = new Parts().add("[");
  let count = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items.at(i);
    const pass = test(valueAt(item, path), operator, value);
    if (unknownOperator) {
      failWith('unknown operator "' + operator + '": use ' + OPERATORS);
      return;
    }
    if (pass != invert) {
      if (count > 0) kept.add(",");
      kept.add(toJson(item));
      count++;
    }
  }
  kept.add("]");
  succeed(
    '{"items":' + kept.toString() + ',"count":' + numberJson(<f64>count) + ',"removed":' + numberJson(<f64>(items.length - count)) + "}",
    count == 0 ? "empty" : "matched",
  );
}

main();
