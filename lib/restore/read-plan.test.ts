import { describe, expect, it } from "vitest";
import { ConfigurationError } from "@/lib/errors";
import stored from "./fixtures/stored-plans-v1.json";
import { readLogicalPlan, readPitrPlan, readPlan, recoveryMethodOf } from "./read-plan";

// The fixture holds plans exactly as the code of commit 279186e stored them (before plans carried
// a version): a swap with manifest checks and roles, an older new-database plan without them, and
// a PITR plan from an incident. Every version this code writes must keep reading them.

const row = (kind: string, plan: unknown) => ({ id: "3f2a1c0e-5b6d-4e7f-8a9b-0c1d2e3f4a5b", kind, plan: plan as never });

describe("readPlan", () => {
  it.each(stored.logical.map((plan, index) => [index, plan] as const))(
    "reads logical plan %i as stored, as version 1, losing nothing",
    (_index, plan) => {
      const read = readLogicalPlan(row("logical", plan));
      expect(read.version).toBe(1);
      expect(read).toEqual({ ...plan, version: 1 });
    },
  );

  it("reads the PITR plan as stored, as version 1", () => {
    const [plan] = stored.pitr;
    const read = readPitrPlan(row("pitr", plan));
    expect(read).toEqual({ ...plan, version: 1 });
    expect(read.target).toEqual({ kind: "time", time: "2026-11-20T01:30:00Z" });
  });

  it("reads a stored PITR plan without a region as restored in the primary region, and one in the DR region as cross-region", () => {
    const [plan] = stored.pitr;
    expect(readPitrPlan(row("pitr", plan)).region).toBeUndefined();
    expect(recoveryMethodOf(row("pitr", plan))).toBe("pitr");
    expect(recoveryMethodOf(row("pitr", { ...plan, region: "primary" }))).toBe("pitr");
    const dr = { primaryRegion: "us-east-1", region: "us-west-2", kind: "replicated-backups" };
    const inDr = readPitrPlan(row("pitr", { ...plan, region: "dr", dr }));
    expect(inDr).toMatchObject({ region: "dr", dr });
    expect(recoveryMethodOf(row("pitr", { ...plan, region: "dr", dr }))).toBe("crossRegion");
  });

  it("picks the schema by the run's kind", () => {
    expect(readPlan(row("pitr", stored.pitr[0])).kind).toBe("pitr");
    expect(readPlan(row("logical", stored.logical[0])).kind).toBe("logical");
  });

  it("refuses a plan it cannot read with the field and what to do, instead of a wrong value later", () => {
    const broken = structuredClone(stored.logical[0]) as Record<string, unknown>;
    delete (broken.databases as Record<string, unknown>).scratch;
    expect(() => readLogicalPlan(row("logical", broken))).toThrow(ConfigurationError);
    expect(() => readLogicalPlan(row("logical", broken))).toThrow(/databases\.scratch: .*start a new restore/i);
  });

  it("refuses a plan from a newer version rather than guessing", () => {
    expect(() => readPitrPlan(row("pitr", { ...stored.pitr[0], version: 2 }))).toThrow(/version/);
  });

  it("refuses to read one kind's plan as another's", () => {
    expect(() => readPitrPlan(row("logical", stored.logical[0]))).toThrow(/logical run, not pitr/);
  });
});
