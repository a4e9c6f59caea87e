import { describe, expect, it } from "vitest";
import { formatAge, formatBytes, formatDuration, formatRelative, formatUtc, plural } from "./format";

const MIN = 60_000;
const HOUR = 60 * MIN;

describe("formatBytes", () => {
  it("uses binary units with one decimal below 100", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(92 * 1024 * 1024)).toBe("92.0 MB");
    expect(formatBytes(321 * 1024 * 1024)).toBe("321 MB");
    expect(formatBytes(2.5 * 1024 ** 4)).toBe("2.5 TB");
  });
});

describe("plural", () => {
  it("uses the singular for exactly one and the plural otherwise, zero included", () => {
    expect(plural(1, "check")).toBe("1 check");
    expect(plural(0, "check")).toBe("0 checks");
    expect(plural(3, "table")).toBe("3 tables");
  });

  it("groups the count as formatCount does", () => {
    expect(plural(12_345, "row")).toBe("12,345 rows");
    expect(plural(1_000, "row")).toBe("1,000 rows");
  });

  it("takes an explicit plural for nouns that do not just add an s", () => {
    expect(plural(1, "entry", "entries")).toBe("1 entry");
    expect(plural(2, "entry", "entries")).toBe("2 entries");
    expect(plural(1, "index", "indexes")).toBe("1 index");
    expect(plural(5, "index", "indexes")).toBe("5 indexes");
  });
});

describe("formatDuration", () => {
  it("shows milliseconds below a second and tenths below ten seconds", () => {
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(300)).toBe("300 ms");
    expect(formatDuration(1_500)).toBe("1.5 s");
    expect(formatDuration(4_200)).toBe("4.2 s");
    expect(formatDuration(5_000)).toBe("5 s");
    expect(formatDuration(9_960)).toBe("10 s");
  });

  it("then whole seconds, minutes, hours and days, two units at most", () => {
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(59_600)).toBe("1 min");
    expect(formatDuration(83_000)).toBe("1 min 23 s");
    expect(formatDuration(2 * HOUR + 5 * MIN)).toBe("2 h 5 min");
    expect(formatDuration(2 * HOUR + 5 * MIN + 59_000)).toBe("2 h 5 min");
    expect(formatDuration(30 * HOUR)).toBe("1 d 6 h");
    expect(formatDuration(48 * HOUR + 30 * MIN)).toBe("2 d");
  });

  it("leaves out a zero smaller unit, so step limits read as written", () => {
    expect(formatDuration(60_000)).toBe("1 min");
    expect(formatDuration(10 * MIN)).toBe("10 min");
    expect(formatDuration(6 * HOUR)).toBe("6 h");
  });

  it("marks negative and unknown values", () => {
    expect(formatDuration(-83_000)).toBe("−1 min 23 s");
    expect(formatDuration(Number.NaN)).toBe("—");
  });
});

describe("formatAge", () => {
  it("switches units at an hour and at two days", () => {
    expect(formatAge(0.5)).toBe("30 min");
    expect(formatAge(-0.01)).toBe("0 min");
    expect(formatAge(5.4)).toBe("5 h");
    expect(formatAge(76)).toBe("3 d 4 h");
    expect(formatAge(72)).toBe("3 d");
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");

  it("says one unit, in the past or the future", () => {
    expect(formatRelative("2026-11-25T11:59:30Z", now)).toBe("just now");
    expect(formatRelative(new Date(now - 3 * MIN), now)).toBe("3 min ago");
    expect(formatRelative(new Date(now + 2 * HOUR), now)).toBe("in 2 h");
    expect(formatRelative(new Date(now - 5 * 24 * HOUR), now)).toBe("5 d ago");
  });
});

describe("formatUtc", () => {
  it("writes UTC to the minute, the second, or exactly", () => {
    const at = new Date("2026-11-25T14:30:05.250Z");
    expect(formatUtc(at, "minute")).toBe("2026-11-25 14:30 UTC");
    expect(formatUtc(at)).toBe("2026-11-25 14:30:05 UTC");
    expect(formatUtc(at, "exact")).toBe("2026-11-25 14:30:05.250 UTC");
    expect(formatUtc("2026-11-25T14:30:00Z", "exact")).toBe("2026-11-25 14:30:00 UTC");
  });

  it("reads offsets in strings", () => {
    expect(formatUtc("2026-11-25T15:30:00+01:00")).toBe("2026-11-25 14:30:00 UTC");
  });
});
