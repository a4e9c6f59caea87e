import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as acceptRoute } from "@/app/api/restores/[runId]/accept-validation/route";
import { POST as cleanupRoute } from "@/app/api/restores/[runId]/cleanup/route";
import { POST as rollbackRoute } from "@/app/api/restores/[runId]/rollback/route";
import type { SessionUser } from "@/lib/auth/roles";
import { refreshCatalog } from "@/lib/backups/refresh-catalog";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { Db } from "@/lib/db/client";
import { BadRequestError, ConflictError, ForbiddenError } from "@/lib/errors";
import { declareIncident } from "@/lib/incidents/declare-incident";
import { exportReviewMarkdown } from "@/lib/incidents/export-review-markdown";
import { getIncident } from "@/lib/incidents/get-incident";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { createTestUser, type TestUser } from "@/lib/testing/auth";
import { adminUrl, databaseExists, sqlOn } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import {
  backupIdOf,
  seedLoanServeDatabases,
  startRestoreTestApp,
  waitForRunStatus,
  writeRestoreConfig,
  type RestoreTestApp,
} from "@/lib/testing/restore-runs";
import type { TestS3 } from "@/lib/testing/s3";
import { collect } from "@/lib/testing/streams";
import { createNightlyDump, type DumpManifest } from "@/scripts/lib/demo/nightly-dump";
import { acceptValidationFailures } from "../accept-validation-failures";
import { cancelRestore } from "../cancel-restore";
import { cleanupRestore } from "../cleanup-restore";
import { confirmSwap } from "./confirm-swap";
import { getRestoreRun } from "../get-restore-run";
import { createRestoreRunJob } from "../restore-run-job";
import { rollbackRestore } from "./rollback-restore";
import { startLogicalRestore } from "./start-logical-restore";
import { sweepRestoreRuns } from "../sweep-restore-runs";
import { systemCtx } from "@/lib/db/ctx";

// Validation severities and the admin's acceptance of a blocking failure, and the typed
// confirmation of rollback and clean-up on a protected environment, on real PostgreSQL with real
// pg_dump output in an S3-protocol store and the pg-boss worker running the runs.

const id = randomBytes(4).toString("hex");
const ROLE = `rc_accept_${id}`;
const ROLE_PASSWORD = `pw-${randomBytes(8).toString("hex")}`;
const SOURCE_DB = `orphansrc_${id}`;
const LIVE_DB = `orphanlive_${id}`;
const GUARDED_DB = `orphanguard_${id}`;
const PREFIX = `accept-${id}/`;

let app: RestoreTestApp;
let s3: TestS3;
let db: Db;
let appUrl: string;
let worker: RunningWorker | undefined;
let tempDir: string;
let operator: TestUser;
let admin: TestUser;
let faithful: DumpManifest;
/** The same faithful dump under three manifests: with the source's orphan count, without it, and with a wrong one. */
const backups = { counted: "", uncounted: "", miscounted: "", guarded: "", guardedMiscounted: "" };

const orphans = async (database: string) =>
  Number(
    (
      await sqlOn<{ n: string }>(database, "SELECT count(*) AS n FROM payments p LEFT JOIN loans l ON l.id = p.loan_id WHERE l.id IS NULL")
    )[0]?.n,
  );
const loanCount = async (database: string) => Number((await sqlOn<{ n: string }>(database, "SELECT count(*) AS n FROM loans"))[0]?.n);

const sessionOf = (user: TestUser): SessionUser => ({ id: user.id, email: user.email, name: null, role: user.role });
const ctxOf = (user: TestUser) => ({ db, user: sessionOf(user), requestId: randomUUID() });
const runOf = (runId: string) => getRestoreRun({ ctx: systemCtx(db), input: { runId } });

/** A route handler called as Next.js would, as `user`. */
async function post(
  handler: typeof acceptRoute,
  runId: string,
  user: TestUser,
  body?: unknown,
): Promise<{ status: number; json: { error?: { message: string; details?: unknown } } }> {
  const response = await handler(apiRequest(`/api/restores/${runId}/x`, { method: "POST", cookie: user.cookie, body }), {
    params: Promise.resolve({ runId }),
  });
  return { status: response.status, json: (await response.json()) as { error?: { message: string; details?: unknown } } };
}

