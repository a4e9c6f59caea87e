import { describe, expect, it } from "vitest";
import stored from "../fixtures/stored-plans-v1.json";
import { readLogicalPlan } from "../read-plan";
import {
  beforeRestoreName,
  buildLogicalPlan,
  cleanupCandidates,
  cleanupConfirmationText,
  planLoad,
  rollbackConfirmationText,
  rollbackRenames,
  rolledBackName,
  scratchDatabaseName,
  swapConfirmationText,
  type BuildPlanInput,
} from "./plan";

const AT = new Date("2026-11-25T14:07:33Z");
const RUN_ID = "3f2a9c1e-0000-4000-8000-000000000000";

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
  runId: RUN_ID,
  at: AT,
  configuredChecks: 2,
  builtinChecks: 4,
  preflight: null,
  ...overrides,
});

describe("database names", () => {
  it("are dated in UTC and carry the run's short id", () => {
    expect(scratchDatabaseName("loanserve", AT, RUN_ID)).toBe("loanserve_restore_202611251407_3f2a9c1e");
    expect(beforeRestoreName("loanserve", AT)).toBe("loanserve_before_restore_202611251407");
    expect(rolledBackName("loanserve", AT, RUN_ID)).toBe("loanserve_rolled_back_202611251407_3f2a9c1e");
  });

  it("fit PostgreSQL's 63-byte limit by shortening the base, keeping the suffix", () => {
    const long = "x".repeat(63);
    const name = scratchDatabaseName(long, AT, RUN_ID);
    expect(name).toHaveLength(63);
    expect(name.endsWith("_restore_202611251407_3f2a9c1e")).toBe(true);
  });
});

describe("buildLogicalPlan", () => {
  it("lists the swap steps, what is replaced and kept, and the confirmations", () => {
    const plan = buildLogicalPlan(input());
    expect(plan.steps.map((s) => s.name)).toEqual(["preflight", "restore", "validate", "swap", "cleanup"]);
    expect(plan.steps.map((s) => s.automatic)).toEqual([true, true, true, true, false]);
    expect(plan.steps.find((s) => s.name === "restore")?.timeoutMs).toBe(6 * 3_600_000);
    expect(plan.databases).toEqual({
      live: "loanserve",
      scratch: "loanserve_restore_202611251407_3f2a9c1e",
      beforeRestore: "loanserve_before_restore_202611251407",
      newDatabase: null,
    });
    expect(plan.replaces[0]).toMatch(/loanserve on db.internal:5432 is replaced/);
    expect(plan.keeps.join(" ")).toMatch(/loanserve_before_restore_202611251407/);
    expect(plan.confirmations).toEqual({ start: "loanserve", swap: swapConfirmationText("2026-11-24.sql.gz", "loanserve") });
    expect(plan.confirmations.swap).toBe("2026-11-24.sql.gz -> loanserve");
  });

  it("leaves the target alone in new-database mode", () => {
    const plan = buildLogicalPlan(input({ mode: "new-database", newDatabaseName: "loanserve_copy" }));
    expect(plan.steps.map((s) => s.name)).toEqual(["preflight", "restore", "validate", "rename", "cleanup"]);
    expect(plan.databases.newDatabase).toBe("loanserve_copy");
    expect(plan.steps.find((s) => s.name === "rename")?.description).toBe(
      "Renames the scratch database to loanserve_copy. loanserve is left alone.",
    );
    expect(plan.replaces).toEqual(["Nothing: loanserve on db.internal:5432 is left alone."]);
    expect(plan.confirmations.swap).toBeNull();
  });

  it("names the scratch database once in its steps, and still says what happens to it at every step", () => {
    const plan = buildLogicalPlan(input());
    const text = plan.steps.map((s) => `${s.title} ${s.description}`).join(" ");
    expect(text.split("loanserve_restore_202611251407_3f2a9c1e")).toHaveLength(2);
    const step = (name: string) => plan.steps.find((s) => s.name === name)?.description ?? "";
    expect(step("restore")).toContain("the empty scratch database loanserve_restore_202611251407_3f2a9c1e, owned by it");
    expect(step("restore")).toContain("the dump can change nothing outside the scratch database");
    expect(step("restore")).toContain("failure the scratch database and the loader are dropped; loanserve is never touched.");
    expect(step("validate")).toContain("A failure stops here: the scratch database is kept for inspection and loanserve is untouched.");
    expect(step("swap")).toContain("renames loanserve to loanserve_before_restore_202611251407 and the scratch database to loanserve");
    expect(plan.keeps).toContain("The scratch database, if validation fails, for inspection.");
    expect(plan.replaces).toEqual([
      "loanserve on db.internal:5432 is replaced by the data of 2026-11-24.sql.gz (taken 2026-11-24 02:00:00 UTC) once you confirm the swap.",
    ]);
  });

  it("never carries a password", () => {
    expect(JSON.stringify(buildLogicalPlan(input()))).not.toMatch(/password/i);
  });
});

