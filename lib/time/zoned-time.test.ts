import { describe, expect, it } from "vitest";
import {
  formatInstant,
  formatInZone,
  formatOffset,
  knownTimeZones,
  offsetMinutesAt,
  parseLocalInput,
  parseZonedInput,
  toInputValue,
  utcText,
  zonedToInstant,
  type ZonedResult,
} from "./zoned-time";

function instantOf(result: ZonedResult): string {
  if (!result.ok) throw new Error(`expected an instant, got ${result.reason}: ${result.message}`);
  return result.instant.toISOString();
}

describe("offsets", () => {
  it("reads each zone's offset from the time zone database", () => {
    expect(offsetMinutesAt(new Date("2026-07-01T12:00:00Z"), "America/New_York")).toBe(-240);
    expect(offsetMinutesAt(new Date("2026-01-15T12:00:00Z"), "America/New_York")).toBe(-300);
    expect(offsetMinutesAt(new Date("2026-07-01T12:00:00Z"), "Europe/Berlin")).toBe(120);
    expect(offsetMinutesAt(new Date("2026-01-15T12:00:00Z"), "Europe/Berlin")).toBe(60);
    expect(offsetMinutesAt(new Date("2026-07-01T12:00:00Z"), "Asia/Tokyo")).toBe(540);
    expect(offsetMinutesAt(new Date("2026-07-01T12:00:00Z"), "Asia/Kolkata")).toBe(330);
    expect(offsetMinutesAt(new Date("2026-07-01T12:00:00Z"), "UTC")).toBe(0);
  });

  it("formats offsets people can read", () => {
    expect(formatOffset(0)).toBe("UTC");
    expect(formatOffset(540)).toBe("UTC+09:00");
    expect(formatOffset(-240)).toBe("UTC−04:00");
    expect(formatOffset(330)).toBe("UTC+05:30");
  });
});

describe("zonedToInstant", () => {
  const local = (text: string) => {
    const parsed = parseLocalInput(text);
    if (!parsed) throw new Error(`unparseable ${text}`);
    return parsed;
  };

  it("converts ordinary times in each zone", () => {
    expect(instantOf(zonedToInstant(local("2026-11-25T14:30"), "America/New_York"))).toBe("2026-11-25T19:30:00.000Z");
    expect(instantOf(zonedToInstant(local("2026-07-04T09:15:30"), "America/New_York"))).toBe("2026-07-04T13:15:30.000Z");
    expect(instantOf(zonedToInstant(local("2026-11-25T14:30"), "Europe/Berlin"))).toBe("2026-11-25T13:30:00.000Z");
    expect(instantOf(zonedToInstant(local("2026-07-25T14:30"), "Europe/Berlin"))).toBe("2026-07-25T12:30:00.000Z");
    expect(instantOf(zonedToInstant(local("2026-11-25T09:00:00.250"), "Asia/Tokyo"))).toBe("2026-11-25T00:00:00.250Z");
    expect(instantOf(zonedToInstant(local("2026-11-25T00:30"), "Asia/Tokyo"))).toBe("2026-11-24T15:30:00.000Z");
    expect(instantOf(zonedToInstant(local("2026-03-08T02:30"), "UTC"))).toBe("2026-03-08T02:30:00.000Z");
  });

  it("refuses a New York time skipped when the clocks jumped forward (2026-03-08 02:30)", () => {
    const result = zonedToInstant(local("2026-03-08T02:30"), "America/New_York");
    expect(result).toMatchObject({ ok: false, reason: "nonexistent", candidates: [] });
    expect(!result.ok && result.message).toMatch(/never happened.*UTC−05:00 to UTC−04:00/);
    // Either side of the gap is fine.
    expect(instantOf(zonedToInstant(local("2026-03-08T01:59:59"), "America/New_York"))).toBe("2026-03-08T06:59:59.000Z");
    expect(instantOf(zonedToInstant(local("2026-03-08T03:00"), "America/New_York"))).toBe("2026-03-08T07:00:00.000Z");
  });

  it("refuses a New York time that happened twice when the clocks went back (2026-11-01 01:30), naming both", () => {
    const result = zonedToInstant(local("2026-11-01T01:30"), "America/New_York");
    expect(result).toMatchObject({ ok: false, reason: "ambiguous" });
    expect(!result.ok && result.candidates.map((c) => c.toISOString())).toEqual(["2026-11-01T05:30:00.000Z", "2026-11-01T06:30:00.000Z"]);
    expect(!result.ok && result.message).toMatch(
      /happened twice.*UTC−04:00 \(2026-11-01 05:30:00 UTC\).*UTC−05:00 \(2026-11-01 06:30:00 UTC\)/,
    );
    expect(instantOf(zonedToInstant(local("2026-11-01T00:59"), "America/New_York"))).toBe("2026-11-01T04:59:00.000Z");
    expect(instantOf(zonedToInstant(local("2026-11-01T02:00"), "America/New_York"))).toBe("2026-11-01T07:00:00.000Z");
  });

  it("knows Berlin's own transitions (last Sundays of March and October)", () => {
    expect(zonedToInstant(local("2026-03-29T02:30"), "Europe/Berlin")).toMatchObject({ ok: false, reason: "nonexistent" });
    const autumn = zonedToInstant(local("2026-10-25T02:30"), "Europe/Berlin");
    expect(autumn).toMatchObject({ ok: false, reason: "ambiguous" });
    expect(!autumn.ok && autumn.candidates.map((c) => c.toISOString())).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-25T01:30:00.000Z"]);
    // New York's transition dates mean nothing in Berlin.
    expect(instantOf(zonedToInstant(local("2026-03-08T02:30"), "Europe/Berlin"))).toBe("2026-03-08T01:30:00.000Z");
  });

  it("Tokyo and UTC have no transitions", () => {
    for (const zone of ["Asia/Tokyo", "UTC"]) {
      expect(zonedToInstant(local("2026-03-08T02:30"), zone).ok).toBe(true);
      expect(zonedToInstant(local("2026-11-01T01:30"), zone).ok).toBe(true);
    }
  });

  it("refuses an unknown zone", () => {
    expect(zonedToInstant(local("2026-11-25T10:00"), "Mars/Olympus")).toMatchObject({ ok: false, reason: "invalid" });
  });
});

