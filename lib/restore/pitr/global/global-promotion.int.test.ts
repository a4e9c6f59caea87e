import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  RemoveFromGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
  type GlobalCluster,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as getGlobalDatabase } from "@/app/api/pitr/global-database/route";
import { POST as postPromotion } from "@/app/api/pitr/global-database/promotions/route";
import { POST as postApprove } from "@/app/api/pitr/global-database/promotions/[promotionId]/approve/route";
import { POST as postRefuse } from "@/app/api/pitr/global-database/promotions/[promotionId]/refuse/route";
import { resetConfigCache } from "@/lib/config/load-config";
import { createDb, type Db } from "@/lib/db/client";
import { installJobSchema } from "@/lib/jobs/boss";
import { regionsOf } from "@/lib/providers/aws/rds-test-fakes";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import type { GlobalDatabaseSummary } from "./describe-global-database";
import { globalPromotionJob } from "./global-promotion-job";
import type { GlobalPromotionView } from "./global-promotion-views";

// Promoting an Aurora global database's DR cluster through the API and its job, with RDS answered
// by aws-sdk-client-mock: admins only, the global database's identifier typed, audited at the
// request and at the outcome, four-eyes where the environment asks for it, one at a time.

const rds = mockClient(RDSClient);
const GLOBAL_ID = "loanserve-global";
const PRIMARY_ARN = "arn:aws:rds:us-east-1:111122223333:cluster:loanserve-prod-aurora";
const DR_ARN = "arn:aws:rds:us-west-2:111122223333:cluster:loanserve-dr";
const DR_ENDPOINT = "loanserve-dr.cluster-cx0example.us-west-2.rds.amazonaws.com";

let tmp: string;
let db: Db;
let admin: TestUser;
let otherAdmin: TestUser;
let operator: TestUser;
let viewer: TestUser;
/** Set once RDS was asked to move the writer: the DR cluster is then the writer. */
let promoted = false;
/** Set once RDS was asked to detach the DR cluster: it is then no member of the global database. */
let detached = false;

function globalCluster(): GlobalCluster {
  return {
    GlobalClusterIdentifier: GLOBAL_ID,
    Status: "available",
    GlobalClusterMembers: [
      { DBClusterArn: PRIMARY_ARN, IsWriter: !promoted, SynchronizationStatus: "connected" },
      ...(detached ? [] : [{ DBClusterArn: DR_ARN, IsWriter: promoted, SynchronizationStatus: "connected" as const }]),
    ],
  };
}

function givenGlobalDatabase(): void {
  rds.on(DescribeGlobalClustersCommand).callsFake(() => ({ GlobalClusters: [globalCluster()] }));
  rds.on(DescribeDBClustersCommand).resolves({
    DBClusters: [
      {
        DBClusterIdentifier: "loanserve-dr",
        Status: "available",
        Endpoint: DR_ENDPOINT,
        Port: 5432,
        DBClusterMembers: [{ DBInstanceIdentifier: "loanserve-dr-1", IsClusterWriter: true }],
      },
    ],
  });
  rds.on(RemoveFromGlobalClusterCommand).callsFake(() => {
    detached = true;
    return {};
  });
  for (const command of [FailoverGlobalClusterCommand, SwitchoverGlobalClusterCommand]) {
    rds.on(command).callsFake(() => {
      promoted = true;
      return {};
    });
  }
}

const get = (environment: string, user: TestUser) =>
  getGlobalDatabase(apiRequest(`/api/pitr/global-database?environment=${environment}`, { cookie: user.cookie }), {
    params: Promise.resolve({}),
  });
const promote = (user: TestUser, body: Record<string, unknown>) =>
  postPromotion(apiRequest("/api/pitr/global-database/promotions", { cookie: user.cookie, body }), { params: Promise.resolve({}) });
const decide = (handler: typeof postApprove, decision: string, promotionId: string, user: TestUser) =>
  handler(apiRequest(`/api/pitr/global-database/promotions/${promotionId}/${decision}`, { cookie: user.cookie, body: {} }), {
    params: Promise.resolve({ promotionId }),
  });
