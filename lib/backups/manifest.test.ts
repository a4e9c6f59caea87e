import { describe, expect, it } from "vitest";
import { classifyKey, dateFromName, readManifest } from "./manifest";

const good = { sha256: "A".repeat(64), size: 10, created_at: "2026-11-24T02:00:00Z", file: "2026-11-24.sql.gz", tables: { loans: 5 } };

describe("classifyKey", () => {
  it("recognises plain and custom dumps and manifests", () => {
    expect(classifyKey("2026-11-24.sql.gz")).toEqual({ kind: "dump", name: "2026-11-24.sql.gz", base: "2026-11-24", format: "plain-gzip" });
    expect(classifyKey("2026-11-24.dump")).toMatchObject({ kind: "dump", format: "custom", base: "2026-11-24" });
    expect(classifyKey("2026-11-24.manifest.json")).toEqual({ kind: "manifest", name: "2026-11-24.manifest.json", base: "2026-11-24" });
    expect(classifyKey("notes.txt")).toEqual({ kind: "other", name: "notes.txt" });
    expect(classifyKey(".sql.gz")).toEqual({ kind: "other", name: ".sql.gz" });
  });
});

describe("dateFromName", () => {
  it("reads a leading calendar date as midnight UTC", () => {
    expect(dateFromName("2026-11-24.sql.gz")?.toISOString()).toBe("2026-11-24T00:00:00.000Z");
    expect(dateFromName("2026-02-30.sql.gz")).toBeNull();
    expect(dateFromName("backup.sql.gz")).toBeNull();
    expect(dateFromName("20261124.sql.gz")).toBeNull();
  });
});

describe("readManifest", () => {
  const bytes = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

  it("accepts a good manifest and normalises the digest", () => {
    const reading = readManifest(bytes(good), "2026-11-24.sql.gz");
    expect(reading.state).toBe("present");
    expect(reading.state === "present" && reading.manifest.sha256).toBe("a".repeat(64));
  });

  it("reads the source's check counts, tolerating a malformed field instead of refusing the manifest", () => {
    const counted = readManifest(bytes({ ...good, checks: { orphaned_payments: 1, broken: "x", negative: -2 } }), "2026-11-24.sql.gz");
    expect(counted.state === "present" && counted.manifest.checks).toEqual({ orphaned_payments: 1 });
    const odd = readManifest(bytes({ ...good, checks: [1, 2] }), "2026-11-24.sql.gz");
    expect(odd.state).toBe("present");
    expect(odd.state === "present" && odd.manifest.checks).toBeUndefined();
    const none = readManifest(bytes(good), "2026-11-24.sql.gz");
    expect(none.state === "present" && none.manifest.checks).toBeUndefined();
  });

  it("flags a manifest naming another file", () => {
    expect(readManifest(bytes(good), "2026-11-23.sql.gz")).toMatchObject({ state: "names-another-file" });
  });

  it("calls broken JSON and wrong shapes unreadable, saying why", () => {
    expect(readManifest(bytes("{not json"), "x.sql.gz")).toEqual({ state: "unreadable", error: "The manifest is not valid JSON." });
    const wrong = readManifest(bytes({ ...good, sha256: "xyz", size: -1 }), "2026-11-24.sql.gz");
    expect(wrong.state).toBe("unreadable");
    expect(wrong.state === "unreadable" && wrong.error).toMatch(/sha256 must be 64 hexadecimal/);
    expect(wrong.state === "unreadable" && wrong.error).toMatch(/size/);
  });
});