/** The faithful dump again under `<night>.sql.gz`, with the manifest's `checks` replaced (or left out). */
async function copyWithManifest(night: string, checks: Record<string, number> | undefined): Promise<void> {
  const store = s3.store(PREFIX);
  await store.write(`${PREFIX}${night}.sql.gz`, await collect(await store.read(`${PREFIX}2026-11-19.sql.gz`)));
  const manifest: Record<string, unknown> = { ...faithful, file: `${night}.sql.gz`, created_at: `${night}T02:00:00.000Z`, checks };
  await store.write(`${PREFIX}${night}.manifest.json`, Buffer.from(JSON.stringify(manifest)));
}

beforeAll(async () => {
  app = await startRestoreTestApp("rc-accept-it-");
  ({ s3, db, appUrl, tempDir } = app);
  operator = await createTestUser(appUrl, "operator");
  admin = await createTestUser(appUrl, "admin");

  await sqlOn("postgres", `CREATE ROLE ${ROLE} LOGIN CREATEDB CREATEROLE PASSWORD '${ROLE_PASSWORD}'`);
  for (const database of [SOURCE_DB, LIVE_DB, GUARDED_DB]) await sqlOn("postgres", `CREATE DATABASE ${database} OWNER ${ROLE}`);
  await seedLoanServeDatabases(SOURCE_DB, [LIVE_DB, GUARDED_DB]);
  // One payment whose loan is gone, as legacy data has: the foreign key exists but was never
  // validated, so pg_dump writes it NOT VALID and a faithful restore carries the orphan along.
  await sqlOn(
    SOURCE_DB,
    `ALTER TABLE payments DROP CONSTRAINT payments_loan_id_fkey;
     INSERT INTO payments (tenant_id, loan_id, amount, paid_at, created_at) VALUES (1, 987654321, 10, '2026-11-10', '2026-11-10');
     ALTER TABLE payments ADD CONSTRAINT payments_loan_id_fkey FOREIGN KEY (loan_id) REFERENCES loans (id) NOT VALID;`,
  );

  const store = s3.store(PREFIX);
  faithful = (
    await createNightlyDump({ sourceUrl: adminUrl(), store, night: new Date("2026-11-19T00:00:00Z"), format: "plain", database: SOURCE_DB })
  ).manifest;
  await copyWithManifest("2026-11-18", undefined);
  await copyWithManifest("2026-11-17", { orphaned_payments: 0 });

  await writeRestoreConfig(tempDir, {
    environments: [
      { name: "accept", protected: false, targets: { dr: LIVE_DB } },
      { name: "vault", protected: true, targets: { "vault-dr": GUARDED_DB } },
    ],
    user: ROLE,
    password: ROLE_PASSWORD,
    s3,
    prefix: PREFIX,
    envPrefix: "RC_ACCEPT",
  });
  for (const environment of ["accept", "vault"])
    await refreshCatalog({ ctx: systemCtx(db), input: { environment: resolveEnvironment(environment), store } });
  const backup = (environment: string, name: string) => backupIdOf(db, environment, name);
  backups.counted = await backup("accept", "2026-11-19.sql.gz");
  backups.uncounted = await backup("accept", "2026-11-18.sql.gz");
  backups.miscounted = await backup("accept", "2026-11-17.sql.gz");
  backups.guarded = await backup("vault", "2026-11-19.sql.gz");
  backups.guardedMiscounted = await backup("vault", "2026-11-17.sql.gz");

  worker = await startWorker({ connectionString: appUrl, db, jobs: [createRestoreRunJob({ renewEveryMs: 1_000 })] });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await app?.stop();
});

