import { randomBytes } from "node:crypto";
import { chmod, copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  DBClusterNotFoundFault,
  DBInstanceNotFoundFault,
  DeleteDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
  type RestoreDBInstanceToPointInTimeCommandInput,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as postPlan } from "@/app/api/pitr/plan/route";
import { POST as postRestore } from "@/app/api/pitr/restores/route";
import { GET as getWindow } from "@/app/api/pitr/window/route";
import type { SessionUser } from "@/lib/auth/roles";
import { resetConfigCache } from "@/lib/config/load-config";
import { createDb, type Db } from "@/lib/db/client";
import { installJobSchema } from "@/lib/jobs/boss";
import { regionsOf } from "@/lib/providers/aws/rds-test-fakes";
import { giveToOwner, LocalCluster } from "@/lib/providers/postgres/cluster";
import { createTestUser, useTestEnv } from "@/lib/testing/auth";
import { certificateDir, makeCertificateAuthority, makeServerCertificate } from "@/lib/testing/certificates";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import { applyLoanServeSchema, seedLoanServe } from "@/scripts/lib/demo/seed-loanserve";
import { driveRun } from "../engine/drive-run";
import { getRestoreRun } from "../get-restore-run";
import { readPitrPlan, recoveryMethodOf } from "../read-plan";
import { cleanupPitrRestore } from "./cleanup-pitr-restore";
import type { PitrWindowSummary } from "./describe-pitr-window";
import { pitrKind } from "./kind";
import type { PitrRestorePreview } from "./plan-pitr-restore";

// Point-in-time recovery in the DR region, through the API and the engine, with RDS answered by
// aws-sdk-client-mock: the window, the plan and the start name the DR region; every step and the
// clean-up call only the DR region's RDS. The "restored" instance is a real PostgreSQL with TLS
// (its certificate signed by a CA made here, the source's caBundleFile), so connectivity and
// validation run for real over verify-full.

const rds = mockClient(RDSClient);
const PASSWORD_ENV = "RC_PITR_DR_IT_PASSWORD";
const PASSWORD = randomBytes(12).toString("hex");
const SOURCE_ID = "loanserve-prod";
const AURORA_ID = "loanserve-prod-aurora";
const BACKUPS_ARN = "arn:aws:rds:us-west-2:111122223333:auto-backup:ab-current";
const COPY_NAME = "loanserve-prod-aurora-copy-0300";

let tmp: string;
let certs: string;
let restored: LocalCluster;
let port: number;
let db: Db;
let operator: SessionUser & { cookie: string };
let viewerCookie: string;
let earliest: Date;
let latest: Date;
let copyTakenAt: Date;

/** What RestoreDBInstanceToPointInTime created: the identifier and the tags RDS would keep. */
let created: RestoreDBInstanceToPointInTimeCommandInput | null = null;
let deleted: string[] = [];

function restoredInstance(): DBInstance | null {
  if (!created?.TargetDBInstanceIdentifier || deleted.includes(created.TargetDBInstanceIdentifier)) return null;
  return {
    DBInstanceIdentifier: created.TargetDBInstanceIdentifier,
    DBInstanceStatus: "available",
    Endpoint: { Address: "127.0.0.1", Port: port },
    TagList: created.Tags,
    DeletionProtection: true,
  };
}

/** The DR region as RDS would answer it; anything not restored yet does not exist. */
function givenDrRegion(): void {
  rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({
    DBInstanceAutomatedBackups: [
      {
        DBInstanceArn: `arn:aws:rds:us-east-1:111122223333:db:${SOURCE_ID}`,
        Region: "us-east-1",
        DBInstanceIdentifier: SOURCE_ID,
        RestoreWindow: { EarliestTime: earliest, LatestTime: latest },
        Status: "replicating",
        DBInstanceAutomatedBackupsArn: BACKUPS_ARN,
      },
    ],
  });
  rds.on(DescribeDBInstancesCommand).callsFake((input: { DBInstanceIdentifier?: string }) => {
    const instance = restoredInstance();
    if (instance && input.DBInstanceIdentifier === instance.DBInstanceIdentifier) return { DBInstances: [instance] };
    throw new DBInstanceNotFoundFault({ message: `DBInstance ${input.DBInstanceIdentifier} not found.`, $metadata: {} });
  });
  rds.on(RestoreDBInstanceToPointInTimeCommand).callsFake((input: RestoreDBInstanceToPointInTimeCommandInput) => {
    created = input;
    return {};
  });
  rds.on(ModifyDBInstanceCommand).resolves({});
  rds.on(DeleteDBInstanceCommand).callsFake((input: { DBInstanceIdentifier: string }) => {
    deleted.push(input.DBInstanceIdentifier);
    return {};
  });
  rds.on(DescribeDBClusterSnapshotsCommand).resolves({
    DBClusterSnapshots: [
      {
        DBClusterSnapshotIdentifier: COPY_NAME,
        DBClusterSnapshotArn: `arn:aws:rds:us-west-2:111122223333:cluster-snapshot:${COPY_NAME}`,
        SourceDBClusterSnapshotArn: `arn:aws:rds:us-east-1:111122223333:cluster-snapshot:rds:${AURORA_ID}-2026`,
        DBClusterIdentifier: AURORA_ID,
        SnapshotCreateTime: copyTakenAt,
        Status: "available",
      },
    ],
  });
  rds.on(DescribeDBClustersCommand).callsFake((input: { DBClusterIdentifier?: string }) => {
    throw new DBClusterNotFoundFault({ message: `DBCluster ${input.DBClusterIdentifier} not found.`, $metadata: {} });
  });
}

