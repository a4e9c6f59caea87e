import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionUser } from "@/lib/auth/roles";
import type { Db } from "@/lib/db/client";
import { BadRequestError } from "@/lib/errors";
import { createTestUser } from "@/lib/testing/auth";
import { startRestoreTestApp, writeRestoreConfig, type RestoreTestApp } from "@/lib/testing/restore-runs";
import { declareIncident } from "./declare-incident";
import { describeEvent } from "./describe-event";
import { getIncident } from "./get-incident";
import { updateIncidentFacts } from "./update-incident-facts";
import { updateIncidentStatus } from "./update-incident-status";

// An incident's facts corrected as they are learnt: on the timeline, audited, and what RPO and
// the PITR picker then read.

let app: RestoreTestApp;
let db: Db;
let operator: SessionUser;
const ctx = () => ({ db, user: operator, requestId: randomUUID() });

beforeAll(async () => {
  app = await startRestoreTestApp("rc-facts-it-");
  db = app.db;
  await writeRestoreConfig(app.tempDir, {
    environments: [{ name: "facts", protected: false, targets: { dr: "loanserve" } }],
    user: "nobody",
    password: "unused",
    s3: app.s3,
    prefix: "facts/",
    envPrefix: "RC_FACTS",
  });
  const user = await createTestUser(app.appUrl, "operator");
  operator = { id: user.id, email: user.email, name: null, role: "operator" };
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

describe("correcting an incident's facts", () => {
  it("sets and clears the last known good time and the scope, on the timeline and in the audit log", async () => {
    const startedAt = new Date("2026-11-29T10:00:00Z");
    const { id } = await declareIncident({
      ctx: ctx(),
      input: { title: "Tenant 4 payments", severity: "sev2", environment: "facts", scope: "payments of tenant 4", startedAt },
    });
    await expect(
      updateIncidentFacts({ ctx: ctx(), input: { incidentId: id, lastKnownGoodAt: new Date("2026-11-29T11:00:00Z") } }),
    ).rejects.toBeInstanceOf(BadRequestError);

    const set = await updateIncidentFacts({
      ctx: ctx(),
      input: { incidentId: id, lastKnownGoodAt: new Date("2026-11-29T08:30:00Z"), scope: "payments and refunds of tenant 4" },
    });
    expect(set).toMatchObject({ lastKnownGoodAt: "2026-11-29T08:30:00.000Z", scope: "payments and refunds of tenant 4" });
    const detail = await getIncident({ ctx: ctx(), input: { incidentId: id } });
    const changed = detail.events.filter((e) => e.type === "facts-changed");
    expect(changed.map((e) => describeEvent(e))).toEqual([
      "Last known good set to 2026-11-29 08:30:00 UTC (was not determined); Scope changed to “payments and refunds of tenant 4”",
    ]);
    const audit = await db.auditEvent.findMany({ where: { subjectId: id, action: "incident.facts" } });
    expect(audit).toHaveLength(1);

    // The same values again change nothing; clearing is a change of its own.
    await updateIncidentFacts({ ctx: ctx(), input: { incidentId: id, lastKnownGoodAt: new Date("2026-11-29T08:30:00Z") } });
    await updateIncidentFacts({ ctx: ctx(), input: { incidentId: id, lastKnownGoodAt: null } });
    const events = (await getIncident({ ctx: ctx(), input: { incidentId: id } })).events.filter((e) => e.type === "facts-changed");
    expect(events.map((e) => describeEvent(e))).toContain("Last known good set to not determined (was 2026-11-29 08:30:00 UTC)");
    expect(events).toHaveLength(2);

    for (const to of ["recovering", "recovered", "closed"] as const)
      await updateIncidentStatus({ ctx: ctx(), input: { incidentId: id, to } });
    await expect(updateIncidentFacts({ ctx: ctx(), input: { incidentId: id, scope: "too late" } })).rejects.toThrow(/closed/);
  });
});