describe("a faithful dump of a database with one orphaned payment", () => {
  it("the demo's dump generator records the source's count in the manifest", () => {
    expect(faithful.checks).toEqual({ orphaned_payments: 1 });
  });

  it("with the source's count in the manifest: orphaned-payments passes, as a blocking check", async () => {
    const started = await startLogicalRestore({
      ctx: ctxOf(operator),
      input: { backupId: backups.counted, targetName: "dr", mode: "swap", confirmation: LIVE_DB },
    });
    const waiting = await waitForRunStatus(db, started.id, ["awaiting-swap", "failed"]);
    expect(waiting.run.status).toBe("awaiting-swap");
    expect(waiting.validation.passed).toBe(true);
    expect(waiting.validation.unaccepted).toEqual([]);
    expect(waiting.validation.results.find((r) => r.name === "orphaned-payments")).toMatchObject({
      passed: true,
      severity: "block",
      actual: 1,
    });
    expect(await orphans(waiting.run.scratchDatabase)).toBe(1);
    await cancelRestore({ ctx: ctxOf(operator), input: { runId: started.id } });
    await cleanupRestore({ ctx: ctxOf(operator), input: { runId: started.id } });
  }, 90_000);

  it("without a count it only warns, and the swap goes ahead", async () => {
    const before = await loanCount(LIVE_DB);
    const started = await startLogicalRestore({
      ctx: ctxOf(operator),
      input: { backupId: backups.uncounted, targetName: "dr", mode: "swap", confirmation: LIVE_DB },
    });
    const waiting = await waitForRunStatus(db, started.id, ["awaiting-swap", "failed"]);
    expect(waiting.run.status).toBe("awaiting-swap");
    expect(waiting.validation.passed).toBe(true);
    const orphanCheck = waiting.validation.results.find((r) => r.name === "orphaned-payments");
    expect(orphanCheck).toMatchObject({ passed: false, severity: "warn", actual: 1 });
    expect(orphanCheck?.message).toMatch(/does not record the source's count/);
    expect(waiting.validation.unaccepted).toEqual([]);

    await confirmSwap({ ctx: ctxOf(operator), input: { runId: started.id, confirmation: `2026-11-18.sql.gz -> ${LIVE_DB}` } });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed", "awaiting-swap"]);
    expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
    expect(await orphans(LIVE_DB)).toBe(1);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { subjectId: started.id, action: "restore.validate" } });
    expect(audit).toMatchObject({ outcome: "ok", payload: { failed: [], warnings: ["orphaned-payments"] } });

    // On an unprotected environment rollback and clean-up need no typed text.
    await rollbackRestore({ ctx: ctxOf(operator), input: { runId: started.id } });
    expect(await loanCount(LIVE_DB)).toBe(before);
    await cleanupRestore({ ctx: ctxOf(operator), input: { runId: started.id } });
  }, 90_000);

  it("a blocking failure holds the swap until an admin accepts it with a reason; the acceptance is audited and on the incident", async () => {
    const { id: incidentId } = await declareIncident({
      ctx: ctxOf(operator),
      input: {
        title: "Payments out of step",
        severity: "sev2",
        environment: "accept",
        scope: "payments",
        startedAt: new Date(Date.now() - 60_000),
      },
    });
    const before = await loanCount(LIVE_DB);
    const started = await startLogicalRestore({
      ctx: ctxOf(operator),
      input: { backupId: backups.miscounted, targetName: "dr", mode: "swap", confirmation: LIVE_DB },
    });
    const waiting = await waitForRunStatus(db, started.id, ["awaiting-swap", "failed"]);
    expect(waiting.run.status).toBe("awaiting-swap");
    expect(waiting.validation.passed).toBe(false);
    expect(waiting.validation.unaccepted).toEqual(["orphaned-payments"]);
    expect(waiting.steps.find((s) => s.name === "validate")?.status).toBe("succeeded");
    expect(waiting.validation.results.find((r) => r.name === "orphaned-payments")?.message).toBe(
      "1 payment refers to loans that do not exist in the restored database, but the source had 0 when the backup was taken.",
    );
    expect(await db.restoreTargetLock.count({ where: { runId: started.id } })).toBe(1);

    const confirmation = `2026-11-17.sql.gz -> ${LIVE_DB}`;
    const refused = await confirmSwap({ ctx: ctxOf(operator), input: { runId: started.id, confirmation } }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as Error).message).toMatch(/orphaned-payments: the swap is refused until an admin accepts/);
    expect((await runOf(started.id)).run.status).toBe("awaiting-swap");

    const reason = "The orphan predates the incident; finance confirmed it.";
    // An operator may not accept: neither through the API nor the verb.
    expect((await post(acceptRoute, started.id, operator, { checks: ["orphaned-payments"], reason })).status).toBe(403);
    await expect(
      acceptValidationFailures({ ctx: ctxOf(operator), input: { runId: started.id, checks: ["orphaned-payments"], reason } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    // An admin must say why, and accept exactly what is failing.
    expect((await post(acceptRoute, started.id, admin, { checks: ["orphaned-payments"] })).status).toBe(400);
    expect((await post(acceptRoute, started.id, admin, { checks: ["orphaned-payments"], reason: "ok" })).status).toBe(400);
    const wrong = await post(acceptRoute, started.id, admin, { checks: ["critical-table-rows"], reason });
    expect(wrong.status).toBe(409);
    expect(wrong.json.error?.details).toEqual({ blockingFailures: ["orphaned-payments"] });
    expect(await db.auditEvent.count({ where: { subjectId: started.id, action: "restore.validation.accept" } })).toBe(0);

    const accepted = await post(acceptRoute, started.id, admin, { checks: ["orphaned-payments"], reason });
    expect(accepted.status).toBe(200);
    const after = await runOf(started.id);
    expect(after.run.status).toBe("awaiting-swap");
    expect(after.validation.unaccepted).toEqual([]);
    expect(after.validation.passed).toBe(false);
    expect(after.validation.results.find((r) => r.name === "orphaned-payments")).toMatchObject({
      acceptedByEmail: admin.email,
      acceptanceReason: reason,
      acceptedAt: expect.any(String),
    });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { subjectId: started.id, action: "restore.validation.accept" } });
    expect(audit).toMatchObject({
      actorEmail: admin.email,
      outcome: "ok",
      payload: { reason, checks: [{ name: "orphaned-payments", actual: 1 }], incidentIds: [incidentId] },
    });
    // Accepted once: a second acceptance has nothing left to accept.
    expect((await post(acceptRoute, started.id, admin, { checks: ["orphaned-payments"], reason })).status).toBe(409);

    const incident = await getIncident({ ctx: systemCtx(db), input: { incidentId } });
    expect(incident.events.find((e) => e.type === "validation-accepted")).toMatchObject({
      actorEmail: admin.email,
      payload: { runId: started.id, checks: ["orphaned-payments"], reason },
    });
    const { markdown } = await exportReviewMarkdown({ ctx: systemCtx(db), input: { incidentId } });
    expect(markdown).toContain("## Accepted validation failures");
    expect(markdown).toContain(`| ${admin.email} | ${started.id} | orphaned-payments | ${reason} |`);

    // Accepting is not swapping: the typed swap confirmation still decides, and now succeeds.
    expect(await loanCount(LIVE_DB)).toBe(before);
    await confirmSwap({ ctx: ctxOf(operator), input: { runId: started.id, confirmation } });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed", "awaiting-swap"]);
    expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
    expect(await orphans(LIVE_DB)).toBe(1);

    await rollbackRestore({ ctx: ctxOf(operator), input: { runId: started.id } });
    expect(await loanCount(LIVE_DB)).toBe(before);
    await cleanupRestore({ ctx: ctxOf(operator), input: { runId: started.id } });
  }, 120_000);

  it("in new-database mode a blocking failure waits before the rename, and the acceptance lets it finish", async () => {
    const newName = `orphancopy_${id}`;
    const started = await startLogicalRestore({
      ctx: ctxOf(operator),
      input: { backupId: backups.miscounted, targetName: "dr", mode: "new-database", newDatabaseName: newName, confirmation: LIVE_DB },
    });
    const waiting = await waitForRunStatus(db, started.id, ["awaiting-swap", "succeeded", "failed"]);
    expect(waiting.run.status).toBe("awaiting-swap");
    expect(waiting.steps.find((s) => s.name === "rename")?.status).toBe("pending");
    expect(await databaseExists(newName)).toBe(false);
    await expect(confirmSwap({ ctx: ctxOf(admin), input: { runId: started.id, confirmation: "x" } })).rejects.toBeInstanceOf(ConflictError);

    await acceptValidationFailures({
      ctx: ctxOf(admin),
      input: { runId: started.id, checks: ["orphaned-payments"], reason: "A copy for the analysts, orphan and all." },
    });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed"]);
    expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
    expect(await orphans(newName)).toBe(1);
    await sqlOn("postgres", `DROP DATABASE ${newName}`);
  }, 90_000);
});

