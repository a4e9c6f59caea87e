import { describe, expect, it } from "vitest";
import { lastDays, periodLength, periodOfOverview, periodQuery, presetOf, resolvePeriod } from "@/lib/restore/drill/drill-period";

describe("drill periods", () => {
  it("counts whole days with both ends included, across a month end", () => {
    expect(lastDays(30, "2026-12-02")).toEqual({ from: "2026-11-03", to: "2026-12-02" });
    expect(periodLength({ from: "2026-11-03", to: "2026-12-02" })).toBe(30);
  });

  it("fills in the missing ends: to defaults to today, from to the default length before to", () => {
    expect(resolvePeriod({}, "2026-11-29", 90)).toEqual({ from: "2026-09-01", to: "2026-11-29" });
    expect(resolvePeriod({ to: "2026-06-30" }, "2026-11-29", 30)).toEqual({ from: "2026-06-01", to: "2026-06-30" });
    expect(resolvePeriod({ from: "2026-01-01" }, "2026-11-29", 90)).toEqual({ from: "2026-01-01", to: "2026-11-29" });
  });

  it("recognises a preset only when it ends today", () => {
    expect(presetOf(lastDays(365, "2026-11-29"), "2026-11-29")).toBe(365);
    expect(presetOf(lastDays(90, "2026-11-28"), "2026-11-29")).toBeNull();
    expect(presetOf({ from: "2026-11-01", to: "2026-11-29" }, "2026-11-29")).toBeNull();
  });

  it("reads an overview's instants back as the days it covers (its end is excluded)", () => {
    expect(periodOfOverview({ from: "2026-09-01T00:00:00.000Z", to: "2026-11-30T00:00:00.000Z" })).toEqual({
      from: "2026-09-01",
      to: "2026-11-29",
    });
  });

  it("writes the query the API and the report take", () => {
    expect(periodQuery({ from: "2026-09-01", to: "2026-11-29" }, { format: "html" })).toBe("from=2026-09-01&to=2026-11-29&format=html");
  });
});