const allRegions = async () => [...new Set(await regionsOf(rds.calls()))];

/** A route handler called as Next.js would: GET without a body, POST with one. */
function call(handler: typeof postPlan, url: string, cookie: string, body?: unknown): Promise<Response> {
  return handler(apiRequest(url, { cookie, body }), { params: Promise.resolve({}) });
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "rc-pitr-dr-it-"));
  await giveToOwner(tmp);
  certs = certificateDir();
  const ca = makeCertificateAuthority(certs, "Test RDS CA");
  const serverCert = makeServerCertificate(certs, ca, "restored", ["IP:127.0.0.1"]);
  restored = await LocalCluster.open({
    baseDir: path.join(tmp, "restored"),
    password: PASSWORD,
    settings: { ssl: true, ssl_cert_file: "server.crt", ssl_key_file: "server.key" },
  });
  for (const [from, to] of [
    [serverCert.certFile, "server.crt"],
    [serverCert.keyFile, "server.key"],
  ] as const) {
    const target = path.join(restored.dataDir, to);
    await copyFile(from, target);
    await chmod(target, 0o600);
    await giveToOwner(target);
  }
  ({ port } = await restored.start());
  const client = new pg.Client({ connectionString: restored.url() });
  await client.connect();
  await client.query("CREATE DATABASE loanserve");
  await client.end();
  await applyLoanServeSchema(restored.url("loanserve"));
  await seedLoanServe(restored.url("loanserve"), { scale: 0.05, now: new Date() });

  const appUrl = await createMigratedDatabase();
  useTestEnv(appUrl);
  await installJobSchema(appUrl);
  db = createDb(appUrl);
  const user = await createTestUser(appUrl, "operator");
  operator = { id: user.id, email: user.email, name: null, role: "operator", cookie: user.cookie };
  viewerCookie = (await createTestUser(appUrl, "viewer")).cookie;

  const now = Date.now();
  earliest = new Date(now - 7 * 86_400_000);
  latest = new Date(now - 5 * 60_000);
  copyTakenAt = new Date(now - 9 * 3_600_000);

  const aws = `provider: aws
      region: us-east-1
      database: loanserve
      user: postgres
      passwordFrom: { env: ${PASSWORD_ENV} }
      caBundleFile: ${ca.certFile}`;
  const configFile = path.join(tmp, "restore-console.yaml");
  await writeFile(
    configFile,
    `version: 1
defaultEnvironment: rds
environments:
  - name: rds
    pitr:
      ${aws}
      engine: postgres
      instanceIdentifier: ${SOURCE_ID}
      dr: { region: us-west-2, dbSubnetGroupName: dr-db-subnets, vpcSecurityGroupIds: [sg-0dddddddddddddddd] }
  - name: aurora
    pitr:
      ${aws}
      clusterIdentifier: ${AURORA_ID}
      dr: { mode: snapshot, region: us-west-2 }
  - name: aurora-global
    pitr:
      ${aws}
      clusterIdentifier: ${AURORA_ID}
      dr: { mode: global, region: us-west-2, globalClusterIdentifier: loanserve-global, secondaryClusterIdentifier: loanserve-dr }
  - name: no-dr
    pitr:
      ${aws}
      engine: postgres
      instanceIdentifier: ${SOURCE_ID}
  - name: self-hosted
    pitr:
      provider: local
      dataDir: ${path.join(tmp, "nowhere", "data")}
      archiveDir: ${path.join(tmp, "nowhere", "wal")}
      baseBackupDir: ${path.join(tmp, "nowhere", "base")}
      restoreDir: ${path.join(tmp, "nowhere", "restores")}
      database: loanserve
      user: postgres
`,
  );
  process.env.RESTORE_CONSOLE_CONFIG = configFile;
  process.env[PASSWORD_ENV] = PASSWORD;
  resetConfigCache();
}, 180_000);