describe("rollback and clean-up on a protected environment", () => {
  it("refuse without the typed text (400 naming it) and do exactly what the run page listed with it", async () => {
    const swapped = await startLogicalRestore({
      ctx: ctxOf(admin),
      input: { backupId: backups.guarded, targetName: "vault-dr", mode: "swap", confirmation: GUARDED_DB },
    });
    await waitForRunStatus(db, swapped.id, ["awaiting-swap"]);
    await confirmSwap({ ctx: ctxOf(admin), input: { runId: swapped.id, confirmation: `2026-11-19.sql.gz -> ${GUARDED_DB}` } });
    const done = await waitForRunStatus(db, swapped.id, ["succeeded", "failed", "awaiting-swap"]);
    expect(done.run.status).toBe("succeeded");
    const previous = done.run.previousDatabase ?? "";

    // The run page names both renames and the text to type.
    const rollback = done.destructive?.rollback;
    expect(done.destructive?.protected).toBe(true);
    expect(rollback?.confirmation).toBe(`${previous} -> ${GUARDED_DB}`);
    const aside = rollback?.renames[0]?.to ?? "";
    expect(rollback?.renames).toEqual([
      { from: GUARDED_DB, to: expect.stringMatching(new RegExp(`^${GUARDED_DB}_rolled_back_\\d{12}_[0-9a-f]{8}$`)) },
      { from: previous, to: GUARDED_DB },
    ]);

    const missing = await post(rollbackRoute, swapped.id, admin, { terminateSessions: true });
    expect(missing.status).toBe(400);
    expect(missing.json.error?.message).toBe(
      `Type exactly "${previous} -> ${GUARDED_DB}" to confirm which database takes the live name back.`,
    );
    expect(missing.json.error?.details).toEqual({ expected: `${previous} -> ${GUARDED_DB}` });
    await expect(
      rollbackRestore({ ctx: ctxOf(admin), input: { runId: swapped.id, confirmation: `${GUARDED_DB} -> ${previous}` } }),
    ).rejects.toBeInstanceOf(BadRequestError);
    expect((await runOf(swapped.id)).run.status).toBe("succeeded");
    expect(await databaseExists(previous)).toBe(true);

    const rolledBack = await post(rollbackRoute, swapped.id, admin, {
      terminateSessions: true,
      confirmation: `${previous} -> ${GUARDED_DB}`,
    });
    expect(rolledBack.status).toBe(200);
    const after = await runOf(swapped.id);
    expect(after.run.status).toBe("rolled-back");
    expect(after.run.rolledBackDatabase).toBe(aside);
    expect(await databaseExists(aside)).toBe(true);
    expect(await databaseExists(previous)).toBe(false);

    // Clean-up names what it drops: only the set-aside copy is left.
    expect(after.destructive?.cleanup).toMatchObject({ drops: [aside], confirmation: `drop ${aside}` });
    const refused = await post(cleanupRoute, swapped.id, admin, {});
    expect(refused.status).toBe(400);
    expect(refused.json.error?.message).toBe(`Type exactly "drop ${aside}" to confirm which databases are dropped.`);
    expect(await databaseExists(aside)).toBe(true);
    const cleaned = await post(cleanupRoute, swapped.id, admin, { confirmation: `drop ${aside}` });
    expect(cleaned.status).toBe(200);
    expect(await databaseExists(aside)).toBe(false);
    expect(await databaseExists(GUARDED_DB)).toBe(true);
    const audit = await db.auditEvent.findMany({
      where: { subjectId: swapped.id, action: { in: ["restore.rollback", "restore.cleanup"] } },
    });
    expect(audit.map((a) => [a.action, a.outcome])).toEqual(
      expect.arrayContaining([
        ["restore.rollback", "ok"],
        ["restore.cleanup", "ok"],
      ]),
    );
  }, 120_000);

  it("the retention sweep still drops an expired copy there without a person's confirmation; cancel keeps a held copy until then", async () => {
    const started = await startLogicalRestore({
      ctx: ctxOf(admin),
      input: { backupId: backups.guardedMiscounted, targetName: "vault-dr", mode: "swap", confirmation: GUARDED_DB },
    });
    const waiting = await waitForRunStatus(db, started.id, ["awaiting-swap", "failed"]);
    expect(waiting.validation.unaccepted).toEqual(["orphaned-payments"]);
    const cancelled = await cancelRestore({ ctx: ctxOf(operator), input: { runId: started.id } });
    expect(cancelled.status).toBe("cancelled");
    expect(await db.restoreTargetLock.count({ where: { runId: started.id } })).toBe(0);
    expect(await databaseExists(waiting.run.scratchDatabase)).toBe(true);

    await db.restoreRun.update({ where: { id: started.id }, data: { finishedAt: new Date(Date.now() - 8 * 86_400_000) } });
    expect((await sweepRestoreRuns({ ctx: systemCtx(db) })).expired).toContain(started.id);
    expect(await databaseExists(waiting.run.scratchDatabase)).toBe(false);
  }, 90_000);
});
