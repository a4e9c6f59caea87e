import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { POST as approveRoute } from "@/app/api/approvals/[approvalId]/approve/route";
import { POST as refuseRoute } from "@/app/api/approvals/[approvalId]/refuse/route";
import { GET as listRoute } from "@/app/api/approvals/route";
import { POST as cutOverRoute } from "@/app/api/restores/[runId]/cut-over/route";
import { POST as swapRoute } from "@/app/api/restores/[runId]/swap/route";
import type { SessionUser } from "@/lib/auth/roles";
import { resetConfigCache } from "@/lib/config/load-config";
import type { ConfigFileInput } from "@/lib/config/schema";
import { createDb, type Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { BadRequestError, ConflictError, ForbiddenError } from "@/lib/errors";
import { declareIncident } from "@/lib/incidents/declare-incident";
import { installJobSchema } from "@/lib/jobs/boss";
import type { RouteHandler } from "@/lib/http/route";
import stored from "@/lib/restore/fixtures/stored-plans-v1.json";
import { markPitrCutOver } from "@/lib/restore/pitr/mark-pitr-cut-over";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { adminUrl, createMigratedDatabase, sqlOn } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import { ApprovalRequested } from "./approval-requested";
import type { ApprovalView } from "./approval-views";
import { approveApproval } from "./approve-approval";
import { listApprovals } from "./list-approvals";
import { refuseApproval } from "./refuse-approval";

// Four-eyes on real PostgreSQL: the guarded actions' routes record a request (202), a different
// person with the role approves it and the action runs once with the recorded parameters, and
// self-approval, a viewer, a refusal and an expired window are each refused and audited, with the
// approvals and refusals on the timeline of the environment's incident.

const id = randomBytes(4).toString("hex");
const LIVE_DB = `fe_live_${id}`;
const SCRATCH_DB = `fe_scratch_${id}`;
const BACKUP = "2026-11-19.sql.gz";

let db: Db;
let appUrl: string;
let tempDir: string;
let requester: TestUser;
let second: TestUser;
let third: TestUser;
let viewer: TestUser;
let incidentId: string;

const sessionOf = (user: TestUser): SessionUser => ({ id: user.id, email: user.email, name: null, role: user.role });
const ctxOf = (user: TestUser) => ({ db, user: sessionOf(user), requestId: randomUUID() });

async function call(
  handler: RouteHandler,
  url: string,
  params: Record<string, string>,
  user: TestUser,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await handler(
    apiRequest(url, { method: body === undefined && url.includes("/api/approvals?") ? "GET" : "POST", cookie: user.cookie, body }),
    { params: Promise.resolve(params) },
  );
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const logicalPlan = stored.logical[0] as (typeof stored.logical)[number];
const pitrPlan = stored.pitr[0] as (typeof stored.pitr)[number];

async function swapRun(): Promise<string> {
  const run = await db.restoreRun.create({
    data: {
      kind: "logical",
      environment: "guarded",
      targetName: "live",
      targetDatabase: LIVE_DB,
      mode: "swap",
      status: "awaiting-swap",
      // A stored plan as the planner writes it (plans are read through their schema), pointed at this test's names.
      plan: {
        ...logicalPlan,
        environment: { name: "guarded", protected: false },
        source: { ...logicalPlan.source, name: BACKUP },
        target: { ...logicalPlan.target, name: "live", database: LIVE_DB },
        databases: { ...logicalPlan.databases, live: LIVE_DB, scratch: SCRATCH_DB },
        steps: [],
        confirmations: { start: LIVE_DB, swap: `${BACKUP} -> ${LIVE_DB}` },
      },
      scratchDatabase: SCRATCH_DB,
      requestedByEmail: requester.email,
    },
  });
  return run.id;
}

async function pitrRun(): Promise<string> {
  const run = await db.restoreRun.create({
    data: {
      kind: "pitr",
      environment: "guarded",
      targetName: "pitr",
      targetDatabase: "loanserve",
      mode: "new-server",
      status: "succeeded",
      plan: {
        ...pitrPlan,
        incident: null,
        environment: { name: "guarded", protected: false },
        source: { provider: "local", description: "local cluster", database: "loanserve", user: "postgres" },
        target: { kind: "latest" },
        identifiers: [`rc-pitr-${randomBytes(4).toString("hex")}`],
        steps: [],
        confirmations: { start: "guarded" },
      },
      scratchDatabase: "unused",
      requestedByEmail: requester.email,
      endpoint: { host: "127.0.0.1", port: 6543, database: "loanserve", user: "postgres", identifier: "restored" },
    },
  });
  return run.id;
}

const auditOf = (action: string, subjectId?: string) =>
  db.auditEvent.findMany({ where: { action, ...(subjectId ? { subjectId } : {}) }, orderBy: { id: "asc" } });
const timeline = () => db.incidentEvent.findMany({ where: { incidentId }, orderBy: { id: "asc" } });

beforeAll(async () => {
  appUrl = await createMigratedDatabase();
  useTestEnv(appUrl);
  await installJobSchema(appUrl);
  db = createDb(appUrl);
  requester = await createTestUser(appUrl, "operator");
  second = await createTestUser(appUrl, "operator");
  third = await createTestUser(appUrl, "admin");
  viewer = await createTestUser(appUrl, "viewer");
  await sqlOn("postgres", `CREATE DATABASE ${LIVE_DB}`);
  await sqlOn("postgres", `CREATE DATABASE ${SCRATCH_DB}`);

  const admin = new URL(adminUrl());
  tempDir = await mkdtemp(path.join(tmpdir(), "rc-four-eyes-"));
  const config: ConfigFileInput = {
    version: 1,
    defaultEnvironment: "guarded",
    environments: [
      {
        name: "guarded",
        protected: false,
        fourEyes: { windowMinutes: 30, approverRole: "operator" },
        pitr: {
          provider: "local",
          dataDir: path.join(tempDir, "data"),
          archiveDir: path.join(tempDir, "archive"),
          baseBackupDir: path.join(tempDir, "base"),
          restoreDir: path.join(tempDir, "restores"),
          port: Number(admin.port),
          database: "postgres",
          user: decodeURIComponent(admin.username) || "postgres",
        },
        restoreTargets: [
          {
            name: "live",
            host: "127.0.0.1",
            port: Number(admin.port),
            database: LIVE_DB,
            user: decodeURIComponent(admin.username) || "postgres",
            sslMode: "disable",
          },
        ],
      },
    ],
  };
  const file = path.join(tempDir, "restore-console.yaml");
  await writeFile(file, stringify(config));
  process.env.RESTORE_CONSOLE_CONFIG = file;
  resetConfigCache();
  incidentId = (
    await declareIncident({
      ctx: ctxOf(third),
      input: { title: "Loans table damaged", severity: "sev2", environment: "guarded", scope: "loans since 02:00" },
    })
  ).id;
});

afterAll(async () => {
  await db.$disconnect();
  await rm(tempDir, { recursive: true, force: true });
  delete process.env.RESTORE_CONSOLE_CONFIG;
  resetConfigCache();
});

describe("a swap on a four-eyes environment", () => {
  let runId: string;
  let approval: ApprovalView;

  it("is recorded as a pending request (202) instead of being done, and needs a reason", async () => {
    runId = await swapRun();
    const noReason = await call(swapRoute, `/api/restores/${runId}/swap`, { runId }, requester, {
      confirmation: `${BACKUP} -> ${LIVE_DB}`,
    });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.json)).toContain("second person");

    const asked = await call(swapRoute, `/api/restores/${runId}/swap`, { runId }, requester, {
      confirmation: `${BACKUP} -> ${LIVE_DB}`,
      reason: "Loans were corrupted at 02:10, restoring last night",
    });
    expect(asked.status).toBe(202);
    approval = asked.json.approval as ApprovalView;
    expect(approval).toMatchObject({
      runId,
      action: "swap",
      status: "pending",
      requestedByEmail: requester.email,
      parameters: { confirmation: `${BACKUP} -> ${LIVE_DB}`, terminateSessions: false },
    });
    expect(Date.parse(approval.expiresAt) - Date.parse(approval.requestedAt)).toBe(30 * 60_000);
    expect((await db.restoreRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("awaiting-swap");
    expect(await auditOf("approval.request", approval.id)).toHaveLength(1);
    expect((await db.restoreRunEvent.findMany({ where: { runId, type: "approval" } })).map((e) => e.payload)).toEqual([
      expect.objectContaining({ status: "pending" }),
    ]);
  });

  it("allows one pending request per run and action", async () => {
    const again = await call(swapRoute, `/api/restores/${runId}/swap`, { runId }, second, {
      confirmation: `${BACKUP} -> ${LIVE_DB}`,
      reason: "Asking a second time for the same swap",
    });
    expect(again.status).toBe(409);
    expect(await db.approval.count({ where: { runId, status: "pending" } })).toBe(1);
  });

  it("refuses the requester's own approval, and audits the attempt", async () => {
    const own = await call(approveRoute, `/api/approvals/${approval.id}/approve`, { approvalId: approval.id }, requester);
    expect(own.status).toBe(403);
    const denied = await auditOf("approval.approve", approval.id);
    expect(denied).toEqual([
      expect.objectContaining({
        outcome: "denied",
        actorEmail: requester.email,
        payload: expect.objectContaining({ why: "self-approval" }),
      }),
    ]);
    expect((await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("pending");
  });

  it("refuses a viewer, at the route and in the verb", async () => {
    const route = await call(approveRoute, `/api/approvals/${approval.id}/approve`, { approvalId: approval.id }, viewer);
    expect(route.status).toBe(403);
    await expect(approveApproval({ ctx: ctxOf(viewer), input: { approvalId: approval.id } })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("pending");
  });

  it("lists the pending request for everyone who may read", async () => {
    const listed = await call(listRoute, `/api/approvals?status=pending`, {}, viewer);
    expect(listed.status).toBe(200);
    expect((listed.json.approvals as ApprovalView[]).map((a) => a.id)).toContain(approval.id);
  });

  it("runs exactly once when two people approve at the same moment, as approver and requester", async () => {
    const results = await Promise.allSettled([
      approveApproval({ ctx: ctxOf(second), input: { approvalId: approval.id } }),
      approveApproval({ ctx: ctxOf(third), input: { approvalId: approval.id } }),
    ]);
    const fulfilled = results.filter((r) => r.status === "fulfilled");
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(ConflictError);

    const run = await db.restoreRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("running");
    const done = await db.approval.findUniqueOrThrow({ where: { id: approval.id } });
    expect(done.status).toBe("executed");
    expect([second.email, third.email]).toContain(done.decidedByEmail);
    expect(run.swapConfirmedByEmail).toBe(done.decidedByEmail);

    const swaps = await auditOf("restore.swap.confirm", runId);
    expect(swaps).toHaveLength(1);
    expect(swaps[0]).toMatchObject({
      actorEmail: done.decidedByEmail,
      payload: expect.objectContaining({
        approval: { id: approval.id, requestedBy: requester.email, approvedBy: done.decidedByEmail, reason: approval.reason },
      }),
    });
    expect(await auditOf("approval.approve", approval.id)).toEqual(
      expect.arrayContaining([expect.objectContaining({ outcome: "ok", actorEmail: done.decidedByEmail })]),
    );
    expect(await db.restoreRunEvent.count({ where: { runId, type: "swap" } })).toBe(1);

    const events = await timeline();
    expect(events.filter((e) => e.type === "approval-requested" && (e.payload as { runId?: string }).runId === runId)).toHaveLength(1);
    expect(events.filter((e) => e.type === "approval-approved" && (e.payload as { runId?: string }).runId === runId)).toEqual([
      expect.objectContaining({
        actorEmail: done.decidedByEmail,
        payload: expect.objectContaining({ requestedBy: requester.email, action: "swap" }),
      }),
    ]);
  });
});

describe("a PITR cut-over on a four-eyes environment", () => {
  it("is refused with a reason: nothing is done, it is audited and on the incident's timeline, and a new request may follow", async () => {
    const runId = await pitrRun();
    const asked = await call(cutOverRoute, `/api/restores/${runId}/cut-over`, { runId }, requester, {
      reason: "Application moved to the restored server",
    });
    expect(asked.status).toBe(202);
    const approval = asked.json.approval as ApprovalView;

    const tooShort = await call(refuseRoute, `/api/approvals/${approval.id}/refuse`, { approvalId: approval.id }, second, { reason: "no" });
    expect(tooShort.status).toBe(400);
    const refused = await call(refuseRoute, `/api/approvals/${approval.id}/refuse`, { approvalId: approval.id }, second, {
      reason: "Traffic has not moved yet, checked the load balancer",
    });
    expect(refused.status).toBe(200);
    expect(refused.json).toMatchObject({
      status: "refused",
      decidedByEmail: second.email,
      decisionReason: "Traffic has not moved yet, checked the load balancer",
    });
    expect((await db.restoreRun.findUniqueOrThrow({ where: { id: runId } })).cutOverAt).toBeNull();
    expect(await auditOf("approval.refuse", approval.id)).toEqual([
      expect.objectContaining({
        actorEmail: second.email,
        payload: expect.objectContaining({ reason: "Traffic has not moved yet, checked the load balancer" }),
      }),
    ]);
    expect((await timeline()).filter((e) => e.type === "approval-refused")).toEqual([
      expect.objectContaining({
        actorEmail: second.email,
        payload: expect.objectContaining({
          runId,
          action: "pitr-cut-over",
          reason: "Traffic has not moved yet, checked the load balancer",
        }),
      }),
    ]);
    await expect(approveApproval({ ctx: ctxOf(third), input: { approvalId: approval.id } })).rejects.toBeInstanceOf(ConflictError);

    // Free again: asked anew and approved, the cut-over happens as the approver, both in the audit.
    await expect(markPitrCutOver({ ctx: ctxOf(requester), input: { runId } })).rejects.toBeInstanceOf(BadRequestError);
    const again = await markPitrCutOver({
      ctx: ctxOf(requester),
      input: { runId, reason: "Traffic moved now, load balancer switched" },
    }).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(ApprovalRequested);
    const second_ = (again as ApprovalRequested).approval;
    const approved = await approveApproval({ ctx: ctxOf(third), input: { approvalId: second_.id } });
    expect(approved.approval.status).toBe("executed");
    const run = await db.restoreRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.cutOverByEmail).toBe(third.email);
    expect(await auditOf("pitr.cut-over", runId)).toEqual([
      expect.objectContaining({
        actorEmail: third.email,
        payload: expect.objectContaining({ approval: expect.objectContaining({ requestedBy: requester.email, approvedBy: third.email }) }),
      }),
    ]);
  });

  it("expires after its window: approving is refused, the expiry is audited, and a new request may follow", async () => {
    const runId = await pitrRun();
    const asked = await markPitrCutOver({
      ctx: ctxOf(requester),
      input: { runId, reason: "Cut over to the restored server please" },
    }).catch((error: unknown) => error);
    expect(asked).toBeInstanceOf(ApprovalRequested);
    const approval = (asked as ApprovalRequested).approval;
    await db.approval.update({ where: { id: approval.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    await expect(approveApproval({ ctx: ctxOf(second), input: { approvalId: approval.id } })).rejects.toBeInstanceOf(ConflictError);
    expect(await db.approval.findUniqueOrThrow({ where: { id: approval.id } })).toMatchObject({ status: "expired", pendingKey: null });
    expect(await auditOf("approval.expire", approval.id)).toEqual([expect.objectContaining({ actorEmail: "system" })]);
    expect((await db.restoreRun.findUniqueOrThrow({ where: { id: runId } })).cutOverAt).toBeNull();
    expect((await listApprovals({ ctx: systemCtx(db), input: { runId } })).map((a) => a.status)).toEqual(["expired"]);

    const renewed = await markPitrCutOver({ ctx: ctxOf(requester), input: { runId, reason: "Asking again after it expired" } }).catch(
      (error: unknown) => error,
    );
    expect(renewed).toBeInstanceOf(ApprovalRequested);
    await refuseApproval({
      ctx: ctxOf(requester),
      input: { approvalId: (renewed as ApprovalRequested).approval.id, reason: "Withdrawn by me" },
    });
  });
});
