import { compileWorkflow, parseWorkflowYaml } from "@arcrun/workflow";
import { describe, expect, it } from "vitest";
import { CronError, cronMatches, parseCron } from "../../src/internal/cron.js";
import { cronTriggers } from "../../src/scheduled.js";

// The host's reading of cron expressions (what the scheduled handler matches), the same grammar the cron
// component validates.
const at = (iso: string) => new Date(iso);

describe("parseCron / cronMatches", () => {
  it("matches steps, ranges and lists in UTC", () => {
    const s = parseCron("*/15 9-17 * * MON-FRI");
    expect(cronMatches(s, at("2024-05-03T09:45:00Z"))).toBe(true); // Friday
    expect(cronMatches(s, at("2024-05-03T09:46:00Z"))).toBe(false);
    expect(cronMatches(s, at("2024-05-04T09:45:00Z"))).toBe(false); // Saturday
    expect(cronMatches(s, at("2024-05-03T18:00:00Z"))).toBe(false);
  });

  it("either day field matches when both are restricted; both must when one is *", () => {
    const either = parseCron("0 0 13 * FRI");
    expect(cronMatches(either, at("2024-09-06T00:00:00Z"))).toBe(true); // a Friday, the 6th
    expect(cronMatches(either, at("2024-10-13T00:00:00Z"))).toBe(true); // a Sunday, the 13th
    expect(cronMatches(either, at("2024-10-14T00:00:00Z"))).toBe(false);
    const both = parseCron("0 0 * * FRI");
    expect(cronMatches(both, at("2024-10-13T00:00:00Z"))).toBe(false);
  });

  it("reads names, 7 as Sunday, a/n, and macros", () => {
    expect(cronMatches(parseCron("0 12 * * 7"), at("2024-05-05T12:00:00Z"))).toBe(true);
    expect(cronMatches(parseCron("0 0 1 jan,jul *"), at("2024-07-01T00:00:00Z"))).toBe(true);
    expect(cronMatches(parseCron("10/20 * * * *"), at("2024-07-01T00:50:00Z"))).toBe(true);
    expect(cronMatches(parseCron("10/20 * * * *"), at("2024-07-01T00:00:00Z"))).toBe(false);
    expect(cronMatches(parseCron("@hourly"), at("2024-07-01T05:00:59Z"))).toBe(true);
    expect(cronMatches(parseCron("@yearly"), at("2025-01-01T00:00:00Z"))).toBe(true);
  });

  it.each([
    ["61 * * * *", "minute: 61 is out of range 0-59"],
    ["* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"],
    ["*/0 * * * *", 'minute: step "0" must be a whole number above 0'],
    ["0 18-8 * * *", 'hour: range "18-8" goes backwards'],
    ["0 9 * * FUN", 'day-of-week: "FUN" is not a number'],
    ["@sometimes", 'unknown macro "@sometimes"'],
  ])("refuses %j: %s", (expression, message) => {
    expect(() => parseCron(expression)).toThrow(new CronError(message));
  });
});

describe("cronTriggers", () => {
  const graph = (yaml: string) => compileWorkflow(parseWorkflowYaml(yaml));

  it("finds cron nodes right after input with a literal expression", () => {
    const g = graph(
      "name: t\nflow:\n  - input >> ON_SUCCESS >> tick\n  - tick >> ON_SUCCESS >> later\nconfig:\n  tick: { component: cron, expression: '@daily' }\n  later: { component: cron, expression: '@hourly' }\n",
    );
    expect(cronTriggers(g)).toEqual([{ node: "tick", expression: "@daily" }]);
  });

  it("ignores templated expressions and other components", () => {
    const g = graph(
      "name: t\nflow:\n  - input >> ON_SUCCESS >> tick\n  - input >> ON_SUCCESS >> other\nconfig:\n  tick: { component: cron, expression: '{{input.when}}' }\n  other: { component: wait, ms: 1 }\n",
    );
    expect(cronTriggers(g)).toEqual([]);
  });
});
