import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import { refreshCatalog } from "@/lib/backups/refresh-catalog";
import { refreshReplicas } from "@/lib/backups/refresh-replicas";
import { getBackup } from "@/lib/backups/get-backup";
import { getReplicaHealth } from "@/lib/backups/replica-health";
import { backupStoreFor } from "@/lib/backups/store-for-environment";
import { resolveEnvironment } from "@/lib/config/resolve-environment";
import type { Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { BadRequestError } from "@/lib/errors";
import { measureObjectives, RecoveryRun } from "@/lib/incidents/measure-objectives";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { createTestUser } from "@/lib/testing/auth";
import { adminUrl, sqlOn } from "@/lib/testing/databases";
import {
  backupIdOf,
  seedLoanServeDatabases,
  startRestoreTestApp,
  waitForRunStatus,
  writeRestoreConfig,
  type RestoreTestApp,
} from "@/lib/testing/restore-runs";
import { startTestS3, type TestS3 } from "@/lib/testing/s3";
import { collect } from "@/lib/testing/streams";
import { createNightlyDump } from "@/scripts/lib/demo/nightly-dump";
import { recoveryRunOf } from "../engine/report-run-evidence";
import { createRestoreRunJob } from "../restore-run-job";
import { decideBackupSource } from "./backup-source";
import { planLogicalRestore } from "./plan-logical-restore";
import { startLogicalRestore } from "./start-logical-restore";

// A regional failure: the primary backup store is down, its replica in another region holds exact
// copies. The catalog says what the replica holds; the planner reads from it, checks its manifest
// against the primary's, and the run is measured against the cross-region objective.

const id = randomBytes(4).toString("hex");
const ROLE = `rc_xregion_${id}`;
const PASSWORD = `pw-${randomBytes(8).toString("hex")}`;
const SOURCE_DB = `xsource_${id}`;
const LIVE_DB = `xlive_${id}`;
const PREFIX = `xregion-${id}/`;
const REPLICA_PREFIX = `dr-${id}/`;
const NOW = new Date("2026-11-21T12:00:00Z");

let app: RestoreTestApp;
let replicaS3: TestS3;
let db: Db;
let worker: RunningWorker | undefined;
let operator: SessionUser;
const ids = { copied: "", missing: "", tampered: "" };

const ctx = () => ({ db, user: operator, requestId: randomUUID() });
const plan = (backupId: string, source?: string) =>
  planLogicalRestore({
    ctx: ctx(),
    input: { backupId, targetName: "dr", mode: "new-database", newDatabaseName: `x_${id}`, ...(source ? { source } : {}) },
  });

beforeAll(async () => {
  app = await startRestoreTestApp("rc-xregion-it-");
  db = app.db;
  replicaS3 = await startTestS3();
  const user = await createTestUser(app.appUrl, "operator");
  operator = { id: user.id, email: user.email, name: null, role: "operator" };
  await sqlOn("postgres", `CREATE ROLE ${ROLE} LOGIN CREATEDB CREATEROLE PASSWORD '${PASSWORD}'`);
  for (const database of [SOURCE_DB, LIVE_DB]) await sqlOn("postgres", `CREATE DATABASE ${database} OWNER ${ROLE}`);
  await seedLoanServeDatabases(SOURCE_DB, [LIVE_DB]);

  const primary = app.s3.store(PREFIX);
  const replica = replicaS3.store(REPLICA_PREFIX);
  for (const night of ["2026-11-19", "2026-11-20", "2026-11-21"]) {
    await createNightlyDump({
      sourceUrl: adminUrl(),
      store: primary,
      night: new Date(`${night}T00:00:00Z`),
      format: "plain",
      database: SOURCE_DB,
    });
  }
  const copy = async (name: string, change?: (bytes: Buffer) => Buffer) => {
    const bytes = await collect(await primary.read(`${PREFIX}${name}`));
    await replica.write(`${REPLICA_PREFIX}${name}`, change ? change(bytes) : bytes);
  };
  // 18th: a dump without a manifest, on both. 19th: an exact copy. 20th: never arrived. 21st: a
  // copy whose manifest names another checksum.
  const unlisted = await collect(await primary.read(`${PREFIX}2026-11-19.sql.gz`));
  await primary.write(`${PREFIX}2026-11-18.sql.gz`, unlisted);
  await replica.write(`${REPLICA_PREFIX}2026-11-18.sql.gz`, unlisted);
  // 17th: a dump with its manifest on the primary, copied to the replica without one.
  await createNightlyDump({
    sourceUrl: adminUrl(),
    store: primary,
    night: new Date("2026-11-17T00:00:00Z"),
    format: "plain",
    database: SOURCE_DB,
  });
  await copy("2026-11-17.sql.gz");
  await copy("2026-11-19.sql.gz");
  await copy("2026-11-19.manifest.json");
  await copy("2026-11-21.sql.gz");
  await copy("2026-11-21.manifest.json", (bytes) => {
    const manifest = JSON.parse(bytes.toString("utf8")) as { sha256: string };
    return Buffer.from(JSON.stringify({ ...manifest, sha256: "0".repeat(64) }));
  });

  await writeRestoreConfig(app.tempDir, {
    environments: [{ name: "xregion", protected: false, targets: { dr: LIVE_DB } }],
    user: ROLE,
    password: PASSWORD,
    s3: app.s3,
    prefix: PREFIX,
    envPrefix: "RC_XR",
    replica: { name: "us-west-2", label: "us-west-2 (DR)", s3: replicaS3, prefix: REPLICA_PREFIX },
  });
  const environment = resolveEnvironment("xregion");
  await refreshCatalog({ ctx: systemCtx(db), input: { environment, store: primary } });
  await refreshReplicas({
    ctx: systemCtx(db),
    input: { environment, openStore: (r) => backupStoreFor(environment, r.name) },
  });
  ids.copied = await backupIdOf(db, "xregion", "2026-11-19.sql.gz");
  ids.missing = await backupIdOf(db, "xregion", "2026-11-20.sql.gz");
  ids.tampered = await backupIdOf(db, "xregion", "2026-11-21.sql.gz");
  worker = await startWorker({ connectionString: app.appUrl, db, jobs: [createRestoreRunJob({ renewEveryMs: 1_000 })] });
}, 180_000);

afterAll(async () => {
  await worker?.stop();
  await replicaS3?.stop();
  await app?.stop();
});

describe("backup replicas", () => {
  it("records, per backup, whether the replica holds it with the primary's size and ETag", async () => {
    const copies = await db.backupReplicaCopy.findMany({
      where: { replica: "us-west-2" },
      include: { backup: { select: { name: true } } },
    });
    const states = Object.fromEntries(copies.map((c) => [c.backup.name, c.state]));
    expect(states).toEqual({
      "2026-11-17.sql.gz": "same",
      "2026-11-18.sql.gz": "same",
      "2026-11-19.sql.gz": "same",
      "2026-11-20.sql.gz": "missing",
      "2026-11-21.sql.gz": "same",
    });

    const [health] = await getReplicaHealth({ ctx: systemCtx(db), input: { environment: resolveEnvironment("xregion"), now: NOW } });
    expect(health).toMatchObject({ name: "us-west-2", status: "amber", recent: { same: 4, missing: 1, differs: 0 } });
    expect(health?.newestCopy?.name).toBe("2026-11-21.sql.gz");
    expect(health?.summary).toContain("1 backup of the last 7 days missing");
  });

  it("a second listing that finds nothing new writes no row", async () => {
    const before = await db.backupReplicaCopy.findMany({ orderBy: { backupId: "asc" } });
    const environment = resolveEnvironment("xregion");
    await refreshReplicas({ ctx: systemCtx(db), input: { environment, openStore: (r) => backupStoreFor(environment, r.name) } });
    expect(await db.backupReplicaCopy.findMany({ orderBy: { backupId: "asc" } })).toEqual(before);
  });

  it("reads from the primary while it answers", async () => {
    const preview = await plan(ids.copied);
    expect(preview.plan.source.replica).toBeUndefined();
    expect(preview.plan.preflight?.checks.find((c) => c.name === "source-store")).toMatchObject({ status: "passed" });
  });
});

describe("a regional failure", () => {
  beforeAll(async () => {
    await app.s3.server.stop();
  });

  it("lists the replica even with the primary down, and records the primary's failure", async () => {
    const environment = resolveEnvironment("xregion");
    const [result] = await refreshReplicas({
      ctx: systemCtx(db),
      input: { environment, openStore: (r) => backupStoreFor(environment, r.name) },
    });
    expect(result).toMatchObject({ replica: "us-west-2", ok: true });
  });

  it("refuses the primary when it is chosen and down, and refuses to start", async () => {
    const preview = await plan(ids.copied, "primary");
    expect(preview.canStart).toBe(false);
    expect(preview.plan.preflight?.checks.find((c) => c.name === "source-store")?.status).toBe("failed");
    await expect(
      startLogicalRestore({
        ctx: ctx(),
        input: { backupId: ids.copied, targetName: "dr", mode: "new-database", source: "primary", confirmation: LIVE_DB },
      }),
    ).rejects.toBeInstanceOf(BadRequestError);
  });

  it("refuses a replica copy that is missing, or whose manifest names another checksum", async () => {
    const missing = await plan(ids.missing);
    expect(missing.canStart).toBe(false);
    const missingCheck = missing.plan.preflight?.checks.find((c) => c.name === "source-store")?.message;
    expect(missingCheck).toContain("it was never copied there");
    // The newest copy the replica holds is offered instead.
    expect(missingCheck).toContain("The newest backup us-west-2 (DR) holds with the primary's size and ETag is 2026-11-21.sql.gz");
    const tampered = await plan(ids.tampered);
    expect(tampered.canStart).toBe(false);
    expect(tampered.plan.preflight?.checks.find((c) => c.name === "source-store")?.message).toContain("not the primary manifest's");
  });

  it("keeps a backup gone from the primary restorable while a replica holds an exact copy", async () => {
    await db.backup.update({ where: { id: ids.copied }, data: { removedAt: new Date() } });
    try {
      const environment = resolveEnvironment("xregion");
      await refreshReplicas({ ctx: systemCtx(db), input: { environment, openStore: (r) => backupStoreFor(environment, r.name) } });
      const { restorable } = await getBackup({ ctx: systemCtx(db), input: { backupId: ids.copied } });
      expect(restorable).toMatchObject({ allowed: true });
      expect(restorable.reason).toContain("gone from the primary store, but us-west-2 (DR) holds an exact copy");
      const preview = await plan(ids.copied);
      expect(preview.canStart).toBe(true);
      expect(preview.plan.source.replica?.name).toBe("us-west-2");
    } finally {
      await db.backup.update({ where: { id: ids.copied }, data: { removedAt: null } });
    }
  });

  it("serves an exact copy without its own manifest, checked against the primary manifest's checksum", async () => {
    const backup = await db.backup.findFirstOrThrow({ where: { environment: "xregion", name: "2026-11-17.sql.gz" } });
    expect(backup.expectedSha256).toMatch(/^[0-9a-f]{64}$/);
    const decision = await decideBackupSource(
      db,
      resolveEnvironment("xregion"),
      { backupId: backup.id, name: backup.name, key: backup.key, size: Number(backup.size), sha256: backup.expectedSha256 },
      "us-west-2",
    );
    expect(decision.check.status).toBe("passed");
    expect(decision.sha256).toBe(backup.expectedSha256);
    expect(decision.replica?.key).toBe(`${REPLICA_PREFIX}2026-11-17.sql.gz`);
  });

  it("never reads a copy unchecked: without a checksum from either manifest, the replica is refused", async () => {
    const environment = resolveEnvironment("xregion");
    const backup = await db.backup.findFirstOrThrow({ where: { environment: "xregion", name: "2026-11-18.sql.gz" } });
    const decision = await decideBackupSource(
      db,
      environment,
      { backupId: backup.id, name: backup.name, key: backup.key, size: Number(backup.size), sha256: backup.expectedSha256 },
      "us-west-2",
    );
    expect(backup.expectedSha256).toBeNull();
    expect(decision.check).toMatchObject({ status: "failed" });
    expect(decision.check.message).toContain("there is no checksum to read the copy against");
  });

  it("restores from the replica, validates, and is measured as a cross-region restore", async () => {
    const preview = await plan(ids.copied);
    expect(preview.canStart).toBe(true);
    expect(preview.plan.source.replica).toMatchObject({ name: "us-west-2", key: `${REPLICA_PREFIX}2026-11-19.sql.gz` });
    expect(preview.plan.preflight?.checks.find((c) => c.name === "source-store")).toMatchObject({ status: "warning" });

    const started = await startLogicalRestore({
      ctx: ctx(),
      input: { backupId: ids.copied, targetName: "dr", mode: "new-database", newDatabaseName: `x_${id}`, confirmation: LIVE_DB },
    });
    const done = await waitForRunStatus(db, started.id, ["succeeded", "failed"], 120_000);
    expect({ status: done.run.status, error: done.run.error }).toEqual({ status: "succeeded", error: null });
    expect(done.run.validationPassed).toBe(true);

    const run = RecoveryRun.parse(await recoveryRunOf(db, started.id));
    expect(run.method).toBe("crossRegion");
    const measured = measureObjectives({ objectives: resolveEnvironment("xregion").objectives, run });
    expect(measured.rto.objective).toEqual({ minMinutes: 60, maxMinutes: 180 });
    expect(measured.rto.verdict).toBe("met");
    await sqlOn("postgres", `DROP DATABASE x_${id}`);
  }, 150_000);
});
