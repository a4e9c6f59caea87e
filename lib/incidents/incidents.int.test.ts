import { createHash, randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import { refreshCatalog } from "@/lib/backups/refresh-catalog";
import { verifyBackup } from "@/lib/backups/verify-backup";
import { getEnvironment, loadConfig, resetConfigCache } from "@/lib/config/load-config";
import { createDb, type Db } from "@/lib/db/client";
import { systemCtx, type Ctx } from "@/lib/db/ctx";
import { ConflictError } from "@/lib/errors";
import { installJobSchema } from "@/lib/jobs/boss";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { startTestS3 } from "@/lib/testing/s3";
import { addNote } from "./add-note";
import { checkItem } from "./check-item";
import { declareIncident, type DeclareIncidentInput } from "./declare-incident";
import { exportReviewMarkdown } from "./export-review-markdown";
import { getIncident } from "./get-incident";
import { subscribeToIncidentEvents, type IncidentEventNotice } from "./incident-events";
import { incidentWebhookJob } from "./incident-webhook-job";
import { listIncidents, ListIncidentsInput } from "./list-incidents";
import { listTemplates } from "./list-templates";
import { recordSystemEvidence } from "./record-system-evidence";
import { saveTemplate } from "./save-template";
import { uncheckItem } from "./uncheck-item";
import { updateIncidentStatus } from "./update-incident-status";
import { updateReview } from "./update-review";

const WEBHOOK_ENV = "INCIDENTS_TEST_WEBHOOK_URL";
const FLAKY_WEBHOOK_ENV = "INCIDENTS_TEST_FLAKY_WEBHOOK_URL";
const UNSET_WEBHOOK_ENV = "INCIDENTS_TEST_UNSET_WEBHOOK_URL";
/** Stands for the token a real webhook URL carries: it must never be stored or logged. */
const URL_TOKEN = "T000-secret-token-in-the-url";

let url: string;
let db: Db;
let dir: string;
let operatorA: TestUser;
let operatorB: TestUser;
let admin: TestUser;
const previousConfig = process.env.RESTORE_CONSOLE_CONFIG;

interface Received {
  path: string;
  body: { text?: string; blocks?: unknown[] };
}
let server: Server;
const received: Received[] = [];
/** How many times the flaky endpoint still answers 500 before it recovers. */
let flakyFailuresLeft = 1;

function ctxFor(user: TestUser): Ctx {
  const sessionUser: SessionUser = { id: user.id, email: user.email, name: null, role: user.role };
  return { db, user: sessionUser, requestId: randomUUID() };
}

function declare(user: TestUser, input: Partial<DeclareIncidentInput> = {}) {
  return declareIncident({
    ctx: ctxFor(user),
    input: {
      title: "Loans deleted by a bad migration",
      severity: "sev1",
      environment: "alpha",
      scope: "loans and payments of tenant 42",
      ...input,
    },
  });
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

beforeAll(async () => {
  url = await createMigratedDatabase();
  useTestEnv(url);
  db = createDb(url);
  dir = await mkdtemp(path.join(tmpdir(), "rc-incidents-"));
  [operatorA, operatorB, admin] = await Promise.all([
    createTestUser(url, "operator"),
    createTestUser(url, "operator"),
    createTestUser(url, "admin"),
  ]);

  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      received.push({ path: request.url ?? "", body: JSON.parse(body) as Received["body"] });
      if (request.url?.startsWith("/flaky") && flakyFailuresLeft > 0) {
        flakyFailuresLeft--;
        response.writeHead(500, { "content-type": "text/plain" }).end("temporarily broken");
        return;
      }
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  process.env[WEBHOOK_ENV] = `http://127.0.0.1:${port}/hooks/${URL_TOKEN}`;
  process.env[FLAKY_WEBHOOK_ENV] = `http://127.0.0.1:${port}/flaky/${URL_TOKEN}`;
  delete process.env[UNSET_WEBHOOK_ENV];

  const configFile = path.join(dir, "restore-console.yaml");
  await writeFile(
    configFile,
    [
      "version: 1",
      "environments:",
      "  - name: alpha",
      "  - name: beta",
      "  - name: backed-up",
      "  - name: hooked",
      `    notifications: { webhookUrlFrom: { env: ${WEBHOOK_ENV} } }`,
      "  - name: flaky",
      `    notifications: { webhookUrlFrom: { env: ${FLAKY_WEBHOOK_ENV} } }`,
      "  - name: unset-hook",
      `    notifications: { webhookUrlFrom: { env: ${UNSET_WEBHOOK_ENV} } }`,
      "",
    ].join("\n"),
  );
  process.env.RESTORE_CONSOLE_CONFIG = configFile;
  resetConfigCache();
});

afterAll(async () => {
  if (previousConfig === undefined) delete process.env.RESTORE_CONSOLE_CONFIG;
  else process.env.RESTORE_CONSOLE_CONFIG = previousConfig;
  resetConfigCache();
  await new Promise((resolve) => server?.close(resolve));
  await db?.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe("declaring an incident", () => {
  it("copies the runbook checklist (version 1), records who declared it, and starts the timeline", async () => {
    const { id } = await declare(operatorA, {
      startedAt: new Date(Date.now() - 60_000),
      lastKnownGoodAt: new Date(Date.now() - 10 * 60_000),
    });
    const incident = await getIncident({ ctx: systemCtx(db), input: { incidentId: id } });
    expect(incident).toMatchObject({
      status: "open",
      severity: "sev1",
      environment: "alpha",
      declaredByEmail: operatorA.email,
      measurement: null,
    });
    expect(incident.template).toMatchObject({ name: "Emergency Recovery Checklist", version: 1 });
    expect(incident.phases.map((p) => [p.title, p.deadlineMinutes, p.items.length])).toEqual([
      ["Immediate actions", 5, 4],
      ["Recovery execution", 30, 4],
      ["Post-recovery", null, 4],
    ]);
    expect(incident.phases[0]?.items.map((i) => i.text)).toEqual([
      "Assess scope of data loss",
      "Determine last known good timestamp",
      "Verify backup availability",
      "Notify stakeholders",
    ]);
    const autoTicks = incident.phases.flatMap((p) => p.items.filter((i) => i.autoTick).map((i) => [i.text, i.autoTick]));
    expect(autoTicks).toEqual([
      ["Verify backup availability", "backup-verified"],
      ["Initiate PITR or logical restore", "restore-started"],
      ["Monitor restore progress", "restore-running"],
      ["Validate critical data integrity", "validation-passed"],
    ]);
    expect(incident.events.map((e) => [e.type, e.actorEmail])).toEqual([["declared", operatorA.email]]);
    const audit = await db.auditEvent.findFirst({ where: { action: "incident.declare", subjectId: id } });
    expect(audit?.actorEmail).toBe(operatorA.email);
  });

  it("links the failed run it was declared from", async () => {
    const runId = randomUUID();
    const { id } = await declare(operatorA, { fromRunId: runId });
    const incident = await getIncident({ ctx: systemCtx(db), input: { incidentId: id } });
    expect(incident.createdFromRunId).toBe(runId);
    expect(incident.events.map((e) => e.type)).toEqual(["declared", "run-linked"]);
  });

  it("refuses an unknown environment, a start in the future and a last known good after the start", async () => {
    await expect(declare(operatorA, { environment: "nowhere" })).rejects.toThrow(/There is no environment "nowhere"/);
    await expect(declare(operatorA, { startedAt: new Date(Date.now() + 3_600_000) })).rejects.toThrow(/in the future/);
    await expect(declare(operatorA, { startedAt: new Date(Date.now() - 60_000), lastKnownGoodAt: new Date() })).rejects.toThrow(
      /must not be after the incident start/,
    );
  });

  it("lists incidents with filters", async () => {
    await declare(operatorB, { environment: "beta", severity: "sev3", title: "Documents table truncated" });
    const beta = await listIncidents({ ctx: systemCtx(db), input: ListIncidentsInput.parse({ environment: "beta" }) });
    expect(beta.incidents.map((i) => i.title)).toEqual(["Documents table truncated"]);
    const sev3 = await listIncidents({ ctx: systemCtx(db), input: ListIncidentsInput.parse({ severity: "sev3", status: "active" }) });
    expect(sev3.total).toBe(1);
    const future = await listIncidents({ ctx: systemCtx(db), input: ListIncidentsInput.parse({ from: "2099-01-01" }) });
    expect(future.total).toBe(0);
  });
});

describe("the checklist", () => {
  it("keeps both of two simultaneous ticks of the same item: one ticks it, the other is recorded as already ticked", async () => {
    const { id } = await declare(operatorA);
    const item = (await getIncident({ ctx: systemCtx(db), input: { incidentId: id } })).phases[0]?.items[0];
    if (!item) throw new Error("no item");

    const [a, b] = await Promise.all([
      checkItem({ ctx: ctxFor(operatorA), input: { incidentId: id, itemId: item.id, note: "tenant 42 only" } }),
      checkItem({ ctx: ctxFor(operatorB), input: { incidentId: id, itemId: item.id } }),
    ]);
    const winner = a.alreadyCheckedBy === null ? operatorA.email : operatorB.email;
    const loser = winner === operatorA.email ? operatorB.email : operatorA.email;
    expect([a.alreadyCheckedBy, b.alreadyCheckedBy].filter(Boolean)).toEqual([winner]);

    const incident = await getIncident({ ctx: systemCtx(db), input: { incidentId: id } });
    const ticked = incident.phases[0]?.items[0];
    expect(ticked).toMatchObject({ checkedByEmail: winner, version: 1 });
    expect(ticked?.checkedAt).not.toBeNull();
    const ticks = incident.events.filter((e) => e.type === "item-checked");
    expect(ticks.map((e) => e.actorEmail).sort()).toEqual([operatorA.email, operatorB.email].sort());
    expect(ticks.find((e) => e.actorEmail === loser)?.payload).toMatchObject({ itemId: item.id, alreadyCheckedBy: winner });
    expect(ticks.find((e) => e.actorEmail === winner)?.payload.alreadyCheckedBy).toBeUndefined();
  });

  it("records an undo, refuses an undo from a stale view, and keeps the clock of a re-tick", async () => {
    const { id } = await declare(operatorA);
    const item = (await getIncident({ ctx: systemCtx(db), input: { incidentId: id } })).phases[1]?.items[3];
    if (!item) throw new Error("no item");
    const first = await checkItem({ ctx: ctxFor(operatorA), input: { incidentId: id, itemId: item.id } });
    const undone = await uncheckItem({
      ctx: ctxFor(operatorA),
      input: { incidentId: id, itemId: item.id, version: first.item.version, note: "not done after all" },
    });
    expect(undone).toMatchObject({ checkedAt: null, checkedByEmail: null, version: 2 });
    await checkItem({ ctx: ctxFor(operatorB), input: { incidentId: id, itemId: item.id } });
    // Operator A still sees version 1: undoing now would undo B's newer tick.
    await expect(
      uncheckItem({ ctx: ctxFor(operatorA), input: { incidentId: id, itemId: item.id, version: first.item.version } }),
    ).rejects.toBeInstanceOf(ConflictError);

    const events = (await getIncident({ ctx: systemCtx(db), input: { incidentId: id } })).events;
    expect(events.map((e) => [e.type, e.actorEmail])).toEqual([
      ["declared", operatorA.email],
      ["item-checked", operatorA.email],
      ["item-unchecked", operatorA.email],
      ["item-checked", operatorB.email],
    ]);
    expect(events[2]?.payload.note).toBe("not done after all");
  });

  it("a template edit makes a new version for new incidents; an existing incident keeps its checklist", async () => {
    const before = await declare(operatorA);
    const current = (await listTemplates({ ctx: systemCtx(db) })).find((t) => t.isCurrent);
    if (!current) throw new Error("no current template");
    const phases = current.phases.map((phase) =>
      phase.key === "immediate"
        ? { ...phase, deadlineMinutes: 10, items: [...phase.items, { key: "open-bridge", text: "Open the incident bridge call" }] }
        : phase,
    );
    const saved = await saveTemplate({ ctx: ctxFor(admin), input: { phases, basedOnVersion: current.version } });
    expect(saved.version).toBe(current.version + 1);
    // Saving over a version that is no longer current is refused.
    await expect(saveTemplate({ ctx: ctxFor(admin), input: { phases, basedOnVersion: current.version } })).rejects.toBeInstanceOf(
      ConflictError,
    );

    const after = await declare(operatorA);
    const old = await getIncident({ ctx: systemCtx(db), input: { incidentId: before.id } });
    const fresh = await getIncident({ ctx: systemCtx(db), input: { incidentId: after.id } });
    expect(old.template.version).toBe(current.version);
    expect(old.phases[0]).toMatchObject({ deadlineMinutes: 5 });
    expect(old.phases[0]?.items.map((i) => i.text)).not.toContain("Open the incident bridge call");
    expect(fresh.template.version).toBe(saved.version);
    expect(fresh.phases[0]).toMatchObject({ deadlineMinutes: 10 });
    expect(fresh.phases[0]?.items.at(-1)?.text).toBe("Open the incident bridge call");

    const versions = await listTemplates({ ctx: systemCtx(db) });
    expect(versions.filter((t) => t.isCurrent).map((t) => t.version)).toEqual([saved.version]);
    expect(versions.find((t) => t.version === current.version)?.incidentCount).toBeGreaterThan(0);
  });
});

describe("system evidence", () => {
  it("ticks the matching items of open incidents in that environment, with a link to the evidence", async () => {
    const { id } = await declare(operatorA, {
      environment: "beta",
      startedAt: new Date(Date.now() - 20 * 60_000),
      lastKnownGoodAt: new Date(Date.now() - 30 * 60_000),
    });
    const other = await declare(operatorA, { environment: "alpha" });
    const closed = await declare(operatorA, { environment: "beta" });
    for (const to of ["recovering", "recovered", "closed"] as const) {
      await updateIncidentStatus({ ctx: ctxFor(operatorA), input: { incidentId: closed.id, to } });
    }

    const runId = randomUUID();
    const runStartedAt = new Date(Date.now() - 15 * 60_000);
    const result = await recordSystemEvidence({
      ctx: systemCtx(db),
      input: {
        environment: "beta",
        kind: "restore-started",
        runId,
        href: `/restores/${runId}`,
        description: "PITR restore started",
        at: runStartedAt,
      },
    });
    expect(result.incidentIds).toContain(id);
    expect(result.incidentIds).not.toContain(other.id);
    expect(result.incidentIds).not.toContain(closed.id);
    await recordSystemEvidence({
      ctx: systemCtx(db),
      input: {
        environment: "beta",
        kind: "restore-running",
        runId,
        href: `/restores/${runId}`,
        description: "Restore running: creating the cluster",
      },
    });
    const run = {
      runId,
      method: "pitr" as const,
      startedAt: runStartedAt,
      validatedAt: new Date(),
      restorePointAt: new Date(Date.now() - 31 * 60_000),
      steps: [{ name: "restore", startedAt: runStartedAt, finishedAt: new Date() }],
    };
    await recordSystemEvidence({
      ctx: systemCtx(db),
      input: {
        environment: "beta",
        kind: "validation-passed",
        runId,
        href: `/restores/${runId}#validation`,
        description: "Validation passed: 5 of 5 checks",
        run,
      },
    });
    await recordSystemEvidence({
      ctx: systemCtx(db),
      input: {
        environment: "beta",
        kind: "restore-finished",
        runId,
        href: `/restores/${runId}`,
        description: "PITR restore finished",
        outcome: "succeeded",
        run,
      },
    });

    const incident = await getIncident({ ctx: systemCtx(db), input: { incidentId: id } });
    const items = incident.phases.flatMap((p) => p.items);
    const byText = (text: string) => items.find((i) => i.text === text);
    expect(byText("Initiate PITR or logical restore")).toMatchObject({
      checkedByEmail: "system",
      checkedAt: runStartedAt.toISOString(),
      evidence: { kind: "restore-started", href: `/restores/${runId}`, description: "PITR restore started" },
    });
    expect(byText("Monitor restore progress")).toMatchObject({ checkedByEmail: "system", evidence: { kind: "restore-running" } });
    expect(byText("Validate critical data integrity")).toMatchObject({
      checkedByEmail: "system",
      evidence: { href: `/restores/${runId}#validation` },
    });
    expect(byText("Verify backup availability")?.checkedAt).toBeNull();
    expect(incident.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["run-started", "run-progress", "validation", "run-finished"]),
    );
    expect(incident.events.filter((e) => e.type === "item-checked" && e.actorEmail === "system")).toHaveLength(3);
    // RTO from the incident start (20 min ago) to validation; RPO from the last known good to the target time.
    expect(incident.measurement?.rto).toMatchObject({ achievedMinutes: 20, verdict: "met" });
    expect(incident.measurement?.rpo).toMatchObject({ achievedMinutes: 1, verdict: "met" });
    const listed = await listIncidents({ ctx: systemCtx(db), input: ListIncidentsInput.parse({ environment: "beta", status: "active" }) });
    expect(listed.incidents.find((i) => i.id === id)?.measurement?.rto.achievedMinutes).toBe(20);

    const untouched = await getIncident({ ctx: systemCtx(db), input: { incidentId: closed.id } });
    expect(untouched.phases.flatMap((p) => p.items).every((i) => i.checkedAt === null)).toBe(true);
  });

  it("a run started from an incident tells that incident alone; one started without tells every open one", async () => {
    const first = await declare(operatorA, { environment: "beta" });
    const second = await declare(operatorA, { environment: "beta" });
    const runFrom = async (incidentId: string | null) =>
      (
        await db.restoreRun.create({
          data: {
            kind: "logical",
            environment: "beta",
            targetName: "dr",
            targetDatabase: "loanserve",
            mode: "new-database",
            status: "running",
            plan: {},
            scratchDatabase: "scratch",
            requestedByEmail: operatorA.email,
            incidentId,
          },
        })
      ).id;
    const evidence = (runId: string) =>
      recordSystemEvidence({
        ctx: systemCtx(db),
        input: { environment: "beta", kind: "restore-started", runId, href: `/restores/${runId}`, description: "Logical restore started" },
      });
    const linked = await evidence(await runFrom(first.id));
    expect(linked.incidentIds).toEqual([first.id]);
    const unlinked = await evidence(await runFrom(null));
    expect(unlinked.incidentIds).toEqual(expect.arrayContaining([first.id, second.id]));
  });

  it("a real backup verification ticks “Verify backup availability”", async () => {
    const environment = getEnvironment(loadConfig().config, "backed-up");
    const s3 = await startTestS3();
    onTestFinished(() => s3.stop());
    const store = s3.store("prod/pg/");
    const dump = Buffer.from("-- PostgreSQL database dump\nSELECT 1;\n");
    await store.write("prod/pg/2026-11-24.sql.gz", dump);
    await store.write(
      "prod/pg/2026-11-24.manifest.json",
      Buffer.from(
        JSON.stringify({ file: "2026-11-24.sql.gz", sha256: sha256(dump), size: dump.length, created_at: "2026-11-24T02:00:00Z" }),
      ),
    );
    await refreshCatalog({ ctx: systemCtx(db), input: { environment, store } });
    const { id } = await declare(operatorA, { environment: "backed-up" });

    const backup = await db.backup.findFirstOrThrow({ where: { environment: "backed-up" } });
    const verification = await db.backupVerification.create({
      data: {
        backupId: backup.id,
        status: "queued",
        expectedSha256: backup.expectedSha256,
        bytesTotal: backup.size,
        requestedByEmail: operatorA.email,
      },
    });
    expect(await verifyBackup({ ctx: systemCtx(db), input: { verificationId: verification.id, store } })).toBe("verified");

    const item = (await getIncident({ ctx: systemCtx(db), input: { incidentId: id } })).phases[0]?.items.find(
      (i) => i.text === "Verify backup availability",
    );
    expect(item).toMatchObject({ checkedByEmail: "system", evidence: { kind: "backup-verified", href: `/backups/${backup.id}` } });
    expect(item?.evidence?.description).toContain("2026-11-24.sql.gz");

    // Verifying again proves nothing new: the timeline is not flooded by bursts of verifications.
    const again = await db.backupVerification.create({
      data: {
        backupId: backup.id,
        status: "queued",
        expectedSha256: backup.expectedSha256,
        bytesTotal: backup.size,
        requestedByEmail: operatorA.email,
      },
    });
    expect(await verifyBackup({ ctx: systemCtx(db), input: { verificationId: again.id, store } })).toBe("verified");
    const events = (await getIncident({ ctx: systemCtx(db), input: { incidentId: id } })).events;
    expect(events.filter((e) => e.type === "backup-verified")).toHaveLength(1);
  });
});

describe("status, review and export", () => {
  it("moves one step at a time; of two simultaneous moves one wins and the other is a conflict", async () => {
    const { id } = await declare(operatorA);
    const results = await Promise.allSettled([
      updateIncidentStatus({ ctx: ctxFor(operatorA), input: { incidentId: id, to: "recovering", from: "open" } }),
      updateIncidentStatus({ ctx: ctxFor(operatorB), input: { incidentId: id, to: "recovering", from: "open" } }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(results.find((r) => r.status === "rejected")?.reason).toBeInstanceOf(ConflictError);
    await expect(updateIncidentStatus({ ctx: ctxFor(operatorA), input: { incidentId: id, to: "closed" } })).rejects.toThrow(
      /cannot become closed/,
    );

    await expect(updateReview({ ctx: ctxFor(operatorA), input: { incidentId: id, wentWell: "fast", followUps: [] } })).rejects.toThrow(
      /once the incident is recovered/,
    );
    const recovered = await updateIncidentStatus({ ctx: ctxFor(operatorA), input: { incidentId: id, to: "recovered" } });
    expect(recovered.recoveredAt).not.toBeNull();

    const { followUps } = await updateReview({
      ctx: ctxFor(operatorB),
      input: {
        incidentId: id,
        wentWell: "The PITR window covered the loss.",
        wentBadly: "Nobody knew the last known good time.",
        lessons: "Log schema migrations with timestamps.",
        followUps: [
          { text: "Alert on DELETE spikes", owner: "ops@example.com", dueAt: new Date("2026-12-01T00:00:00Z") },
          { text: "Rehearse PITR monthly", owner: "dba@example.com", done: true },
        ],
      },
    });
    expect(followUps.map((f) => [f.text, f.owner, f.doneAt !== null])).toEqual([
      ["Alert on DELETE spikes", "ops@example.com", false],
      ["Rehearse PITR monthly", "dba@example.com", true],
    ]);
    // Saving again without the first action removes it and keeps the second as it was.
    const second = followUps[1];
    const again = await updateReview({
      ctx: ctxFor(operatorB),
      input: { incidentId: id, followUps: second ? [{ id: second.id, text: second.text, owner: second.owner, done: true }] : [] },
    });
    expect(again.followUps).toEqual([second]);

    await updateIncidentStatus({ ctx: ctxFor(operatorA), input: { incidentId: id, to: "closed" } });
    await expect(addNote({ ctx: ctxFor(operatorA), input: { incidentId: id, text: "late note" } })).rejects.toBeInstanceOf(ConflictError);

    const { filename, markdown } = await exportReviewMarkdown({ ctx: systemCtx(db), input: { incidentId: id } });
    expect(filename).toMatch(/^incident-\d{4}-\d{2}-\d{2}-loans-deleted-by-a-bad-migration\.md$/);
    expect(markdown).toContain("## Recovery objectives (RTO/RPO)");
    expect(markdown).toContain("## Timeline");
    expect(markdown).toContain("Status changed from recovered to closed");
    expect(markdown).toContain("| Rehearse PITR monthly | dba@example.com |");
  });
});

describe("live updates", () => {
  it("a subscriber hears every new timeline entry of its incident, and only those; a list hears all", async () => {
    const { id } = await declare(operatorA);
    const other = await declare(operatorA);
    const heard: IncidentEventNotice[] = [];
    const heardAll: IncidentEventNotice[] = [];
    const unsubscribe = await subscribeToIncidentEvents(id, (notice) => heard.push(notice), url);
    const unsubscribeAll = await subscribeToIncidentEvents(null, (notice) => heardAll.push(notice), url);
    try {
      await addNote({ ctx: ctxFor(operatorB), input: { incidentId: id, text: "Looking at the WAL archive" } });
      await addNote({ ctx: ctxFor(operatorB), input: { incidentId: other.id, text: "elsewhere" } });
      await waitFor(
        async () => heardAll.length,
        (n) => n >= 2,
        5_000,
      );
      expect(heard.map((n) => n.incidentId)).toEqual([id]);
      expect(heardAll.map((n) => n.incidentId)).toEqual([id, other.id]);
      const event = await db.incidentEvent.findFirstOrThrow({ where: { incidentId: id, type: "note" } });
      expect(heard[0]?.id).toBe(event.id.toString());
    } finally {
      await unsubscribe();
      await unsubscribeAll();
    }
  });

  it("the SSE route streams the events and closes when the browser goes away", async () => {
    const { GET } = await import("@/app/api/incidents/[incidentId]/events/route");
    const { id } = await declare(operatorA);
    const abort = new AbortController();
    const response = await GET(
      new Request(`http://127.0.0.1:3000/api/incidents/${id}/events`, { headers: { cookie: operatorB.cookie }, signal: abort.signal }),
      {
        params: Promise.resolve({ incidentId: id }),
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    // The stream subscribes just after it is returned: keep adding notes until one is heard.
    const notes = setInterval(() => void addNote({ ctx: ctxFor(operatorA), input: { incidentId: id, text: "watching live" } }), 250);
    try {
      while (!text.includes("event: incident-event")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    } finally {
      clearInterval(notes);
    }
    // Each event carries its timeline id, so a reconnecting browser sends it back as Last-Event-ID.
    expect(text).toMatch(new RegExp(`event: incident-event\\nid: (\\d+)\\ndata: \\{"incidentId":"${id}","id":"\\1"\\}`));
    abort.abort();
    await expect(
      waitFor(
        async () => (await reader.read()).done,
        (done) => done,
        5_000,
      ),
    ).resolves.toBe(true);
  });
});

describe("webhooks", () => {
  let worker: RunningWorker;

  beforeAll(async () => {
    await installJobSchema(url);
    worker = await startWorker({
      connectionString: url,
      db,
      jobs: [incidentWebhookJob],
      pollingIntervalSeconds: 0.5,
      heartbeatIntervalMs: 60_000,
    });
  });

  afterAll(async () => {
    await worker?.stop();
  });

  const deliveriesOf = (incidentId: string) => db.webhookDelivery.findMany({ where: { incidentId } });

  it("posts Slack-compatible JSON when an incident is declared", async () => {
    const { id } = await declare(operatorA, { environment: "hooked", title: "Payments table dropped" });
    const [delivery] = await waitFor(
      () => deliveriesOf(id),
      (rows) => rows[0]?.status === "delivered",
    );
    expect(delivery).toMatchObject({ event: "incident-declared", attempts: 1, lastError: null, environment: "hooked" });
    const message = received.find((r) => r.path === `/hooks/${URL_TOKEN}` && r.body.text?.includes("Payments table dropped"));
    expect(message?.body.text).toMatch(/Incident declared · SEV1 · hooked: Payments table dropped/);
    expect(Array.isArray(message?.body.blocks)).toBe(true);
  });

  it("a failed delivery never blocks the incident, is recorded on the timeline and is retried", async () => {
    flakyFailuresLeft = 1;
    const { id } = await declare(operatorA, { environment: "flaky", title: "Flaky hook incident" });
    // The incident exists at once, whatever the webhook does.
    expect((await getIncident({ ctx: systemCtx(db), input: { incidentId: id } })).status).toBe("open");

    const [delivery] = await waitFor(
      () => deliveriesOf(id),
      (rows) => rows[0]?.status === "delivered",
      30_000,
    );
    expect(delivery).toMatchObject({ attempts: 2, status: "delivered" });
    expect(delivery?.lastError).toBe("The webhook answered HTTP 500: temporarily broken.");
    const incident = await getIncident({ ctx: systemCtx(db), input: { incidentId: id } });
    const failure = incident.events.find((e) => e.type === "notification-failed");
    expect(failure?.payload).toMatchObject({ event: "incident-declared", attempt: 1, willRetry: true });
    expect(incident.deliveries[0]).toMatchObject({ status: "delivered", attempts: 2 });

    // The URL (and its token) is nowhere in what was stored.
    const stored = JSON.stringify(
      [await db.webhookDelivery.findMany(), await db.incidentEvent.findMany(), await db.auditEvent.findMany()],
      (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v),
    );
    expect(stored).not.toContain(URL_TOKEN);
  });

  it("sends nothing when the webhook's secret is not set, and the incident is declared as usual", async () => {
    const { id } = await declare(operatorA, { environment: "unset-hook" });
    expect(await deliveriesOf(id)).toEqual([]);
    expect((await getIncident({ ctx: systemCtx(db), input: { incidentId: id } })).status).toBe("open");
  });

  it("announces a checklist phase once when it goes overdue, on the timeline and by webhook", async () => {
    // Two hours in, every timed phase of the incident's checklist is past its deadline.
    const { id } = await declare(operatorA, {
      environment: "hooked",
      title: "Overdue phase",
      startedAt: new Date(Date.now() - 2 * 60 * 60_000),
    });
    const { notifyOverduePhases } = await import("./notify-overdue-phases");
    const timed = (await getIncident({ ctx: systemCtx(db), input: { incidentId: id } })).phases.filter(
      (p) => p.deadlineMinutes !== null && p.items.length > 0,
    );
    expect(timed.length).toBeGreaterThan(0);
    expect(await notifyOverduePhases({ ctx: systemCtx(db), input: {} })).toBeGreaterThanOrEqual(timed.length);
    expect(await notifyOverduePhases({ ctx: systemCtx(db), input: {} })).toBe(0);
    const incident = await getIncident({ ctx: systemCtx(db), input: { incidentId: id } });
    const overdue = incident.events.filter((e) => e.type === "phase-overdue");
    expect(overdue.map((e) => (e.payload as { phase: string }).phase).sort()).toEqual(timed.map((p) => p.key).sort());
    const rows = await waitFor(
      () => deliveriesOf(id),
      (r) => r.filter((d) => d.event === "phase-overdue" && d.status === "delivered").length === timed.length,
    );
    expect(rows.filter((r) => r.event === "phase-overdue")).toHaveLength(timed.length);
    expect(received.some((r) => r.body.text?.includes("Checklist phase overdue") && r.body.text.includes("Overdue phase"))).toBe(true);
  });

  it("announces run starts and ends of a linked restore", async () => {
    const { id } = await declare(operatorA, { environment: "hooked", title: "Run announcements" });
    const runId = randomUUID();
    await recordSystemEvidence({
      ctx: systemCtx(db),
      input: { environment: "hooked", kind: "restore-started", runId, href: `/restores/${runId}`, description: "Logical restore started" },
    });
    await recordSystemEvidence({
      ctx: systemCtx(db),
      input: {
        environment: "hooked",
        kind: "restore-finished",
        runId,
        href: `/restores/${runId}`,
        description: "Logical restore failed at pg_restore",
        outcome: "failed",
      },
    });
    const rows = await waitFor(
      () => deliveriesOf(id),
      (r) => r.length === 3 && r.every((d) => d.status === "delivered"),
    );
    expect(rows.map((r) => r.event).sort()).toEqual(["incident-declared", "run-failed", "run-started"]);
  });
});
