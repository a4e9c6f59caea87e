import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import type { AlertView } from "@/lib/alerts/evaluate-alerts";
import type { Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { declareIncident } from "@/lib/incidents/declare-incident";
import { testLogicalPlan } from "@/lib/testing/plans";
import { createTestUser } from "@/lib/testing/auth";
import { startRestoreTestApp, writeRestoreConfig, type RestoreTestApp } from "@/lib/testing/restore-runs";
import { listRunningRuns, needsAttention } from "./triage";

// Overview's triage on a real database: what waits for a person comes first, in the order that
// matters at 3 a.m., each item with its next action.

let app: RestoreTestApp;
let db: Db;
let operator: SessionUser;

/** A run row in `status` with a logical plan, as the engine stores one. */
async function run(status: string, targetName: string) {
  const id = randomUUID();
  const plan = testLogicalPlan({
    environment: "triage",
    runId: id,
    mode: "swap",
    targetName,
    database: "loanserve",
    backupId: randomUUID(),
    backupName: "2026-11-29.sql.gz",
    takenAt: new Date("2026-11-29T02:00:00.000Z"),
  });
  return db.restoreRun.create({
    data: {
      id,
      kind: "logical",
      environment: "triage",
      targetName,
      targetDatabase: "loanserve",
      mode: "swap",
      status,
      plan: JSON.parse(JSON.stringify(plan)) as object,
      scratchDatabase: plan.databases.scratch,
      requestedByEmail: "someone@example.com",
      startedAt: new Date(),
      steps: {
        create: plan.steps.map((s) => ({ position: s.position, name: s.name, status: s.name === "preflight" ? "succeeded" : "pending" })),
      },
    },
  });
}

const alert = (severity: "critical" | "warning", rule: string): AlertView => ({
  id: randomUUID(),
  rule,
  environment: "triage",
  severity,
  title: `${rule} alert`,
  detail: "detail",
  href: "/backups",
  firedAt: new Date(Date.now() - 60_000).toISOString(),
});

beforeAll(async () => {
  app = await startRestoreTestApp("rc-triage-it-");
  db = app.db;
  await writeRestoreConfig(app.tempDir, {
    environments: [{ name: "triage", protected: false, targets: { dr: "loanserve", other: "loanserve2" } }],
    user: "nobody",
    password: "unused",
    s3: app.s3,
    prefix: "triage/",
    envPrefix: "RC_TRIAGE",
  });
  const user = await createTestUser(app.appUrl, "operator");
  operator = { id: user.id, email: user.email, name: null, role: "operator" };
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

describe("Overview triage", () => {
  it("puts a dead worker first, then an overdue incident phase, a swap waiting for a person, critical alerts, then warnings", async () => {
    // Started three hours ago: its first phases are long overdue.
    const incident = await declareIncident({
      ctx: { db, user: operator, requestId: randomUUID() },
      input: {
        title: "Loans lost",
        severity: "sev2",
        environment: "triage",
        scope: "loans of tenant 3",
        startedAt: new Date(Date.now() - 3 * 3_600_000),
      },
    });
    const waiting = await run("awaiting-swap", "dr");
    const items = await needsAttention({
      ctx: systemCtx(db),
      input: {
        workerOk: false,
        workerDetail: "The last heartbeat is 300 s old.",
        alerts: [alert("warning", "backup-manifest"), alert("critical", "verification-failed"), alert("critical", "worker-down")],
        approvals: [],
      },
    });
    expect(items.map((item) => item.key)).toEqual([
      "worker",
      `incident:${incident.id}`,
      `run:${waiting.id}`,
      expect.stringMatching(/^alert:/),
      expect.stringMatching(/^alert:/),
    ]);
    expect(items[1]).toMatchObject({ tone: "critical", action: { label: "Open the incident", href: `/incidents/${incident.id}` } });
    expect(items[1]?.detail).toMatch(/overdue by \d+:\d{2}:\d{2}\)\.$/);
    expect(items[2]).toMatchObject({
      title: "2026-11-29.sql.gz is restored and validated: the swap onto dr waits for your confirmation",
      action: { label: "Review and confirm the swap", href: `/restores/${waiting.id}` },
    });
    expect(items.slice(3).map((item) => [item.rule, item.action.label])).toEqual([
      ["verification-failed", "See the verification"],
      ["backup-manifest", "See the backup"],
    ]);
  });

  it("lists a global database promotion waiting for a second admin, until it expires", async () => {
    const base = {
      environment: "triage",
      globalClusterIdentifier: "loanserve-global",
      mode: "switchover",
      status: "awaiting-approval",
      approverRole: "admin",
      requestedByEmail: operator.email,
      reason: "us-east-1 is degraded",
    };
    const waiting = await db.globalPromotion.create({ data: { ...base, expiresAt: new Date(Date.now() + 30 * 60_000) } });
    await db.globalPromotion.create({ data: { ...base, environment: "other", expiresAt: new Date(Date.now() - 60_000) } });
    const items = await needsAttention({ ctx: systemCtx(db), input: { workerOk: true, workerDetail: "", alerts: [], approvals: [] } });
    const promotions = items.filter((item) => item.key.startsWith("promotion:"));
    expect(promotions).toEqual([
      expect.objectContaining({
        key: `promotion:${waiting.id}`,
        title: "Promoting triage's DR cluster needs a second admin's approval",
        action: { label: "Review the request", href: "/restores/pitr?environment=triage" },
      }),
    ]);
    await db.globalPromotion.deleteMany({});
  });

  it("lists what runs now with its step, and nothing finished", async () => {
    const running = await run("running", "other");
    await run("succeeded", "dr");
    const runs = await listRunningRuns({ ctx: systemCtx(db) });
    expect(runs).toEqual([expect.objectContaining({ id: running.id, kind: "logical", what: "2026-11-29.sql.gz", currentStep: "restore" })]);
  });
});