const errorOf = async (response: Response) => ((await response.json()) as { error: { message: string } }).error.message;
const runJob = (promotionId: string) =>
  globalPromotionJob.run({ promotionId }, { jobId: randomUUID(), signal: new AbortController().signal });
const auditActions = async (promotionId: string) =>
  (await db.auditEvent.findMany({ where: { subjectId: promotionId }, orderBy: { id: "asc" } })).map((event) => [
    event.action,
    event.outcome,
    event.actorEmail,
  ]);

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "rc-global-it-"));
  const appUrl = await createMigratedDatabase();
  useTestEnv(appUrl);
  await installJobSchema(appUrl);
  db = createDb(appUrl);
  admin = await createTestUser(appUrl, "admin");
  otherAdmin = await createTestUser(appUrl, "admin");
  operator = await createTestUser(appUrl, "operator");
  viewer = await createTestUser(appUrl, "viewer");
  const aurora = `provider: aws
      region: us-east-1
      clusterIdentifier: loanserve-prod-aurora
      user: loanserve`;
  const global = `dr: { mode: global, region: us-west-2, globalClusterIdentifier: ${GLOBAL_ID}, secondaryClusterIdentifier: loanserve-dr }`;
  const configFile = path.join(tmp, "restore-console.yaml");
  await writeFile(
    configFile,
    `version: 1
defaultEnvironment: production
environments:
  - name: production
    pitr:
      ${aurora}
      ${global}
  - name: guarded
    pitr:
      ${aurora}
      ${global}
    fourEyes: { actions: [global-promotion], approverRole: admin, windowMinutes: 30 }
  - name: snapshot-dr
    pitr:
      ${aurora}
      dr: { mode: snapshot, region: us-west-2 }
`,
  );
  process.env.RESTORE_CONSOLE_CONFIG = configFile;
  resetConfigCache();
}, 120_000);

beforeEach(() => {
  rds.reset();
  promoted = false;
  detached = false;
  givenGlobalDatabase();
});

