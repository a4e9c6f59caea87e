import { describe, expect, it } from "vitest";
import { formatAge, formatBytes } from "./format";

describe("formatBytes", () => {
  it("uses binary units with one decimal below 100", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(92 * 1024 * 1024)).toBe("92.0 MB");
    expect(formatBytes(321 * 1024 * 1024)).toBe("321 MB");
  });
});

describe("formatAge", () => {
  it("switches units at an hour and at two days", () => {
    expect(formatAge(0.5)).toBe("30 min");
    expect(formatAge(5.4)).toBe("5 h");
    expect(formatAge(76)).toBe("3 d 4 h");
    expect(formatAge(72)).toBe("3 d");
  });
});

describe("formatDuration", () => {
  it("shows tenths below ten seconds, then minutes and hours", async () => {
    const { formatDuration } = await import("./format");
    expect(formatDuration(4_200)).toBe("4.2 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(83_000)).toBe("1 min 23 s");
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe("2 h 5 min");
  });
});
