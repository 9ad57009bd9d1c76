import { describe, expect, it } from "vitest";
import { resolveTemplates } from "../../src/workflow/template.js";

const scope = {
  values: {
    input: { n: 3, name: "Ada" },
    fetch: { status: 200, data: { body: { items: [{ id: "x" }] } } },
    row: { n: 7 },
  },
  credential: async (name: string, key: string | undefined) => `secret-of-${name}${key ? `.${key}` : ""}`,
};

describe("resolveTemplates", () => {
  it("keeps the value of a whole-string template and interpolates text otherwise", async () => {
    expect(
      await resolveTemplates(
        {
          n: "{{input.n}}",
          body: "{{fetch.data.body}}",
          t: "id={{fetch.data.body.items.0.id}} n={{row.n}}",
          keep: 5,
        },
        scope,
      ),
    ).toEqual({ n: 3, body: { items: [{ id: "x" }] }, t: "id=x n=7", keep: 5 });
  });

  it("resolves credentials through the host callback", async () => {
    expect(await resolveTemplates("Bearer {{credential.gh}} {{credential.db.password}}", scope)).toBe(
      "Bearer secret-of-gh secret-of-db.password",
    );
  });

  it("fails with ERR_TEMPLATE on a missing path, naming the path and not a value", async () => {
    await expect(resolveTemplates("{{fetch.data.nope}}", scope)).rejects.toMatchObject({
      code: "ERR_TEMPLATE",
      message: expect.stringContaining('fetch.data has no "nope"'),
    });
    await expect(resolveTemplates("{{later.x}}", scope)).rejects.toMatchObject({ code: "ERR_TEMPLATE" });
    await expect(resolveTemplates("{{credential}}", scope)).rejects.toMatchObject({ code: "ERR_TEMPLATE" });
  });
});
