import { describe, expect, it } from "vitest";
import { isTemplateRef, templateParts, templateRefs, wholeTemplate } from "../src/template.js";

describe("templates", () => {
  it("finds references deeply", () => {
    expect(
      templateRefs({ a: "{{ input.n }}", b: ["x {{fetch.status}}"], c: 1, d: { e: "{{row}}" } }),
    ).toEqual(["input.n", "fetch.status", "row"]);
    expect(templateRefs("no templates { here }")).toEqual([]);
  });

  it("tells a whole-string template from interpolated text", () => {
    expect(wholeTemplate("{{ fetch.data.body }}")).toBe("fetch.data.body");
    expect(wholeTemplate("Bearer {{credential.gh}}")).toBeUndefined();
    expect(wholeTemplate("{{a}}{{b}}")).toBeUndefined();
  });

  it("splits text and references in order", () => {
    expect(templateParts("id={{ a.id }} n={{row.n}}")).toEqual([
      { type: "text", text: "id=" },
      { type: "ref", ref: "a.id" },
      { type: "text", text: " n=" },
      { type: "ref", ref: "row.n" },
      { type: "text", text: "" },
    ]);
    expect(templateParts("plain")).toEqual([{ type: "text", text: "plain" }]);
  });

  it("accepts references of the form root.path", () => {
    expect(isTemplateRef("fetch.data.items.0.id")).toBe(true);
    expect(isTemplateRef("credential.db.pass-word")).toBe(true);
    expect(isTemplateRef("fetch..data")).toBe(false);
    expect(isTemplateRef("0fetch")).toBe(false);
    expect(isTemplateRef("a b")).toBe(false);
  });
});