beforeEach(() => {
  rds.reset();
  created = null;
  deleted = [];
  givenDrRegion();
});

afterAll(async () => {
  rds.restore();
  await db?.$disconnect();
  await restored?.stop("immediate");
  delete process.env[PASSWORD_ENV];
  delete process.env.RESTORE_CONSOLE_CONFIG;
  resetConfigCache();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (certs) await rm(certs, { recursive: true, force: true });
});

describe("PITR in the DR region (RDS for PostgreSQL, replicated automated backups)", () => {
  it("describes the window there, plans, starts and runs a restore there, measured as cross-region, and cleans up there", async () => {
    const windowResponse = await call(getWindow, "/api/pitr/window?environment=rds&region=dr", viewerCookie);
    expect(windowResponse.status, await windowResponse.clone().text()).toBe(200);
    const summary = (await windowResponse.json()) as PitrWindowSummary;
    expect(summary).toMatchObject({ environment: "rds", region: "dr", provider: "aws-rds-instance", activeRun: null });
    expect(summary.window).toMatchObject({ earliest: earliest.toISOString(), latest: latest.toISOString() });

    const choice = { environment: "rds", region: "dr", target: { kind: "latest" } };
    const planned = await call(postPlan, "/api/pitr/plan", operator.cookie, choice);
    expect(planned.status, await planned.clone().text()).toBe(200);
    const preview = (await planned.json()) as PitrRestorePreview;
    expect(preview.canStart).toBe(true);
    expect(preview.plan).toMatchObject({
      region: "dr",
      dr: { primaryRegion: "us-east-1", region: "us-west-2", kind: "replicated-backups" },
    });
    expect(preview.plan.steps.find((step) => step.name === "restore")?.description).toMatch(
      /^RestoreDBInstanceToPointInTime in us-west-2 \(the DR region\) from the automated backups replicated there/,
    );

    const started = await call(postRestore, "/api/pitr/restores", operator.cookie, { ...choice, confirmation: "rds" });
    expect(started.status, await started.clone().text()).toBe(201);
    const { id: runId } = (await started.json()) as { id: string };
    const stored = await db.restoreRun.findUniqueOrThrow({ where: { id: runId } });
    expect(readPitrPlan(stored)).toMatchObject({ region: "dr", dr: { region: "us-west-2" } });
    expect(recoveryMethodOf(stored)).toBe("crossRegion");
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "pitr.start", subjectId: runId } });
    expect(audit.payload).toMatchObject({ environment: "rds", region: "dr", drRegion: "us-west-2" });

    // One PITR run per environment, whichever the region: the primary one waits for it.
    const busy = await call(postPlan, "/api/pitr/plan", operator.cookie, choice);
    expect(((await busy.json()) as PitrRestorePreview).activeRun).toMatchObject({ id: runId, region: "dr" });
    const second = await call(postRestore, "/api/pitr/restores", operator.cookie, { ...choice, confirmation: "rds" });
    expect(second.status).toBe(409);

    expect(await driveRun(db, runId, pitrKind, { workerId: "pitr-dr-itest" })).toBe("succeeded");
    const { run, steps } = await getRestoreRun({ ctx: { db, user: operator, requestId: "t" }, input: { runId } });
    expect(run.status).toBe("succeeded");
    expect(steps.map((step) => [step.name, step.status])).toEqual([
      ["preflight", "succeeded"],
      ["restore", "succeeded"],
      ["writer", "succeeded"],
      ["wait", "succeeded"],
      ["connectivity", "succeeded"],
      ["validate", "succeeded"],
      ["ready-for-cutover", "succeeded"],
      ["cleanup", "pending"],
    ]);
    expect(await db.restoreRun.findUniqueOrThrow({ where: { id: runId }, select: { endpoint: true } })).toMatchObject({
      endpoint: { host: "127.0.0.1", port },
    });

    // From the backups replicated to us-west-2, placed in the DR block's network; nothing of the source's own.
    expect(created).toMatchObject({
      SourceDBInstanceAutomatedBackupsArn: BACKUPS_ARN,
      DBSubnetGroupName: "dr-db-subnets",
      VpcSecurityGroupIds: ["sg-0dddddddddddddddd"],
      UseLatestRestorableTime: true,
      DeletionProtection: true,
    });
    expect(created?.SourceDBInstanceIdentifier).toBeUndefined();

    const confirmation = run.pitrCleanup?.confirmation;
    expect(confirmation).toBe(created?.TargetDBInstanceIdentifier);
    const cleaned = await cleanupPitrRestore({
      ctx: { db, user: operator, requestId: "t" },
      input: { runId, confirmation, finalSnapshot: false },
    });
    expect(cleaned.dropped).toEqual([confirmation]);
    expect(deleted).toEqual([confirmation]);
    expect(rds.commandCalls(ModifyDBInstanceCommand)).toHaveLength(1);

    // Nothing, from the window to the clean-up, was asked of the primary region.
    expect(await allRegions()).toEqual(["us-west-2"]);
  });
});