describe("parsing and formatting", () => {
  it("parses typed times (with a space or a T) and refuses dates that do not exist", () => {
    expect(parseLocalInput("2026-11-25T14:30")).toEqual({
      year: 2026,
      month: 11,
      day: 25,
      hour: 14,
      minute: 30,
      second: 0,
      millisecond: 0,
    });
    expect(parseLocalInput("2026-11-25T14:30:05.5")).toMatchObject({ second: 5, millisecond: 500 });
    expect(parseLocalInput("2026-11-25 14:30")).toMatchObject({ hour: 14 });
    for (const bad of ["", "2026-11-25", "2026-02-30T10:00", "2026-13-01T10:00", "2026-11-25T24:00", "2026-11-25T10:00Z", "yesterday"]) {
      expect(parseLocalInput(bad), bad).toBeNull();
    }
    expect(parseZonedInput("not a time", "UTC")).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("shows an instant in a zone and in UTC, and round-trips through the input value", () => {
    const instant = new Date("2026-11-01T05:30:00.000Z");
    expect(formatInZone(instant, "America/New_York")).toBe("2026-11-01 01:30:00 (UTC−04:00)");
    expect(formatInZone(instant, "Asia/Tokyo")).toBe("2026-11-01 14:30:00 (UTC+09:00)");
    expect(utcText(instant)).toBe("2026-11-01 05:30:00 UTC");
    const precise = new Date("2026-11-25T10:11:12.345Z");
    for (const zone of ["Europe/Berlin", "Asia/Tokyo", "UTC", "America/New_York"]) {
      expect(instantOf(parseZonedInput(toInputValue(precise, zone), zone))).toBe(precise.toISOString());
    }
    expect(toInputValue(precise, "UTC")).toBe("2026-11-25 10:11:12.345");
  });
});

describe("formatInstant", () => {
  const at = new Date("2026-11-30T04:46:30Z");

  it("names the zone by its offset on that day, so the reading is never ambiguous", () => {
    expect(formatInstant(at, "UTC")).toBe("2026-11-30 04:46 UTC");
    expect(formatInstant(at, "Europe/Berlin")).toBe("2026-11-30 05:46 UTC+1");
    expect(formatInstant(new Date("2026-07-01T04:46:00Z"), "Europe/Berlin")).toBe("2026-07-01 06:46 UTC+2");
    expect(formatInstant(at, "Asia/Kolkata", { precision: "second" })).toBe("2026-11-30 10:16:30 UTC+5:30");
    expect(formatInstant(at, "America/New_York")).toBe("2026-11-29 23:46 UTC−5");
  });

  it("shows the time of day alone for deadlines", () => {
    expect(formatInstant(at, "Asia/Tokyo", { timeOnly: true })).toBe("13:46 UTC+9");
  });

  it("lists every zone the runtime knows, UTC first and once", () => {
    const zones = knownTimeZones();
    expect(zones[0]).toBe("UTC");
    expect(zones.filter((zone) => zone === "UTC")).toHaveLength(1);
    expect(zones).toContain("America/St_Johns");
  });
});