afterAll(async () => {
  rds.restore();
  await db?.$disconnect();
  delete process.env.RESTORE_CONSOLE_CONFIG;
  resetConfigCache();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("the global database on the PITR page", () => {
  it("shows its members, writer and DR cluster, described from the DR region, to a viewer", async () => {
    const response = await get("production", viewer);
    expect(response.status).toBe(200);
    const summary = (await response.json()) as GlobalDatabaseSummary;
    expect(summary).toMatchObject({
      environment: "production",
      config: { globalClusterIdentifier: GLOBAL_ID, region: "us-west-2", secondaryClusterIdentifier: "loanserve-dr" },
      problem: null,
      promotions: [],
      fourEyes: null,
      state: {
        identifier: GLOBAL_ID,
        status: "available",
        writer: { arn: PRIMARY_ARN, region: "us-east-1" },
        drMember: { arn: DR_ARN, region: "us-west-2", isWriter: false },
      },
    });
    expect(summary.state?.members).toHaveLength(2);
    expect([...new Set(await regionsOf(rds.calls()))]).toEqual(["us-west-2"]);
  });

  it("says when RDS does not answer, keeping the promotions readable", async () => {
    rds.reset();
    rds.on(DescribeGlobalClustersCommand).rejects(Object.assign(new Error("nope"), { name: "GlobalClusterNotFoundFault" }));
    const summary = (await (await get("production", viewer)).json()) as GlobalDatabaseSummary;
    expect(summary.state).toBeNull();
    expect(summary.problem).toMatch(/The global database "loanserve-global" was not found from us-west-2/);
  });

  it("is a 400 for a source that is not in a global database", async () => {
    const response = await get("snapshot-dr", viewer);
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(/is not in an Aurora global database \(dr\.mode: global\)/);
  });
});

describe("promoting the DR cluster", () => {
  it("is for admins only, with the global database's identifier typed exactly", async () => {
    const body = { environment: "production", mode: "switchover", confirmation: GLOBAL_ID };
    expect((await promote(operator, body)).status).toBe(403);
    const mistyped = await promote(admin, { ...body, confirmation: "loanserve" });
    expect(mistyped.status).toBe(400);
    expect(await errorOf(mistyped)).toBe(
      `Type exactly "${GLOBAL_ID}" to confirm the promotion of loanserve-dr in us-west-2 to writer of the global database.`,
    );
    const badMode = await promote(admin, { ...body, mode: "promote-somehow" });
    expect(badMode.status).toBe(400);
    expect(await db.globalPromotion.count()).toBe(0);
  });

  it("records the request (audited), runs it in the job, records the outcome (audited), one at a time", async () => {
    const requested = await promote(admin, { environment: "production", mode: "failover-allowing-data-loss", confirmation: GLOBAL_ID });
    expect(requested.status).toBe(202);
    const promotion = (await requested.json()) as GlobalPromotionView;
    expect(promotion).toMatchObject({
      status: "queued",
      mode: "failover-allowing-data-loss",
      requestedByEmail: admin.email,
      approval: null,
    });

    const again = await promote(otherAdmin, { environment: "production", mode: "switchover", confirmation: GLOBAL_ID });
    expect(again.status).toBe(409);
    expect(await errorOf(again)).toMatch(/^A promotion of production's DR cluster is already queued \(asked for by admin-/);

    await runJob(promotion.id);
    await runJob(promotion.id); // A repeated job claims nothing and sends nothing twice.
    expect(rds.commandCalls(FailoverGlobalClusterCommand).map((c) => c.args[0].input)).toEqual([
      { GlobalClusterIdentifier: GLOBAL_ID, TargetDbClusterIdentifier: DR_ARN, AllowDataLoss: true },
    ]);
    expect(rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);

    const summary = (await (await get("production", viewer)).json()) as GlobalDatabaseSummary;
    const [done] = summary.promotions;
    expect(done).toMatchObject({
      id: promotion.id,
      status: "succeeded",
      sent: true,
      endpoint: { host: DR_ENDPOINT, port: 5432, database: "loanserve", user: "loanserve", identifier: "loanserve-dr" },
      error: null,
    });
    expect(done?.log.at(-1)).toBe(`The DR cluster accepts writes at loanserve@${DR_ENDPOINT}:5432/loanserve`);
    expect(summary.state?.writer?.arn).toBe(DR_ARN);
    expect(await auditActions(promotion.id)).toEqual([
      ["pitr.global-promotion.requested", "ok", admin.email],
      ["pitr.global-promotion.succeeded", "ok", "system"],
    ]);
    expect([...new Set(await regionsOf(rds.calls()))]).toEqual(["us-west-2"]);

    // Done: the environment takes a new request.
    expect((await promote(admin, { environment: "production", mode: "switchover", confirmation: GLOBAL_ID })).status).toBe(202);
    await db.globalPromotion.deleteMany({ where: { environment: "production", status: "queued" } });
  });

  it("detaches the DR cluster from the global database when asked to, once", async () => {
    const requested = await promote(admin, { environment: "production", mode: "detach", confirmation: GLOBAL_ID });
    expect(requested.status).toBe(202);
    const promotion = (await requested.json()) as GlobalPromotionView;
    await runJob(promotion.id);
    expect(rds.commandCalls(RemoveFromGlobalClusterCommand).map((c) => c.args[0].input)).toEqual([
      { GlobalClusterIdentifier: GLOBAL_ID, DbClusterIdentifier: DR_ARN },
    ]);
    expect(rds.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
    const [done] = ((await (await get("production", viewer)).json()) as GlobalDatabaseSummary).promotions;
    expect(done).toMatchObject({ id: promotion.id, status: "succeeded", sent: true, endpoint: { host: DR_ENDPOINT } });
  });

  it("records a failure with what to do, audited, and frees the environment", async () => {
    rds.reset();
    rds.on(DescribeGlobalClustersCommand).resolves({
      GlobalClusters: [{ ...globalCluster(), GlobalClusterMembers: [{ DBClusterArn: PRIMARY_ARN, IsWriter: true }] }],
    });
    const promotion = (await (
      await promote(admin, { environment: "production", mode: "switchover", confirmation: GLOBAL_ID })
    ).json()) as GlobalPromotionView;
    await runJob(promotion.id);
    const row = await db.globalPromotion.findUniqueOrThrow({ where: { id: promotion.id } });
    expect(row).toMatchObject({ status: "failed", activeKey: null });
    expect(row.error).toMatch(/is not a member of the global database "loanserve-global" \(detached already\?\)/);
    expect((await auditActions(promotion.id)).at(-1)).toEqual(["pitr.global-promotion.failed", "failed", "system"]);
  });

  it("fails a promotion no worker finished within its limit, so the environment is not held for ever", async () => {
    const stale = await db.globalPromotion.create({
      data: {
        environment: "production",
        globalClusterIdentifier: GLOBAL_ID,
        mode: "switchover",
        status: "running",
        activeKey: "production",
        requestedByEmail: admin.email,
        createdAt: new Date(Date.now() - 3 * 3_600_000),
        startedAt: new Date(Date.now() - 3 * 3_600_000),
      },
    });
    const summary = (await (await get("production", viewer)).json()) as GlobalDatabaseSummary;
    const settled = summary.promotions.find((promotion) => promotion.id === stale.id);
    expect(settled).toMatchObject({ status: "failed" });
    expect(settled?.error).toMatch(/^No outcome was recorded within 1 h 10 min: the worker running it stopped\./);
    expect(await auditActions(stale.id)).toEqual([["pitr.global-promotion.failed", "failed", "system"]]);
  });
});

describe("four-eyes on a promotion", () => {
  const body = { environment: "guarded", mode: "switchover", confirmation: GLOBAL_ID };

  it("waits for a different admin's approval, refusing the requester's own", async () => {
    const noReason = await promote(admin, body);
    expect(noReason.status).toBe(400);
    expect(await errorOf(noReason)).toMatch(/^guarded needs a second person \(admin or above\) to approve this\. Say why/);

    const requested = await promote(admin, { ...body, reason: "us-east-1 is down since 09:10, AWS health confirms it" });
    expect(requested.status).toBe(202);
    const promotion = (await requested.json()) as GlobalPromotionView;
    expect(promotion).toMatchObject({ status: "awaiting-approval", approval: { approverRole: "admin" } });
    // Not handed to the worker: a job now would do nothing, the request is not queued.
    await runJob(promotion.id);
    expect(rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(0);

    const self = await decide(postApprove, "approve", promotion.id, admin);
    expect(self.status).toBe(403);
    expect(await errorOf(self)).toBe("You asked for this yourself: a different person must approve it (four-eyes).");
    expect((await decide(postApprove, "approve", promotion.id, operator)).status).toBe(403);

    const approved = await decide(postApprove, "approve", promotion.id, otherAdmin);
    expect(approved.status).toBe(202);
    expect(await approved.json()).toMatchObject({ status: "queued", decidedByEmail: otherAdmin.email });
    await runJob(promotion.id);
    expect(rds.commandCalls(SwitchoverGlobalClusterCommand)).toHaveLength(1);
    expect(await db.globalPromotion.findUniqueOrThrow({ where: { id: promotion.id } })).toMatchObject({ status: "succeeded" });
    expect(await auditActions(promotion.id)).toEqual([
      ["pitr.global-promotion.requested", "ok", admin.email],
      ["pitr.global-promotion.approve", "denied", admin.email],
      ["pitr.global-promotion.approved", "ok", otherAdmin.email],
      ["pitr.global-promotion.succeeded", "ok", "system"],
    ]);
  });

  it("lets the requester withdraw a request, which frees the environment at once", async () => {
    const promotion = (await (await promote(admin, { ...body, reason: "wrong mode chosen, asking again" })).json()) as GlobalPromotionView;
    const refused = await decide(postRefuse, "refuse", promotion.id, admin);
    expect(refused.status).toBe(200);
    expect(await refused.json()).toMatchObject({ status: "refused", decidedByEmail: admin.email });
    expect((await decide(postApprove, "approve", promotion.id, otherAdmin)).status).toBe(409);
    expect((await auditActions(promotion.id)).at(-1)).toEqual(["pitr.global-promotion.refused", "ok", admin.email]);
    const next = await promote(admin, { ...body, mode: "failover-allowing-data-loss", reason: "us-east-1 is down, failing over" });
    expect(next.status).toBe(202);
  });
});
