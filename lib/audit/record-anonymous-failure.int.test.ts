import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listAudit } from "@/app/api/audit/route";
import { createDb, type Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { useTestEnv } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { listAnonymousFailures } from "./list-anonymous-failures";
import { ANONYMOUS_FAILURE_RETENTION_DAYS, pruneAnonymousFailures } from "./prune-anonymous-failures";
import { OTHER_SOURCES, recordAnonymousFailure, windowStartOf } from "./record-anonymous-failure";

let db: Db;

beforeAll(async () => {
  const url = await createMigratedDatabase();
  useTestEnv(url);
  db = createDb(url);
});

afterAll(async () => {
  await db.$disconnect();
});

describe("anonymous failures", () => {
  it("1,000 unauthenticated API calls make O(1) rows and no audit rows", async () => {
    const at = new Date();
    const call = () => listAudit(new Request("http://127.0.0.1:3000/api/audit"), { params: Promise.resolve({}) }).then((r) => r.status);
    // In batches of 50 at once, as a flood over many connections would arrive.
    const statuses: number[] = [];
    for (let i = 0; i < 1000; i += 50) statuses.push(...(await Promise.all(Array.from({ length: 50 }, call))));
    expect(statuses.every((s) => s === 401)).toBe(true);

    const rows = await db.anonymousFailure.findMany({ where: { kind: "api.unauthenticated" } });
    expect(rows.length).toBeLessThanOrEqual(2); // one per window: two only if the hour turned meanwhile
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(1000);
    expect(rows[0]).toMatchObject({ source: "GET /api/audit" });
    expect(rows.some((r) => r.windowStart.getTime() === windowStartOf(at).getTime())).toBe(true);
    expect(await db.auditEvent.count()).toBe(0);
  });

  it("a flood from ever-new sources stays bounded per window (the rest count as other sources)", async () => {
    const at = new Date("2026-11-29T10:15:00Z");
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          recordAnonymousFailure(db, { kind: "sign_in.unknown_account", source: `203.0.113.${batch * 100 + i}`, at }, { maxSources: 20 }),
        ),
      );
    }
    const rows = await db.anonymousFailure.findMany({ where: { kind: "sign_in.unknown_account", windowStart: windowStartOf(at) } });
    // 20 sources plus "(other sources)"; concurrent first inserts may overshoot the cap by a few.
    expect(rows.length).toBeLessThanOrEqual(20 + 1 + 10);
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(1000);
    expect(rows.find((r) => r.source === OTHER_SOURCES)?.count).toBeGreaterThan(900);
  });

  it("are listed as totals per kind and rows per window", async () => {
    const summary = await listAnonymousFailures({ ctx: systemCtx(db), input: { hours: 24, limit: 10 } });
    expect(summary.totals).toContainEqual({ kind: "api.unauthenticated", count: 1000 });
    expect(summary.rows[0]).toMatchObject({ kind: "api.unauthenticated", source: "GET /api/audit", count: 1000 });
  });

  it("are dropped once older than the retention period, and only those", async () => {
    const now = new Date("2027-03-01T12:00:00Z");
    const old = new Date(now.getTime() - (ANONYMOUS_FAILURE_RETENTION_DAYS + 1) * 24 * 60 * 60 * 1000);
    const recent = new Date(now.getTime() - (ANONYMOUS_FAILURE_RETENTION_DAYS - 1) * 24 * 60 * 60 * 1000);
    await recordAnonymousFailure(db, { kind: "api.csrf_refused", source: "POST /api/restores", at: old });
    await recordAnonymousFailure(db, { kind: "api.csrf_refused", source: "POST /api/restores", at: recent });
    const before = await db.anonymousFailure.count();
    // The 2026 windows written above are older than this `now`'s retention too.
    const expired = await db.anonymousFailure.count({
      where: { windowStart: { lt: windowStartOf(new Date(now.getTime() - ANONYMOUS_FAILURE_RETENTION_DAYS * 24 * 60 * 60 * 1000)) } },
    });
    expect(await pruneAnonymousFailures({ ctx: systemCtx(db), input: { now } })).toBe(expired);
    const left = await db.anonymousFailure.findMany({ where: { kind: "api.csrf_refused" } });
    expect(left.map((r) => r.windowStart.getTime())).toEqual([windowStartOf(recent).getTime()]);
    expect(await db.anonymousFailure.count()).toBe(before - expired);
  });
});
