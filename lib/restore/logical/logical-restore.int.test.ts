import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import { refreshCatalog } from "@/lib/backups/refresh-catalog";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { Db } from "@/lib/db/client";
import { BadRequestError, ConflictError, ForbiddenError } from "@/lib/errors";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { startWorkerProcess } from "@/lib/testing/worker-process";
import { createTestUser } from "@/lib/testing/auth";
import { adminUrl, sqlOn, withDatabase } from "@/lib/testing/databases";
import {
  backupIdOf,
  seedLoanServeDatabases,
  sleepBeforeEnd,
  startRestoreTestApp,
  waitForRunStatus,
  writeChangedDump,
  writeRestoreConfig,
  type RestoreTestApp,
} from "@/lib/testing/restore-runs";
import type { TestS3 } from "@/lib/testing/s3";
import { collect } from "@/lib/testing/streams";
import { createNightlyDump, type DumpManifest } from "@/scripts/lib/demo/nightly-dump";
import { cancelRestore } from "../cancel-restore";
import { cleanupRestore } from "../cleanup-restore";
import { confirmSwap } from "./confirm-swap";
import { getRestoreRun } from "../get-restore-run";
import { listRestoreRuns } from "../list-restore-runs";
import { planLogicalRestore } from "./plan-logical-restore";
import { createRestoreRunJob } from "../restore-run-job";
import { restoreSweeperJob } from "../restore-sweeper-job";
import { rollbackRestore } from "./rollback-restore";
import { subscribeToRunEvents, type RunEventView } from "../engine/events";
import { startLogicalRestore } from "./start-logical-restore";
import { sweepRestoreRuns } from "../sweep-restore-runs";
import { ADVICE } from "../engine/troubleshooting";
import { systemCtx } from "@/lib/db/ctx";

// A whole logical restore against real services: PostgreSQL (the shared test cluster), an
// S3-protocol server holding real pg_dump output, and the pg-boss worker running the jobs.

const id = randomBytes(4).toString("hex");
const ROLE = `rc_restore_${id}`;
const OWNER = `loanserve_owner_${id}`;
const READER = `loanserve_reader_${id}`;
const ROLE_PASSWORD = `pw-${randomBytes(8).toString("hex")}`;
const SOURCE_DB = `source_${id}`;
const LIVE_DB = `loanserve_${id}`;
const CRASH_DB = `crashlive_${id}`;
const PREFIX = `restores-${id}/`;
const SLEEP_SECONDS = 40;
/** Restored loans must match the manifest's count exactly: the miscounted dump fails it. */
const LOANS_MATCH_MANIFEST = {
  name: "loans-match-manifest",
  sql: "SELECT count(*) FROM loans",
  expect: { withinPercentOfManifest: { table: "loans", percent: 0 } },
};

let app: RestoreTestApp;
let s3: TestS3;
let db: Db;
let appUrl: string;
let worker: RunningWorker | undefined;
let tempDir: string;
let operator: SessionUser;
let goodManifest: DumpManifest;
const backupIds: Record<"good" | "corrupt" | "slow" | "miscounted" | "hostile" | "guarded", string> = {
  good: "",
  corrupt: "",
  slow: "",
  miscounted: "",
  hostile: "",
  guarded: "",
};

/** This file's databases (other test files create their own on the shared cluster meanwhile). */
async function databases(): Promise<Set<string>> {
  const rows = await sqlOn<{ datname: string }>("postgres", "SELECT datname FROM pg_database WHERE strpos(datname, $1) > 0", [id]);
  return new Set(rows.map((r) => r.datname));
}

