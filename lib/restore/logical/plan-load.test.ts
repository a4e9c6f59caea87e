import { describe, expect, it } from "vitest";
import stored from "../fixtures/stored-plans-v1.json";
import { readLogicalPlan } from "../read-plan";
import { buildLogicalPlan, planLoad, type BuildPlanInput } from "./plan";

// What the plan says about how the restore step loads the dump (the target's `jobs` and the method).

const input = (overrides: Partial<BuildPlanInput> = {}): BuildPlanInput => ({
  environment: { name: "production", protected: true },
  source: {
    backupId: "b",
    name: "2026-11-24.sql.gz",
    key: "prod/pg/2026-11-24.sql.gz",
    takenAt: "2026-11-24T02:00:00.000Z",
    size: 92 * 1024 * 1024,
    format: "plain-gzip",
    sha256: "a".repeat(64),
    verificationState: "verified",
    manifestTables: { loans: 6000 },
    pgVersion: "15.14",
    overridden: false,
  },
  target: {
    name: "dr",
    host: "db.internal",
    port: 5432,
    database: "loanserve",
    user: "restore",
    maintenanceDatabase: "postgres",
    sslMode: "require",
  },
  mode: "swap",
  newDatabaseName: null,
  runId: "3f2a9c1e-0000-4000-8000-000000000000",
  at: new Date("2026-11-25T14:07:33Z"),
  configuredChecks: 2,
  builtinChecks: 4,
  preflight: null,
  ...overrides,
});

const restoreStep = (plan: ReturnType<typeof buildLogicalPlan>) => plan.steps.find((s) => s.name === "restore")?.description ?? "";

describe("the plan's load", () => {
  it("loads a plain dump over the default two connections, section by section, and says so", () => {
    const plan = buildLogicalPlan(input());
    expect(plan.load).toEqual({ jobs: 2, method: "parallel-sections" });
    expect(restoreStep(plan)).toMatch(
      /into 2 parallel connections \(one psql each, every one running as that role\), split into pg_dump's sections as it arrives: pre-data first, then the tables' data on every connection, then indexes and constraints in dependency order/,
    );
    expect(restoreStep(plan)).toMatch(
      /a foreign key after both its tables have their keys\)\. loanserve_restore_\S+ is kept only when the checksum matched/,
    );
  });

  it("follows the target's jobs: one transaction on one connection, or more connections", () => {
    const one = buildLogicalPlan(input({ jobs: 1 }));
    expect(one.load).toEqual({ jobs: 1, method: "one-transaction" });
    expect(restoreStep(one)).toMatch(/into psql \(one connection, inside one transaction, committed only when the checksum matched/);
    expect(buildLogicalPlan(input({ jobs: 4 })).load).toEqual({ jobs: 4, method: "parallel-sections" });
  });

  it("says pg_restore -j N for a custom-format dump", () => {
    const plan = buildLogicalPlan(input({ jobs: 3, source: { ...input().source, format: "custom", name: "x.dump" } }));
    expect(plan.load).toEqual({ jobs: 3, method: "pg-restore" });
    expect(restoreStep(plan)).toMatch(/into pg_restore -j 3, running as that role/);
    expect(planLoad("custom")).toEqual({ jobs: 2, method: "pg-restore" });
  });

  it("is stored and read back with the plan, and plans stored before it existed still read without it", () => {
    const plan = buildLogicalPlan(input({ jobs: 3 }));
    const read = readLogicalPlan({ id: "r", kind: "logical", plan: JSON.parse(JSON.stringify(plan)) as never });
    expect(read.load).toEqual({ jobs: 3, method: "parallel-sections" });
    for (const old of stored.logical) expect(readLogicalPlan({ id: "r", kind: "logical", plan: old as never }).load).toBeUndefined();
  });
});
