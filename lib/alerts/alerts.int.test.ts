import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as alertsRoute } from "@/app/api/alerts/route";
import type { Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { deliverWebhook } from "@/lib/incidents/deliver-webhook";
import { createTestUser } from "@/lib/testing/auth";
import { apiRequest } from "@/lib/testing/requests";
import { startRestoreTestApp, writeRestoreConfig, type RestoreTestApp } from "@/lib/testing/restore-runs";
import { evaluateAlerts, type AlertView } from "./evaluate-alerts";

// Alerts without an incident on real services: the rules read the app's database, each alert
// fires once and resolves once, is audited, and reaches a real HTTP receiver as a Slack message.

const HOUR = 3_600_000;
let app: RestoreTestApp;
let db: Db;
let receiver: Server;
const received: Array<{ text: string }> = [];

const ctx = () => systemCtx(db);

async function deliverAll(): Promise<void> {
  const pending = await db.webhookDelivery.findMany({ where: { status: "pending" } });
  for (const delivery of pending) await deliverWebhook({ ctx: ctx(), input: { deliveryId: delivery.id } });
}

async function backup(name: string, hoursAgo: number, manifestState = "present") {
  const at = new Date(Date.now() - hoursAgo * HOUR);
  return db.backup.create({
    data: {
      environment: "alerts",
      key: `alerts/${name}`,
      name,
      size: 10n,
      lastModified: at,
      takenAt: at,
      format: "plain-gzip",
      manifestKey: `alerts/${name}.manifest.json`,
      manifestState,
      lastSeenAt: new Date(),
    },
  });
}

const run = (status: string, finishedAgoMs: number) =>
  db.restoreRun.create({
    data: {
      kind: "logical",
      environment: "alerts",
      targetName: "prod",
      targetDatabase: "loanserve",
      mode: "new-database",
      status,
      plan: {},
      scratchDatabase: "scratch",
      requestedByEmail: "ci@example.com",
      createdAt: new Date(Date.now() - finishedAgoMs - 60_000),
      finishedAt: new Date(Date.now() - finishedAgoMs),
      error: status === "failed" ? 'psql: relation "loans" does not exist' : null,
    },
  });

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push(JSON.parse(body) as { text: string });
      response.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  process.env.RC_ALERTS_WEBHOOK = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  app = await startRestoreTestApp("rc-alerts-it-");
  db = app.db;
  await writeRestoreConfig(app.tempDir, {
    environments: [
      { name: "alerts", protected: false, targets: { prod: "unused" }, notifications: { webhookUrlFrom: { env: "RC_ALERTS_WEBHOOK" } } },
    ],
    user: "nobody",
    password: "unused",
    s3: app.s3,
    prefix: "alerts/",
    envPrefix: "RC_ALERTS",
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe("alerts without an incident", () => {
  it("fire once each when their rules hold, are audited and reach the webhook; a second evaluation changes nothing", async () => {
    await backup("old.sql.gz", 30);
    await backup("new.sql.gz", 40, "missing");
    await run("failed", HOUR);
    await db.workerHeartbeat.create({
      data: { workerId: "w1", hostname: "box", pid: 1, startedAt: new Date(Date.now() - HOUR), beatAt: new Date(Date.now() - 5 * 60_000) },
    });

    // Two processes at once: one evaluates, the other finds it under way and skips its turn.
    const both = await Promise.all([evaluateAlerts({ ctx: ctx() }), evaluateAlerts({ ctx: ctx() })]);
    const fired = both.flatMap((changes) => changes.fired);
    expect(fired.map((a) => a.rule).sort()).toEqual(["backup-manifest", "backup-stale", "run-failed", "worker-down"]);
    expect(both.some((changes) => changes.fired.length === 0)).toBe(true);
    expect(both.flatMap((changes) => changes.resolved)).toEqual([]);
    const again = await evaluateAlerts({ ctx: ctx() });
    expect({ fired: again.fired.length, resolved: again.resolved.length }).toEqual({ fired: 0, resolved: 0 });

    await deliverAll();
    expect(received).toHaveLength(4);
    expect(received.map((m) => m.text)).toEqual(
      expect.arrayContaining([
        ":warning: Alert · CRITICAL · alerts: Backups of alerts are not fresh",
        ":warning: Alert · CRITICAL: No worker is running",
        ":warning: Alert · WARNING · alerts: new.sql.gz has no usable manifest",
        ":warning: Alert · WARNING · alerts: A logical restore onto prod failed",
      ]),
    );
    expect(await db.auditEvent.count({ where: { action: "alert.fire" } })).toBe(4);
  });

  it("resolve once when their rules stop holding, and the API lists what is still open", async () => {
    await backup("fresh.sql.gz", 1);
    await db.workerHeartbeat.update({ where: { workerId: "w1" }, data: { beatAt: new Date() } });
    await run("succeeded", 60_000);

    const changes = await evaluateAlerts({ ctx: ctx() });
    expect(changes.resolved.map((a) => a.rule).sort()).toEqual(["backup-stale", "run-failed", "worker-down"]);
    expect(changes.fired).toEqual([]);
    expect((await evaluateAlerts({ ctx: ctx() })).resolved).toEqual([]);
    await deliverAll();
    expect(received.slice(4).map((m) => m.text)).toEqual(
      expect.arrayContaining([":large_green_circle: Alert resolved · CRITICAL · alerts: Backups of alerts are not fresh"]),
    );
    expect(received).toHaveLength(7);
    expect(await db.auditEvent.count({ where: { action: "alert.resolve" } })).toBe(3);

    const viewer = await createTestUser(app.appUrl, "viewer");
    const response = await alertsRoute(apiRequest("/api/alerts", { cookie: viewer.cookie }), { params: Promise.resolve({}) });
    const open = (await response.json()) as AlertView[];
    expect(open.map((a) => [a.rule, a.severity, a.href?.startsWith("/backups/")])).toEqual([["backup-manifest", "warning", true]]);
  });

  it("an alert does not resolve by ageing out of its rule's window: a week later the backup still has no manifest", async () => {
    const later = await evaluateAlerts({ ctx: ctx(), now: new Date(Date.now() + 8 * 24 * HOUR) });
    expect(later.resolved.map((a) => a.rule)).not.toContain("backup-manifest");
    expect(await db.alert.count({ where: { rule: "backup-manifest", resolvedAt: null } })).toBe(1);
    // An open alert's words follow the facts as they stand, without a second message.
    const stale = await db.alert.findFirstOrThrow({ where: { rule: "backup-stale", resolvedAt: null } });
    const delivered = await db.webhookDelivery.count();
    await evaluateAlerts({ ctx: ctx(), now: new Date(Date.now() + 9 * 24 * HOUR) });
    const now = await db.alert.findUniqueOrThrow({ where: { id: stale.id } });
    expect(now.detail).not.toBe(stale.detail);
    expect(now.detail).toMatch(/is 9 d 1 h old|is 9 d 0 h old|is 9 d old/);
    expect(now.resolvedAt).toBeNull();
    expect(await db.webhookDelivery.count()).toBe(delivered);
  });

  it("an interrupted run alerts like a failed one", async () => {
    const interrupted = await run("interrupted", 60_000);
    await db.restoreRun.update({ where: { id: interrupted.id }, data: { targetName: "other" } });
    const changes = await evaluateAlerts({ ctx: ctx() });
    expect(changes.fired.map((a) => [a.rule, a.title])).toContainEqual(["run-failed", "A logical restore onto other was interrupted"]);
  });
});