describe("PITR in the DR region (Aurora, the newest snapshot copy)", () => {
  it("plans and starts a restore of the copy at its own time, naming it, and refuses every other time", async () => {
    const summary = (await (
      await call(getWindow, "/api/pitr/window?environment=aurora&region=dr", viewerCookie)
    ).json()) as PitrWindowSummary;
    expect(summary.window).toMatchObject({
      earliest: copyTakenAt.toISOString(),
      latest: copyTakenAt.toISOString(),
      snapshot: { name: COPY_NAME, takenAt: copyTakenAt.toISOString() },
    });

    const other = await call(postPlan, "/api/pitr/plan", operator.cookie, {
      environment: "aurora",
      region: "dr",
      target: { kind: "time", time: new Date(copyTakenAt.getTime() + 60_000).toISOString() },
    });
    expect(other.status).toBe(400);
    expect(await other.text()).toContain(`is not the time of the snapshot copy \\"${COPY_NAME}\\"`);

    const choice = { environment: "aurora", region: "dr", target: { kind: "time", time: copyTakenAt.toISOString() } };
    const planned = await call(postPlan, "/api/pitr/plan", operator.cookie, choice);
    expect(planned.status, await planned.clone().text()).toBe(200);
    const { plan } = (await planned.json()) as PitrRestorePreview;
    expect(plan).toMatchObject({ region: "dr", dr: { kind: "snapshot-copy" }, dataLoss: { restorePointAt: copyTakenAt.toISOString() } });
    expect(plan.steps.find((step) => step.name === "restore")?.description).toContain(`from the snapshot copy "${COPY_NAME}" taken at`);

    const started = await call(postRestore, "/api/pitr/restores", operator.cookie, { ...choice, confirmation: "aurora" });
    expect(started.status, await started.clone().text()).toBe(201);
    const { id } = (await started.json()) as { id: string };
    const stored = readPitrPlan(await db.restoreRun.findUniqueOrThrow({ where: { id } }));
    expect(stored.window.snapshot?.name).toBe(COPY_NAME);
    expect(await allRegions()).toEqual(["us-west-2"]);
  });
});

describe("asking for the DR region where there is none", () => {
  it("is a 400 that says why: a self-hosted source, no dr block, or a global database to promote instead", async () => {
    const local = await call(getWindow, "/api/pitr/window?environment=self-hosted&region=dr", viewerCookie);
    expect(local.status).toBe(400);
    expect(((await local.json()) as { error: { message: string } }).error.message).toMatch(
      /is self-hosted \(provider local\): it has no DR region, only its own WAL archive\. Restore it in the primary region/,
    );

    const plan = (environment: string) =>
      call(postPlan, "/api/pitr/plan", operator.cookie, { environment, region: "dr", target: { kind: "latest" } });
    const noDr = await plan("no-dr");
    expect(noDr.status).toBe(400);
    expect(await noDr.text()).toContain("no-dr's PITR source has no dr block, so it cannot be restored in another region");
    const global = await plan("aurora-global");
    expect(global.status).toBe(400);
    expect(await global.text()).toContain('recovers in us-west-2 through its Aurora global database \\"loanserve-global\\"');

    const unknown = await call(getWindow, "/api/pitr/window?environment=rds&region=us-west-2", viewerCookie);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('region: expected \\"primary\\"');
    // Nothing was asked of AWS for them.
    expect(rds.calls()).toHaveLength(0);
  });

  it("keeps planning and starting for operators: a viewer may read the window only", async () => {
    const refused = await call(postPlan, "/api/pitr/plan", viewerCookie, { environment: "rds", region: "dr", target: { kind: "latest" } });
    expect(refused.status).toBe(403);
    const started = await call(postRestore, "/api/pitr/restores", viewerCookie, {
      environment: "rds",
      region: "dr",
      target: { kind: "latest" },
      confirmation: "rds",
    });
    expect(started.status).toBe(403);
  });
});