/** Row count and a checksum of every loan row: "exactly as it was" in two numbers. */
async function fingerprint(database: string): Promise<{ loans: number; digest: string }> {
  const [row] = await sqlOn<{ loans: number; digest: string }>(
    database,
    "SELECT count(*)::int AS loans, md5(string_agg(l::text, ',' ORDER BY id)) AS digest FROM loans l",
  );
  if (!row) throw new Error("no fingerprint");
  return row;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const ctx = () => ({ db, user: operator, requestId: randomUUID() });
const runOf = (runId: string) => getRestoreRun({ ctx: systemCtx(db), input: { runId } });

/** The good dump again, with a manifest whose row counts it does not match: it restores, and fails validation. */
async function writeMiscountedDump(): Promise<void> {
  const store = s3.store(PREFIX);
  const good = await collect(await store.read(`${PREFIX}2026-11-19.sql.gz`));
  await store.write(`${PREFIX}2026-11-16.sql.gz`, good);
  const manifest = {
    ...goodManifest,
    file: "2026-11-16.sql.gz",
    created_at: "2026-11-16T02:00:00.000Z",
    tables: { ...goodManifest.tables, loans: goodManifest.tables.loans + 5 },
  };
  await store.write(`${PREFIX}2026-11-16.manifest.json`, Buffer.from(JSON.stringify(manifest)));
}

/** The good dump with `COMMIT; DROP DATABASE <another>` right after pg_dump's own `\restrict` line. */
function hostile(sql: string): string {
  return sql.replace(/^(\\restrict \S+\n)/m, `$1COMMIT;\nDROP DATABASE IF EXISTS ${CRASH_DB};\n`);
}

beforeAll(async () => {
  app = await startRestoreTestApp("rc-restore-it-");
  ({ s3, db, appUrl, tempDir } = app);
  const user = await createTestUser(appUrl, "operator");
  operator = { id: user.id, email: user.email, name: null, role: "operator" };

  // The restore user is like a managed database's master user (LOGIN CREATEDB CREATEROLE, no
  // superuser), a member of the application's owner role, which owns the targets.
  await sqlOn("postgres", `CREATE ROLE ${ROLE} LOGIN CREATEDB CREATEROLE PASSWORD '${ROLE_PASSWORD}'`);
  await sqlOn("postgres", `CREATE ROLE ${OWNER} NOLOGIN`);
  await sqlOn("postgres", `GRANT ${OWNER} TO ${ROLE}`);
  for (const database of [SOURCE_DB, LIVE_DB, CRASH_DB]) await sqlOn("postgres", `CREATE DATABASE ${database} OWNER ${OWNER}`);
  await seedLoanServeDatabases(SOURCE_DB, [LIVE_DB, CRASH_DB]);
  // The source as applications have it: its tables belong to the owner role, a reporting role reads them.
  await sqlOn("postgres", `CREATE ROLE ${READER} NOLOGIN`);
  await sqlOn(
    SOURCE_DB,
    `DO $$ DECLARE t record; BEGIN
       FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
         EXECUTE format('ALTER TABLE public.%I OWNER TO %I', t.tablename, '${OWNER}');
       END LOOP;
     END $$;
     GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${READER};`,
  );

  const store = s3.store(PREFIX);
  const good = await createNightlyDump({
    sourceUrl: adminUrl(),
    store,
    night: new Date("2026-11-19T00:00:00Z"),
    format: "plain",
    database: SOURCE_DB,
  });
  goodManifest = good.manifest;
  await createNightlyDump({
    sourceUrl: adminUrl(),
    store,
    night: new Date("2026-11-18T00:00:00Z"),
    format: "plain",
    database: SOURCE_DB,
    corruptManifest: true,
  });
  const changed = { prefix: PREFIX, from: "2026-11-19", manifest: goodManifest };
  await writeChangedDump(store, { ...changed, date: "2026-11-17", transform: sleepBeforeEnd(SLEEP_SECONDS) });
  await writeMiscountedDump();
  await writeChangedDump(store, { ...changed, date: "2026-11-15", transform: hostile });

  await writeRestoreConfig(tempDir, {
    environments: [
      { name: "itest", protected: false, targets: { dr: LIVE_DB, crash: CRASH_DB }, validation: { checks: [LOANS_MATCH_MANIFEST] } },
      { name: "guarded", protected: true, targets: { "guarded-dr": LIVE_DB } },
    ],
    user: ROLE,
    password: ROLE_PASSWORD,
    s3,
    prefix: PREFIX,
    envPrefix: "RC_IT",
  });

  for (const environment of ["itest", "guarded"]) {
    await refreshCatalog({ ctx: systemCtx(db), input: { environment: resolveEnvironment(environment), store } });
  }
  const backup = (environment: string, name: string) => backupIdOf(db, environment, name);
  backupIds.good = await backup("itest", "2026-11-19.sql.gz");
  backupIds.corrupt = await backup("itest", "2026-11-18.sql.gz");
  backupIds.slow = await backup("itest", "2026-11-17.sql.gz");
  backupIds.miscounted = await backup("itest", "2026-11-16.sql.gz");
  backupIds.hostile = await backup("itest", "2026-11-15.sql.gz");
  backupIds.guarded = await backup("guarded", "2026-11-19.sql.gz");

  worker = await startWorker({ connectionString: appUrl, db, jobs: [createRestoreRunJob({ renewEveryMs: 1_000 }), restoreSweeperJob] });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await app?.stop();
});

describe("logical restore", () => {
  it("plans without changing anything, and shows the target without its password", async () => {
    const before = await databases();
    const preview = await planLogicalRestore({ ctx: systemCtx(db), input: { backupId: backupIds.good, targetName: "dr", mode: "swap" } });
    expect(preview.canStart).toBe(true);
    expect(preview.plan.preflight?.passed).toBe(true);
    expect(preview.plan.preflight?.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "reachable",
        "server-version",
        "create-privilege",
        "scratch-free",
        "target-exists",
        "tools",
        "space",
        "sessions",
      ]),
    );
    expect(preview.plan.source).toMatchObject({
      name: "2026-11-19.sql.gz",
      sha256: goodManifest.sha256,
      manifestTables: goodManifest.tables,
    });
    expect(preview.plan.target).toMatchObject({ database: LIVE_DB, user: ROLE, host: "127.0.0.1" });
    // The worker scheduled its sweeper with pg-boss's cron.
    expect((await worker?.boss.getSchedules())?.map((schedule) => schedule.name)).toContain("restore-sweeper");
    expect(preview.plan.steps.map((s) => s.name)).toEqual(["preflight", "restore", "validate", "swap", "cleanup"]);
    expect(JSON.stringify(preview)).not.toContain(ROLE_PASSWORD);
    expect(await databases()).toEqual(before);
  });

  it("restores into scratch, validates, waits for the swap, swaps, and rolls back", async () => {
    const original = await fingerprint(LIVE_DB);
    expect(original.loans).not.toBe(goodManifest.tables.loans);

    await expect(
      startLogicalRestore({ ctx: ctx(), input: { backupId: backupIds.good, targetName: "dr", mode: "swap", confirmation: "loanserve" } }),
    ).rejects.toBeInstanceOf(BadRequestError);
    const started = await startLogicalRestore({
      ctx: ctx(),
      input: { backupId: backupIds.good, targetName: "dr", mode: "swap", confirmation: LIVE_DB },
    });
    expect(started.status).toBe("queued");

    const events: RunEventView[] = [];
    const unsubscribe = await subscribeToRunEvents(started.id, (event) => events.push(event), { connectionString: appUrl });
    try {
      const waiting = await waitForRunStatus(db, started.id, ["awaiting-swap", "failed"]);
      expect(waiting.run.error).toBeNull();
      expect(waiting.run.status).toBe("awaiting-swap");
      expect(waiting.steps.map((s) => [s.name, s.status])).toEqual([
        ["preflight", "succeeded"],
        ["restore", "succeeded"],
        ["validate", "succeeded"],
        ["swap", "pending"],
        ["cleanup", "pending"],
      ]);
      expect(waiting.steps[1]?.output).toMatchObject({ sha256: goodManifest.sha256, bytesRead: goodManifest.size });
      expect(waiting.validation.passed).toBe(true);
      expect(waiting.validation.results.map((r) => r.name)).toContain("loans-match-manifest");
      expect(waiting.run.progress).toMatchObject({
        step: "restore",
        bytesRead: goodManifest.size,
        totalBytes: goodManifest.size,
        percent: 100,
      });
      expect(waiting.liveSessions).toEqual([]);
      // The target is untouched until the person confirms; the restored copy waits beside it.
      expect(await fingerprint(LIVE_DB)).toEqual(original);
      expect((await fingerprint(waiting.run.scratchDatabase)).loans).toBe(goodManifest.tables.loans);

      await expect(confirmSwap({ ctx: ctx(), input: { runId: started.id, confirmation: `wrong -> ${LIVE_DB}` } })).rejects.toBeInstanceOf(
        BadRequestError,
      );
      await confirmSwap({ ctx: ctx(), input: { runId: started.id, confirmation: `2026-11-19.sql.gz -> ${LIVE_DB}` } });
      const done = await waitForRunStatus(db, started.id, ["succeeded", "failed"]);
      expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
      expect(done.run.previousDatabase).toMatch(new RegExp(`^${LIVE_DB}_before_restore_\\d{12}$`));
      expect(done.run.actions.rollback).toBe(true);

      // The live name now holds the dump's data; the old database is kept under its dated name.
      expect((await fingerprint(LIVE_DB)).loans).toBe(goodManifest.tables.loans);
      // Owners and privileges are the source's, so the application works after the swap.
      const privileges = (database: string) =>
        sqlOn(
          database,
          "SELECT relname, pg_get_userbyid(relowner) AS owner, relacl::text AS acl FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S') ORDER BY relname",
        );
      const restored = await privileges(LIVE_DB);
      expect(restored.length).toBeGreaterThan(3);
      expect(restored).toEqual(await privileges(SOURCE_DB));
      expect(JSON.stringify(restored)).toContain(`${READER}=r/${OWNER}`);
      expect(await fingerprint(done.run.previousDatabase ?? "")).toEqual(original);
      expect((await databases()).has(done.run.scratchDatabase)).toBe(false);
      expect(await db.restoreTargetLock.count({ where: { targetName: "dr" } })).toBe(0);

      await waitFor("the live feed to show the run's moves", async () =>
        events.some((e) => e.type === "status" && (e.payload as { to?: string }).to === "succeeded"),
      );
      const types = new Set(events.map((e) => e.type));
      for (const type of ["run.created", "status", "step.started", "step.succeeded", "progress", "validation", "swap"])
        expect(types).toContain(type);
      expect(events.map((e) => Number(e.id))).toEqual([...events.map((e) => Number(e.id))].sort((a, b) => a - b));
    } finally {
      await unsubscribe();
    }

    const rolledBack = await rollbackRestore({ ctx: ctx(), input: { runId: started.id } });
    expect(rolledBack.status).toBe("rolled-back");
    expect(await fingerprint(LIVE_DB)).toEqual(original);
    expect((await fingerprint(rolledBack.rolledBackDatabase ?? "")).loans).toBe(goodManifest.tables.loans);

    const cleaned = await cleanupRestore({ ctx: ctx(), input: { runId: started.id } });
    expect(cleaned.dropped).toEqual([rolledBack.rolledBackDatabase]);
    expect(await fingerprint(LIVE_DB)).toEqual(original);

    const actions = (await db.auditEvent.findMany({ where: { subjectId: started.id }, orderBy: { id: "asc" } })).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "restore.start",
        "restore.validate",
        "restore.awaiting-swap",
        "restore.swap.confirm",
        "restore.swap",
        "restore.succeeded",
        "restore.rollback",
        "restore.cleanup",
      ]),
    );
    const audit = JSON.stringify(await db.auditEvent.findMany({ where: { subjectId: started.id }, select: { payload: true } }));
    expect(audit).not.toContain(ROLE_PASSWORD);

    const listed = await listRestoreRuns({ ctx: systemCtx(db), input: { environment: "itest", status: "rolled-back" } });
    expect(listed.runs.map((r) => r.id)).toContain(started.id);
    expect(listed.runs.find((r) => r.id === started.id)?.durationMs).toBeGreaterThan(0);
  }, 120_000);

  it("a checksum-mismatched backup leaves the target exactly as it was and says why", async () => {
    const before = await fingerprint(LIVE_DB);
    const started = await startLogicalRestore({
      ctx: ctx(),
      input: { backupId: backupIds.corrupt, targetName: "dr", mode: "swap", confirmation: LIVE_DB },
    });
    const failed = await waitForRunStatus(db, started.id, ["failed", "awaiting-swap", "succeeded"]);
    expect(failed.run.status).toBe("failed");
    expect(failed.run.error).toMatch(/Checksum mismatch/);
    expect(failed.run.troubleshooting).toBe(ADVICE.checksum);
    expect(failed.steps.find((s) => s.name === "restore")?.status).toBe("failed");
    expect(failed.steps.find((s) => s.name === "validate")?.status).toBe("skipped");
    expect(await fingerprint(LIVE_DB)).toEqual(before);
    expect((await databases()).has(failed.run.scratchDatabase)).toBe(false);
    expect(await db.restoreTargetLock.count({ where: { targetName: "dr" } })).toBe(0);
    expect(failed.run.errorDetail ?? "").not.toContain(ROLE_PASSWORD);
  }, 60_000);

  it("a hostile dump (COMMIT; DROP DATABASE) is refused with its line: run failed, refusal audited, scratch and loader gone, every database intact", async () => {
    const before = await fingerprint(LIVE_DB);
    const started = await startLogicalRestore({
      ctx: ctx(),
      input: { backupId: backupIds.hostile, targetName: "dr", mode: "swap", confirmation: LIVE_DB },
    });
    const failed = await waitForRunStatus(db, started.id, ["failed", "awaiting-swap", "succeeded"]);
    expect(failed.run.status).toBe("failed");
    expect(failed.run.error).toMatch(/The dump was refused: line \d+ holds COMMIT;/);
    expect(failed.run.troubleshooting).toBe(ADVICE.refused);
    expect(await fingerprint(LIVE_DB)).toEqual(before);
    const existing = await databases();
    expect(existing.has(CRASH_DB)).toBe(true);
    expect(existing.has(failed.run.scratchDatabase)).toBe(false);
    expect(
      await sqlOn("postgres", `SELECT 1 FROM pg_roles WHERE rolname LIKE 'rc_loader_${started.id.replace(/-/g, "").slice(0, 20)}'`),
    ).toEqual([]);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { subjectId: started.id, action: "restore.failed" } });
    expect(audit.outcome).toBe("failed");
    expect(audit.payload).toMatchObject({ failure: "dump-refused", step: "restore" });
  }, 60_000);

  it("a blocking validation failure holds the run before the swap, keeps the restored copy for inspection, and leaves the target alone", async () => {
    const before = await fingerprint(LIVE_DB);
    const started = await startLogicalRestore({
      ctx: ctx(),
      input: { backupId: backupIds.miscounted, targetName: "dr", mode: "swap", confirmation: LIVE_DB },
    });
    const failed = await waitForRunStatus(db, started.id, ["failed", "awaiting-swap"]);
    // It waits for an admin to accept the failures (validation-acceptance.int.test.ts) or a cancel.
    expect(failed.run.status).toBe("awaiting-swap");
    expect(failed.run.validationPassed).toBe(false);
    expect(failed.steps.map((s) => [s.name, s.status])).toEqual([
      ["preflight", "succeeded"],
      ["restore", "succeeded"],
      ["validate", "succeeded"],
      ["swap", "pending"],
      ["cleanup", "pending"],
    ]);
    const failedChecks = failed.validation.results.filter((r) => !r.passed).map((r) => r.name);
    expect(failedChecks).toEqual(expect.arrayContaining(["critical-table-rows", "loans-match-manifest"]));
    expect(failed.validation.unaccepted).toEqual(expect.arrayContaining(["critical-table-rows", "loans-match-manifest"]));
    await expect(
      confirmSwap({ ctx: ctx(), input: { runId: started.id, confirmation: `2026-11-16.sql.gz -> ${LIVE_DB}` } }),
    ).rejects.toThrow(/critical-table-rows.*the swap is refused until an admin accepts/);
    expect(failed.validation.results.find((r) => r.name === "loans-match-manifest")).toMatchObject({
      actual: goodManifest.tables.loans,
      passed: false,
    });
    // Compared with the last validated run of this target (the good restore earlier).
    expect(failed.previousValidation?.comparison.checks.find((c) => c.name === "loans-match-manifest")).toMatchObject({
      previousPassed: true,
      currentPassed: false,
    });
    expect((await fingerprint(failed.run.scratchDatabase)).loans).toBe(goodManifest.tables.loans);
    expect(await fingerprint(LIVE_DB)).toEqual(before);

    const cancelled = await cancelRestore({ ctx: ctx(), input: { runId: started.id } });
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.error).toMatch(new RegExp(`The restored copy ${failed.run.scratchDatabase} is kept until you clean it up`));
    const cleaned = await cleanupRestore({ ctx: ctx(), input: { runId: started.id } });
    expect(cleaned.dropped).toEqual([failed.run.scratchDatabase]);
    expect((await databases()).has(failed.run.scratchDatabase)).toBe(false);
    expect((await runOf(started.id)).steps.find((s) => s.name === "cleanup")).toMatchObject({
      status: "succeeded",
      output: { dropped: [failed.run.scratchDatabase] },
    });
  }, 60_000);

  it("drops a kept copy once the environment's retention period has passed, as the system", async () => {
    const started = await startLogicalRestore({
      ctx: ctx(),
      input: { backupId: backupIds.miscounted, targetName: "dr", mode: "swap", confirmation: LIVE_DB },
    });
    const failed = await waitForRunStatus(db, started.id, ["failed", "awaiting-swap"]);
    // Held for an admin's acceptance; once cancelled it is a finished run's leftover.
    await cancelRestore({ ctx: ctx(), input: { runId: started.id } });
    expect((await databases()).has(failed.run.scratchDatabase)).toBe(true);

    // Within the retention period (7 days by default) the copy stays for inspection.
    expect((await sweepRestoreRuns({ ctx: systemCtx(db) })).expired).not.toContain(started.id);
    expect((await databases()).has(failed.run.scratchDatabase)).toBe(true);

    await db.restoreRun.update({ where: { id: started.id }, data: { finishedAt: new Date(Date.now() - 8 * 86_400_000) } });
    expect((await sweepRestoreRuns({ ctx: systemCtx(db) })).expired).toContain(started.id);
    expect((await databases()).has(failed.run.scratchDatabase)).toBe(false);
    expect((await runOf(started.id)).steps.find((s) => s.name === "cleanup")).toMatchObject({
      status: "succeeded",
      output: { dropped: [failed.run.scratchDatabase] },
    });
    const audit = await db.auditEvent.findFirst({ where: { action: "restore.cleanup", subjectId: started.id } });
    expect(audit?.actorEmail).toBe("system");
  }, 60_000);

  it("two simultaneous restores of one target give one run and one conflict naming it", async () => {
    const input = { backupId: backupIds.corrupt, targetName: "dr", mode: "swap" as const, confirmation: LIVE_DB };
    const countBefore = await db.restoreRun.count();
    const results = await Promise.allSettled([startLogicalRestore({ ctx: ctx(), input }), startLogicalRestore({ ctx: ctx(), input })]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<{ id: string }>).value;
    expect(lost[0]?.reason).toBeInstanceOf(ConflictError);
    expect((lost[0]?.reason as Error).message).toMatch(
      new RegExp(`^Target dr is being restored by run ${winner.id} started by ${operator.email} at `),
    );
    expect(await db.restoreRun.count()).toBe(countBefore + 1);
    await waitForRunStatus(db, winner.id, ["failed"]);
  }, 60_000);

  it("refuses an operator on a protected environment", async () => {
    await expect(
      startLogicalRestore({
        ctx: ctx(),
        input: { backupId: backupIds.guarded, targetName: "guarded-dr", mode: "swap", confirmation: LIVE_DB },
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("restores into a new database and leaves the target alone", async () => {
    const before = await fingerprint(LIVE_DB);
    const newName = `copy_${id}`;
    const started = await startLogicalRestore({
      ctx: ctx(),
      input: { backupId: backupIds.good, targetName: "dr", mode: "new-database", newDatabaseName: newName, confirmation: LIVE_DB },
    });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed"]);
    expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
    expect(done.steps.map((s) => s.name)).toEqual(["preflight", "restore", "validate", "rename", "cleanup"]);
    expect((await fingerprint(newName)).loans).toBe(goodManifest.tables.loans);
    expect(await fingerprint(LIVE_DB)).toEqual(before);
    await sqlOn("postgres", `DROP DATABASE ${newName}`);
  }, 60_000);

  it("restores only chosen tables into a new database: the table and what belongs to it, not the rest", async () => {
    const { readBackupTables } = await import("@/lib/backups/read-backup-tables");
    await readBackupTables({ ctx: systemCtx(db), input: { backupId: backupIds.good, store: s3.store(PREFIX) } });
    const newName = `some_${id}`;
    const started = await startLogicalRestore({
      ctx: ctx(),
      input: {
        backupId: backupIds.good,
        targetName: "dr",
        mode: "new-database",
        newDatabaseName: newName,
        confirmation: LIVE_DB,
        tables: ["public.payments"],
      },
    });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed"]);
    expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
    const tables = await sqlOn<{ name: string }>(newName, "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    expect(tables.map((t) => t.name)).toEqual(["payments"]);
    const [count] = await sqlOn<{ n: number }>(newName, "SELECT count(*)::int AS n FROM payments");
    expect(count?.n).toBe(goodManifest.tables.payments);
    // Its primary key came along; the foreign key to loans, which was not chosen, did not.
    const keys = await sqlOn<{ name: string; type: string }>(
      newName,
      "SELECT conname AS name, contype::text AS type FROM pg_constraint WHERE conrelid = 'payments'::regclass ORDER BY 1",
    );
    expect(keys.some((k) => k.type === "p")).toBe(true);
    expect(keys.some((k) => k.type === "f")).toBe(false);
    // Only the built-ins that apply to a payments-only copy ran.
    expect(done.validation.results.map((r) => r.name)).not.toContain("orphaned-payments");
    await sqlOn("postgres", `DROP DATABASE ${newName}`);
  }, 60_000);

  it("a hostile dump restored table by table is refused all the same: the selection cuts sections, the guard still reads what passes", async () => {
    const { readBackupTables } = await import("@/lib/backups/read-backup-tables");
    await readBackupTables({ ctx: systemCtx(db), input: { backupId: backupIds.hostile, store: s3.store(PREFIX) } });
    const before = await fingerprint(CRASH_DB);
    const started = await startLogicalRestore({
      ctx: ctx(),
      input: {
        backupId: backupIds.hostile,
        targetName: "dr",
        mode: "new-database",
        newDatabaseName: `hostile_some_${id}`,
        confirmation: LIVE_DB,
        tables: ["public.payments"],
      },
    });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed"]);
    expect(done.run.status).toBe("failed");
    expect(done.run.error).toMatch(/COMMIT/);
    expect(await fingerprint(CRASH_DB)).toEqual(before);
    expect((await databases()).has(`hostile_some_${id}`)).toBe(false);
  }, 60_000);

  it("ticks an open incident's checklist from the run's real events and measures its RTO/RPO", async () => {
    const { declareIncident } = await import("@/lib/incidents/declare-incident");
    const { getIncident } = await import("@/lib/incidents/get-incident");
    const { id: incidentId } = await declareIncident({
      ctx: ctx(),
      input: {
        title: "Loans deleted by a bad migration",
        severity: "sev1",
        environment: "itest",
        scope: "loans table",
        startedAt: new Date(Date.now() - 60_000),
      },
    });
    const newName = `evidence_${id}`;
    const started = await startLogicalRestore({
      ctx: ctx(),
      input: { backupId: backupIds.good, targetName: "dr", mode: "new-database", newDatabaseName: newName, confirmation: LIVE_DB },
    });
    await waitForRunStatus(db, started.id, ["succeeded", "failed"]);
    const incident = await getIncident({ ctx: systemCtx(db), input: { incidentId } });
    const items = incident.phases.flatMap((phase) => phase.items);
    const byText = (text: string) => items.find((item) => item.text === text);
    for (const text of ["Initiate PITR or logical restore", "Monitor restore progress", "Validate critical data integrity"]) {
      expect(byText(text), text).toMatchObject({ checkedByEmail: "system", evidence: { href: `/restores/${started.id}` } });
    }
    expect(byText("Notify stakeholders")?.checkedAt ?? null).toBeNull();
    // RTO: incident start → validated restore; RPO: incident start → the dump's time (met: 24 h objective).
    expect(incident.measurement?.method).toBe("logical");
    expect(incident.measurement?.rto.achievedMinutes).toBeGreaterThan(0.9);
    expect(incident.measurement?.rto.from).toBe("incident-start");
    expect(incident.measurement?.rpo).toMatchObject({ verdict: expect.stringMatching(/met|missed/) });
    // The Overview's chart lists both the incident and the validated run, each measured.
    const { listRecoveryMeasurements } = await import("@/lib/restore/list-recovery-measurements");
    const measured = await listRecoveryMeasurements({ ctx: systemCtx(db), input: { limit: 50 } });
    expect(measured.find((m) => m.kind === "incident" && m.id === incidentId)?.measurement.rto.from).toBe("incident-start");
    expect(measured.find((m) => m.kind === "run" && m.id === started.id)?.measurement).toMatchObject({
      method: "logical",
      rto: { from: "run-start", verdict: "met" },
    });
    await sqlOn("postgres", `DROP DATABASE ${newName}`);
  }, 60_000);

  it("cancel mid-restore stops the stream, drops the scratch database and leaves the target intact", async () => {
    const before = await fingerprint(LIVE_DB);
    const started = await startLogicalRestore({
      ctx: ctx(),
      input: { backupId: backupIds.slow, targetName: "dr", mode: "swap", confirmation: LIVE_DB },
    });
    await waitFor("the slow restore to be streaming", async () => {
      const detail = await runOf(started.id);
      return detail.steps.find((s) => s.name === "restore")?.status === "running" && (detail.run.progress?.bytesRead ?? 0) > 0;
    });
    const requestedAt = Date.now();
    await cancelRestore({ ctx: ctx(), input: { runId: started.id } });
    const cancelled = await waitForRunStatus(db, started.id, ["cancelled", "failed", "succeeded"], 15_000);
    expect(cancelled.run.status).toBe("cancelled");
    // Long before the dump's pg_sleep would have ended: the cancel really stopped psql.
    expect(Date.now() - requestedAt).toBeLessThan(10_000);
    expect(cancelled.steps.find((s) => s.name === "restore")?.status).toBe("cancelled");
    expect((await databases()).has(cancelled.run.scratchDatabase)).toBe(false);
    expect(await fingerprint(LIVE_DB)).toEqual(before);
    expect(await db.restoreTargetLock.count({ where: { targetName: "dr" } })).toBe(0);
  }, 60_000);

  it("shows connected sessions before a swap, ends them only when agreed, and settles a swap whose worker died", async () => {
    const original = await fingerprint(LIVE_DB);
    const started = await startLogicalRestore({
      ctx: ctx(),
      input: { backupId: backupIds.good, targetName: "dr", mode: "swap", confirmation: LIVE_DB },
    });
    await waitForRunStatus(db, started.id, ["awaiting-swap"]);
    const confirmation = `2026-11-19.sql.gz -> ${LIVE_DB}`;
    const appUrlForRole = new URL(withDatabase(adminUrl(), LIVE_DB));
    appUrlForRole.username = ROLE;
    appUrlForRole.password = ROLE_PASSWORD;
    const app = new pg.Client({ connectionString: appUrlForRole.toString(), application_name: "loanserve-api" });
    app.on("error", () => undefined);
    await app.connect();
    try {
      const refused = await confirmSwap({ ctx: ctx(), input: { runId: started.id, confirmation } }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConflictError);
      expect((refused as ConflictError).details).toMatchObject({ sessions: [{ applicationName: "loanserve-api", user: ROLE }] });
      expect((await runOf(started.id)).liveSessions).toMatchObject([{ applicationName: "loanserve-api" }]);

      // A worker that died right after starting the swap: the sweeper finds nothing renamed and asks again.
      await worker?.stop();
      worker = undefined;
      await confirmSwap({ ctx: ctx(), input: { runId: started.id, confirmation, terminateSessions: true } });
      await db.$executeRaw`UPDATE restore_steps SET status = 'running', started_at = now() WHERE run_id = ${started.id}::uuid AND name = 'swap'`;
      await db.$executeRaw`UPDATE restore_runs SET lease_owner = 'dead-worker', lease_expires_at = now() - interval '1 second' WHERE id = ${started.id}::uuid`;
      const swept = await sweepRestoreRuns({ ctx: systemCtx(db) });
      expect(swept.swapResolved).toEqual([{ runId: started.id, outcome: "awaiting-swap" }]);
      const asked = await runOf(started.id);
      expect(asked.run.status).toBe("awaiting-swap");
      expect(asked.run.error).toMatch(/nothing was changed.*Confirm the swap again/);
      expect(asked.steps.find((s) => s.name === "swap")?.status).toBe("pending");
      expect(await fingerprint(LIVE_DB)).toEqual(original);
      expect(await db.restoreTargetLock.count({ where: { runId: started.id } })).toBe(1);

      // Confirmed again with a worker: the connected session is ended and the swap happens.
      worker = await startWorker({ connectionString: appUrl, db, jobs: [createRestoreRunJob({ renewEveryMs: 1_000 })] });
      await confirmSwap({ ctx: ctx(), input: { runId: started.id, confirmation, terminateSessions: true } });
      const done = await waitForRunStatus(db, started.id, ["succeeded", "failed", "awaiting-swap"]);
      expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
      expect(done.steps.find((s) => s.name === "swap")?.output).toMatchObject({ terminatedSessions: 1 });
      await expect(app.query("SELECT 1")).rejects.toThrow();
      expect((await fingerprint(LIVE_DB)).loans).toBe(goodManifest.tables.loans);
    } finally {
      await app.end().catch(() => undefined);
    }

    // A worker that died after the renames committed but before recording them: the databases say it is done.
    await db.$executeRaw`UPDATE restore_runs SET status = 'running', finished_at = NULL, lease_owner = 'dead-worker', lease_expires_at = now() - interval '1 second' WHERE id = ${started.id}::uuid`;
    await db.$executeRaw`UPDATE restore_steps SET status = 'running', output = NULL WHERE run_id = ${started.id}::uuid AND name = 'swap'`;
    await db.restoreTargetLock.create({ data: { environment: "itest", targetName: "dr", runId: started.id } });
    const settled = await sweepRestoreRuns({ ctx: systemCtx(db) });
    expect(settled.swapResolved).toEqual([{ runId: started.id, outcome: "succeeded" }]);
    expect((await runOf(started.id)).run.status).toBe("succeeded");
    expect(await db.restoreTargetLock.count({ where: { runId: started.id } })).toBe(0);

    // Put the target back for the next test.
    await rollbackRestore({ ctx: ctx(), input: { runId: started.id } });
    expect(await fingerprint(LIVE_DB)).toEqual(original);
    await cleanupRestore({ ctx: ctx(), input: { runId: started.id } });
  }, 120_000);

  it("a worker killed during the restore is noticed by the sweeper once its lease lapses: interrupted, scratch dropped, target intact", async () => {
    // The in-process worker steps aside; a worker in a child process (short lease) takes the job and is killed.
    await worker?.stop();
    worker = undefined;
    const child = await startWorkerProcess({ leaseMs: 3000 });
    try {
      const before = await fingerprint(CRASH_DB);
      const started = await startLogicalRestore({
        ctx: ctx(),
        input: { backupId: backupIds.slow, targetName: "crash", mode: "swap", confirmation: CRASH_DB },
      });
      const streaming = await waitFor("the child to be restoring", async () => {
        const run = await db.restoreRun.findUniqueOrThrow({ where: { id: started.id }, include: { steps: true } });
        const restoring = run.steps.find((s) => s.name === "restore")?.status === "running" && run.leaseOwner?.includes(`:${child.pid}:`);
        return restoring && (await databases()).has(run.scratchDatabase) ? run : undefined;
      });

      await child.kill();

      // The lease is still valid right after the kill: the sweeper leaves the run alone.
      const early = await sweepRestoreRuns({ ctx: systemCtx(db) });
      expect(early.interrupted).not.toContain(started.id);
      expect((await db.restoreRun.findUniqueOrThrow({ where: { id: started.id } })).status).toBe("running");

      await waitFor(
        "the lease to lapse",
        async () => {
          const [row] = await db.$queryRaw<
            Array<{ lapsed: boolean }>
          >`SELECT lease_expires_at < now() AS lapsed FROM restore_runs WHERE id = ${started.id}::uuid`;
          return row?.lapsed;
        },
        15_000,
      );
      const swept = await sweepRestoreRuns({ ctx: systemCtx(db) });
      expect(swept.interrupted).toEqual([started.id]);

      const run = await runOf(started.id);
      expect(run.run.status).toBe("interrupted");
      expect(run.run.error).toMatch(/worker stopped during the restore; the target was not touched/);
      expect(run.steps.find((s) => s.name === "restore")?.status).toBe("failed");
      expect((await databases()).has(streaming.scratchDatabase)).toBe(false);
      expect(await fingerprint(CRASH_DB)).toEqual(before);
      expect(await db.restoreTargetLock.count({ where: { targetName: "crash" } })).toBe(0);
      expect(await db.auditEvent.count({ where: { subjectId: started.id, action: "restore.interrupted" } })).toBe(1);
    } finally {
      await child.kill();
    }
  }, 120_000);
});
