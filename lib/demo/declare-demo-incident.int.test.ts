import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultEnvironment, loadConfig, resetConfigCache } from "@/lib/config/load-config";
import { createDb, type Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { getIncident } from "@/lib/incidents/get-incident";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { DEMO_INCIDENT_SCOPE, DEMO_INCIDENT_TITLE } from "@/scripts/lib/demo/bad-migration";
import { declareDemoIncident, type DemoIncident } from "./declare-demo-incident";

const previousConfig = process.env.RESTORE_CONSOLE_CONFIG;
const startedAt = new Date(Date.now() - 2 * 60 * 60_000);
const incident: DemoIncident = {
  title: DEMO_INCIDENT_TITLE,
  severity: "sev2",
  scope: DEMO_INCIDENT_SCOPE,
  startedAt,
  lastKnownGoodAt: new Date(startedAt.getTime() - 60_000),
};

let url: string;
let db: Db;
let firstAdmin: TestUser;
let environment: string;
const others: Db[] = [];

beforeAll(async () => {
  // The built-in demo's configuration, as the run command has it with no configuration file.
  delete process.env.RESTORE_CONSOLE_CONFIG;
  resetConfigCache();
  const { source, config } = loadConfig();
  expect(source.kind).toBe("demo");
  environment = defaultEnvironment(config).name;

  url = await createMigratedDatabase();
  useTestEnv(url);
  db = createDb(url);
  // A viewer first: only an admin declares. Then the first admin, then a later one.
  await createTestUser(url, "viewer");
  firstAdmin = await createTestUser(url, "admin");
  await createTestUser(url, "admin");
});

afterAll(async () => {
  if (previousConfig === undefined) delete process.env.RESTORE_CONSOLE_CONFIG;
  else process.env.RESTORE_CONSOLE_CONFIG = previousConfig;
  resetConfigCache();
  await db?.$disconnect();
  for (const other of others) await other.$disconnect();
});

describe("declaring the demo incident", () => {
  it("declares it once in the demo environment, as the first admin, with the bad migration's scope and times", async () => {
    const first = await declareDemoIncident({ ctx: systemCtx(db), input: { environment, incident } });
    expect(first).toEqual({ declared: true, id: expect.any(String), declaredBy: firstAdmin.email });
    if (!first.id) throw new Error("declared without an id");

    const declared = await getIncident({ ctx: systemCtx(db), input: { incidentId: first.id } });
    expect(environment).toBe("demo");
    expect(declared).toMatchObject({
      title: "Payments for tenant 4 deleted by a bad migration",
      severity: "sev2",
      environment: "demo",
      status: "open",
      declaredByEmail: firstAdmin.email,
    });
    expect(declared.scope).toBe(DEMO_INCIDENT_SCOPE);
    expect(declared.scope).toContain("tenant_id = 4");
    expect(new Date(declared.startedAt)).toEqual(startedAt);
    expect(new Date(declared.lastKnownGoodAt ?? 0)).toEqual(new Date(startedAt.getTime() - 60_000));
    expect(declared.events.map((e) => [e.type, e.actorEmail])).toEqual([["declared", firstAdmin.email]]);
    const audit = await db.auditEvent.findMany({ where: { action: "incident.declare", subjectId: first.id } });
    expect(audit.map((a) => a.actorEmail)).toEqual([firstAdmin.email]);

    // Every later start finds it: nothing new, the same incident.
    for (let start = 0; start < 2; start++) {
      expect(await declareDemoIncident({ ctx: systemCtx(db), input: { environment, incident } })).toEqual({
        declared: false,
        id: first.id,
      });
    }
    expect(await db.incident.count({ where: { title: incident.title } })).toBe(1);
  });

  it("leaves a closed demo incident closed, and does not count one in another environment or with another title", async () => {
    const existing = await db.incident.findFirstOrThrow({ where: { title: incident.title, environment } });
    await db.incident.update({ where: { id: existing.id }, data: { status: "closed", closedAt: new Date() } });
    expect(await declareDemoIncident({ ctx: systemCtx(db), input: { environment, incident } })).toEqual({
      declared: false,
      id: existing.id,
    });
    expect(await db.incident.count({ where: { title: incident.title } })).toBe(1);

    // Only exactly its title, in its environment, counts.
    const other = await createMigratedDatabase();
    const otherDb = createDb(other);
    others.push(otherDb);
    const admin = await createTestUser(other, "admin");
    const template = await otherDb.checklistTemplate.findFirstOrThrow({ where: { isCurrent: true } });
    const similar = { severity: "sev3", scope: "elsewhere", startedAt, declaredByEmail: admin.email, checklistTemplateId: template.id };
    await otherDb.incident.create({ data: { ...similar, title: incident.title, environment: "somewhere-else", templateVersion: 1 } });
    await otherDb.incident.create({ data: { ...similar, title: `${incident.title} (again)`, environment, templateVersion: 1 } });
    const result = await declareDemoIncident({ ctx: systemCtx(otherDb), input: { environment, incident } });
    expect(result).toMatchObject({ declared: true, declaredBy: admin.email });
    expect(await otherDb.incident.count({ where: { environment, title: incident.title } })).toBe(1);
  });

  it("declares nothing, and says why, where no admin is active", async () => {
    const empty = await createMigratedDatabase();
    const emptyDb = createDb(empty);
    others.push(emptyDb);
    await createTestUser(empty, "operator");
    const admin = await createTestUser(empty, "admin");
    await emptyDb.user.update({ where: { id: admin.id }, data: { disabledAt: new Date() } });
    expect(await declareDemoIncident({ ctx: systemCtx(emptyDb), input: { environment, incident } })).toEqual({
      declared: false,
      id: null,
      reason: "there is no active admin to declare it",
    });
    expect(await emptyDb.incident.count()).toBe(0);
  });
});
