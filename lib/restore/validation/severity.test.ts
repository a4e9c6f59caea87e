import { describe, expect, it } from "vitest";
import { isBlockingFailure, isWarning, severityOf, unacceptedBlockingFailures, validationPassed } from "./severity";
import type { Severity } from "./types";

const result = (name: string, passed: boolean, severity: Severity, acceptedAt: Date | null = null) => ({
  name,
  passed,
  severity,
  acceptedAt,
});

describe("validation severity", () => {
  it("passes a run whose only failures are warnings, and fails it on any blocking failure", () => {
    expect(validationPassed([result("a", true, "block"), result("b", false, "warn")])).toBe(true);
    expect(validationPassed([result("a", false, "block"), result("b", true, "warn")])).toBe(false);
    expect(validationPassed([])).toBe(true);
  });

  it("tells a blocking failure from a warning; a passed check is neither", () => {
    expect(isBlockingFailure(result("a", false, "block"))).toBe(true);
    expect(isWarning(result("a", false, "block"))).toBe(false);
    expect(isWarning(result("b", false, "warn"))).toBe(true);
    expect(isBlockingFailure(result("b", false, "warn"))).toBe(false);
    expect(isBlockingFailure(result("c", true, "block"))).toBe(false);
    expect(isWarning(result("d", true, "warn"))).toBe(false);
  });

  it("holds the swap only for blocking failures nobody accepted", () => {
    const results = [
      result("rows", false, "block"),
      result("orphans", false, "block", new Date("2026-11-29T10:00:00Z")),
      result("activity", false, "warn"),
      result("loans", true, "block"),
    ];
    expect(unacceptedBlockingFailures(results).map((r) => r.name)).toEqual(["rows"]);
    // An accepted failure is still a failure: the verdict stays failed, only the swap is allowed.
    expect(validationPassed(results)).toBe(false);
  });

  it("reads a stored severity it does not know as blocking, the safe side", () => {
    expect(severityOf("warn")).toBe("warn");
    expect(severityOf("block")).toBe("block");
    expect(severityOf("urgent")).toBe("block");
  });
});