describe("cleanupCandidates", () => {
  const run = { targetDatabase: "loanserve", newDatabaseName: null, scratchDatabase: "s", previousDatabase: "p", rolledBackDatabase: "r" };

  it("offers the superseded database after a swap, the set-aside copy after a rollback", () => {
    expect(cleanupCandidates({ ...run, status: "succeeded" })).toEqual(["s", "p"]);
    expect(cleanupCandidates({ ...run, status: "rolled-back" })).toEqual(["s", "r"]);
    expect(cleanupCandidates({ ...run, status: "failed" })).toEqual(["s"]);
  });

  it("never offers the live database or the new database", () => {
    expect(cleanupCandidates({ ...run, status: "succeeded", previousDatabase: "loanserve" })).toEqual(["s"]);
    expect(cleanupCandidates({ ...run, status: "succeeded", newDatabaseName: "s", previousDatabase: null })).toEqual([]);
  });
});

describe("rollback and clean-up, as their dialogs name them", () => {
  const swapped = {
    id: RUN_ID,
    targetDatabase: "loanserve",
    previousDatabase: "loanserve_before_restore_202611251407",
    finishedAt: AT,
    createdAt: new Date("2026-11-25T13:00:00Z"),
  };

  it("names both renames exactly before the click: the aside name is dated by the swap it undoes", () => {
    expect(rollbackRenames(swapped)).toEqual([
      { from: "loanserve", to: "loanserve_rolled_back_202611251407_3f2a9c1e" },
      { from: "loanserve_before_restore_202611251407", to: "loanserve" },
    ]);
    // The same answer however late the person clicks.
    expect(rollbackRenames(swapped)).toEqual(rollbackRenames({ ...swapped }));
  });

  it("asks a protected environment to type what takes the live name back, or every database dropped", () => {
    expect(rollbackConfirmationText("loanserve_before_restore_202611251407", "loanserve")).toBe(
      "loanserve_before_restore_202611251407 -> loanserve",
    );
    expect(cleanupConfirmationText(["loanserve_restore_x", "loanserve_before_restore_y"])).toBe(
      "drop loanserve_restore_x, loanserve_before_restore_y",
    );
  });
});

describe("a plan of chosen tables", () => {
  const selection = {
    tables: ["public.payments"],
    sequences: ["public.payments_id_seq"],
    indexes: ["payments_loan_idx"],
    constraints: ["payments_pkey"],
    triggers: [],
    foreignKeys: [],
    skippedForeignKeys: [{ name: "payments_loan_id_fkey", table: "public.payments", references: "public.loans" }],
  };

  it("keeps the selection and says what comes along, what is skipped, and which checks run", () => {
    const plan = buildLogicalPlan(input({ mode: "new-database", newDatabaseName: null, selection }));
    expect(plan.selection).toEqual(selection);
    const restore = plan.steps.find((s) => s.name === "restore")?.description ?? "";
    expect(restore).toContain("Only 1 chosen table (public.payments) with their 1 owned sequence, 1 index, 1 key or constraint;");
    expect(restore).toContain("1 foreign key to or from tables not chosen is skipped (payments_loan_id_fkey)");
    expect(plan.steps.find((s) => s.name === "validate")?.description).toContain(
      "configured checks expect the whole database and are not run",
    );
  });

  it("counts several of each in the plural", () => {
    const plan = buildLogicalPlan(
      input({
        mode: "new-database",
        newDatabaseName: null,
        selection: {
          ...selection,
          tables: ["public.loans", "public.payments"],
          indexes: ["loans_tenant_idx", "payments_loan_idx"],
          foreignKeys: [{ name: "payments_loan_id_fkey", table: "public.payments", references: "public.loans" }],
          skippedForeignKeys: [
            { name: "loans_tenant_id_fkey", table: "public.loans", references: "public.tenants" },
            { name: "payments_tenant_id_fkey", table: "public.payments", references: "public.tenants" },
          ],
        },
      }),
    );
    const restore = restoreStep(plan);
    expect(restore).toContain(
      "Only 2 chosen tables (public.loans, public.payments) with their 1 owned sequence, 2 indexes, 2 keys and constraints;",
    );
    expect(restore).toContain("2 foreign keys to or from tables not chosen are skipped");
  });

  it("restores the whole dump without a selection", () => {
    const plan = buildLogicalPlan(input({ mode: "new-database", newDatabaseName: null }));
    expect(plan.selection).toBeNull();
    expect(plan.steps.find((s) => s.name === "restore")?.description).not.toContain("chosen table");
  });
});

// What the plan says about how the restore step loads the dump (the target's `jobs` and the method).

const restoreStep = (plan: ReturnType<typeof buildLogicalPlan>) => plan.steps.find((s) => s.name === "restore")?.description ?? "";

describe("the plan's load", () => {
  it("loads a plain dump over the default two connections, section by section, and says so", () => {
    const plan = buildLogicalPlan(input());
    expect(plan.load).toEqual({ jobs: 2, method: "parallel-sections" });
    expect(restoreStep(plan)).toMatch(
      /into 2 parallel connections \(one psql each, every one running as that role\), split into pg_dump's sections as it arrives: pre-data first, then the tables' data on every connection, then indexes and constraints in dependency order/,
    );
    expect(restoreStep(plan)).toMatch(
      /a foreign key after both its tables have their keys\)\. The scratch database is kept only when the checksum matched/,
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
