import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { systemCtx } from "@/lib/db/ctx";
import { enqueueJob } from "@/lib/jobs/enqueue-job";
import { readBackupTablesJob } from "@/lib/backups/read-backup-tables-job";
import { startRestoreTestApp, writeRestoreConfig, type RestoreTestApp } from "@/lib/testing/restore-runs";
import { apiRequest } from "@/lib/testing/requests";
import { createApiToken } from "@/lib/users/api-tokens";
import { testLogicalPlan } from "@/lib/testing/plans";

// GET /api/metrics on the real route wrapper with a viewer API token: Prometheus's text format,
// every value read from the app's database at the scrape.

let app: RestoreTestApp;
let db: Db;
let token: string;

const HOUR = 3_600_000;

/** `name{labels} value` lines as a map, for the few samples a test looks at. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    found.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return found;
}

async function scrape(bearer: string | null) {
  const response = await metricsRoute(
    apiRequest("/api/metrics", { headers: { origin: null, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } }),
    { params: Promise.resolve({}) },
  );
  return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
}

beforeAll(async () => {
  app = await startRestoreTestApp("rc-metrics-it-");
  db = app.db;
  await writeRestoreConfig(app.tempDir, {
    environments: [
      {
        name: "metrics",
        protected: false,
        targets: { prod: "unused", sandbox: "unused_drill" },
        drills: { schedule: "0 3 * * *", target: "sandbox" },
      },
      { name: "empty", protected: false, targets: { prod: "unused" } },
    ],
    user: "nobody",
    password: "unused",
    s3: app.s3,
    prefix: "metrics/",
    envPrefix: "RC_METRICS",
    replica: { name: "dr", label: "DR", s3: app.s3, prefix: "metrics-dr/" },
  });
  const now = Date.now();
  const backup = (name: string, hoursAgo: number, verificationState: string) =>
    db.backup.create({
      data: {
        environment: "metrics",
        key: `metrics/${name}`,
        name,
        size: 100n,
        etag: name,
        lastModified: new Date(now - hoursAgo * HOUR),
        takenAt: new Date(now - hoursAgo * HOUR),
        format: "plain-gzip",
        manifestKey: `metrics/${name}.manifest.json`,
        manifestState: "present",
        verificationState,
        lastSeenAt: new Date(now),
      },
    });
  await backup("newest.sql.gz", 2, "never");
  const verified = await backup("older.sql.gz", 26, "verified");
  // The replica holds the older backup exactly, not the newest: its freshness is the older one's age.
  await db.backupReplicaCopy.create({
    data: { backupId: verified.id, replica: "dr", state: "same", size: 100n, etag: "older.sql.gz", observedAt: new Date(now) },
  });
  await db.backupReplicaListing.create({
    data: { environment: "metrics", replica: "dr", checkedAt: new Date(now - HOUR), okAt: new Date(now - HOUR) },
  });
  await db.backupVerification.create({
    data: { backupId: verified.id, status: "mismatch", requestedByEmail: "system", finishedAt: new Date(now - HOUR) },
  });
  const run = await db.restoreRun.create({
    data: {
      kind: "logical",
      environment: "metrics",
      targetName: "prod",
      targetDatabase: "loanserve",
      mode: "new-database",
      status: "failed",
      plan: {},
      scratchDatabase: "scratch",
      requestedByEmail: "someone@example.com",
      steps: {
        create: [
          { position: 0, name: "preflight", status: "succeeded", startedAt: new Date(now - 100_000), finishedAt: new Date(now - 98_000) },
          { position: 1, name: "restore", status: "failed", startedAt: new Date(now - 98_000), finishedAt: new Date(now - 8_000) },
        ],
      },
    },
  });
  expect(run.id).toBeTruthy();
  // Two drills: one passed three hours ago (validated 90 s after it started), then one that failed.
  const drill = (status: string, endedHoursAgo: number, steps: Array<[string, string, number, number]>) => {
    const runId = randomUUID();
    const plan = testLogicalPlan({
      environment: "metrics",
      runId,
      mode: "drill",
      targetName: "sandbox",
      database: "unused_drill",
      backupId: verified.id,
      backupName: "older.sql.gz",
      takenAt: new Date(now - 26 * HOUR),
    });
    const end = now - endedHoursAgo * HOUR;
    return db.restoreRun.create({
      data: {
        id: runId,
        kind: "drill",
        environment: "metrics",
        targetName: "sandbox",
        targetDatabase: "unused_drill",
        mode: "drill",
        status,
        plan: {
          ...plan,
          drill: { trigger: "schedule", startedBy: "schedule", backupChoice: "newest-verified", scheduledFor: null, rtoMaxMinutes: 120 },
        } as unknown as Prisma.InputJsonValue,
        scratchDatabase: plan.databases.scratch,
        requestedByEmail: "system",
        startedAt: new Date(end - 100_000),
        finishedAt: new Date(end),
        validationPassed: status === "succeeded",
        steps: {
          create: steps.map(([name, stepStatus, from, to], position) => ({
            position,
            name,
            status: stepStatus,
            startedAt: new Date(end - 100_000 + from * 1000),
            finishedAt: new Date(end - 100_000 + to * 1000),
          })),
        },
      },
    });
  };
  await drill("succeeded", 3, [
    ["preflight", "succeeded", 0, 5],
    ["restore", "succeeded", 5, 80],
    ["validate", "succeeded", 80, 90],
    ["drop", "succeeded", 90, 95],
  ]);
  await drill("failed", 1, [
    ["preflight", "succeeded", 0, 5],
    ["restore", "failed", 5, 50],
    ["drop", "succeeded", 50, 52],
  ]);
  await db.workerHeartbeat.create({
    data: { workerId: "old-worker", hostname: "gone", pid: 1, startedAt: new Date(now - HOUR), beatAt: new Date(now - 5 * 60_000) },
  });
  await db.workerHeartbeat.create({
    data: {
      workerId: "long-gone",
      hostname: "gone",
      pid: 2,
      startedAt: new Date(now - 60 * 24 * HOUR),
      beatAt: new Date(now - 60 * 24 * HOUR),
    },
  });
  await enqueueJob(readBackupTablesJob, { backupId: verified.id });
  token = (await createApiToken({ ctx: systemCtx(db), input: { name: "prometheus", role: "viewer" } })).token;
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

describe("GET /api/metrics", () => {
  it("reports an environment without a single backup as infinitely old, so an alert on the age fires for it", async () => {
    const { text } = await scrape(token);
    expect(text).toMatch(/^restore_console_backup_age_seconds\{environment="empty",kind="newest_verified"\} \+Inf$/m);
  });

  it("needs a token or a session", async () => {
    expect((await scrape(null)).status).toBe(401);
  });

  it("reports backup ages, the last verification, runs, step durations, worker heartbeats and queue depth", async () => {
    const { status, type, text } = await scrape(token);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const found = samples(text);
    const near = (key: string, expected: number, within: number) => {
      expect(found.get(key), key).toBeGreaterThanOrEqual(expected - within);
      expect(found.get(key), key).toBeLessThanOrEqual(expected + within);
    };
    near('restore_console_backup_age_seconds{environment="metrics",kind="newest"}', 2 * 3600, 120);
    near('restore_console_backup_age_seconds{environment="metrics",kind="newest_verified"}', 26 * 3600, 120);
    expect(found.get('restore_console_backup_freshness_objective_seconds{environment="metrics"}')).toBe(24 * 3600);
    near('restore_console_backup_replica_age_seconds{environment="metrics",replica="dr"}', 26 * 3600, 120);
    near('restore_console_backup_replica_listed_timestamp_seconds{environment="metrics",replica="dr"}', (Date.now() - HOUR) / 1000, 120);
    expect(text).toMatch(/^restore_console_backup_replica_age_seconds\{environment="empty",replica="dr"\} \+Inf$/m);
    expect(found.get('restore_console_last_verification_success{environment="metrics"}')).toBe(0);
    expect(found.get('restore_console_runs{kind="logical",status="failed"}')).toBe(1);
    expect(found.get('restore_console_step_duration_seconds_count{kind="logical",step="restore",status="failed"}')).toBe(1);
    expect(found.get('restore_console_step_duration_seconds_bucket{le="60",kind="logical",step="restore",status="failed"}')).toBe(0);
    expect(found.get('restore_console_step_duration_seconds_bucket{le="120",kind="logical",step="restore",status="failed"}')).toBe(1);
    near('restore_console_worker_heartbeat_age_seconds{worker="old-worker",hostname="gone"}', 300, 60);
    expect(found.get("restore_console_workers_alive")).toBe(0);
    // A worker silent for months is no longer a series.
    expect([...found.keys()].some((key) => key.includes("long-gone"))).toBe(false);
    expect(found.get('restore_console_queue_depth{queue="read-backup-tables"}')).toBe(1);
  });

  it("reports the last drill's result and time, and the last passed drill's time to a validated copy against the RTO objective", async () => {
    const found = samples((await scrape(token)).text);
    const env = '{environment="metrics",method="logical"}';
    expect(found.get(`restore_console_last_drill_success${env}`)).toBe(0);
    expect((Date.now() / 1000 - (found.get(`restore_console_last_drill_timestamp_seconds${env}`) ?? 0)) / 3600).toBeCloseTo(1, 1);
    expect((Date.now() / 1000 - (found.get(`restore_console_last_successful_drill_timestamp_seconds${env}`) ?? 0)) / 3600).toBeCloseTo(
      3,
      1,
    );
    expect(found.get(`restore_console_last_drill_duration_seconds${env}`)).toBe(90);
    expect(found.get(`restore_console_drill_rto_objective_seconds${env}`)).toBe(7200);
    // This environment has no point-in-time drills.
    expect([...found.keys()].some((key) => key.includes('method="pitr"'))).toBe(false);
    expect(found.get('restore_console_runs{kind="drill",status="failed"}')).toBe(1);
    // No drills configured, no drill series.
    expect([...found.keys()].some((key) => key.includes("drill") && key.includes('"empty"'))).toBe(false);
  });
});
