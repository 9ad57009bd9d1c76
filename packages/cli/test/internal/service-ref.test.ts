import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/internal/errors.js";
import { parseServiceRef, refKey, routeSegment } from "../../src/internal/service-ref.js";

describe("service references", () => {
  it("parses --service SERVICE and SERVICE:INSTANCE (default instance: default)", () => {
    expect(parseServiceRef("github", "run")).toEqual({ service: "github", instance: "default" });
    expect(parseServiceRef("github:work.2", "run")).toEqual({ service: "github", instance: "work.2" });
  });

  it("refuses anything else with a usage error that says the form and names the command", () => {
    for (const bad of ["GitHub", "github:", "github:-x", "git hub", ":work", "github:work:2"]) {
      const err = (() => {
        try {
          parseServiceRef(bad, "proxy");
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(UsageError);
      expect(err).toMatchObject({ code: "ERR_USAGE", command: "proxy" });
      expect((err as Error).message).toBe(`--service takes SERVICE or SERVICE:INSTANCE (got "${bad}")`);
    }
  });

  it("one key per service and instance; the proxy's route segment leaves out the default instance", () => {
    expect(refKey("github", "work")).toBe("github~work");
    expect(refKey("github", "default")).toBe("github~default");
    expect(routeSegment("github", "default")).toBe("github");
    expect(routeSegment("github", "work")).toBe("github~work");
  });
});
