import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as disablePerson } from "@/app/api/users/[userId]/disable/route";
import { POST as changeRole } from "@/app/api/users/[userId]/role/route";
import { createDb, type Db } from "@/lib/db/client";
import { systemCtx } from "@/lib/db/ctx";
import { ConflictError } from "@/lib/errors";
import { createTestUser, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import { changeUserRole } from "./change-user-role";
import { disableUser } from "./disable-user";

let url: string;
let db: Db;

beforeAll(async () => {
  url = await createMigratedDatabase();
  useTestEnv(url);
  db = createDb(url);
});

afterAll(async () => {
  await db.$disconnect();
});

/** Each test starts with no active admin; it makes the ones it needs. */
beforeEach(async () => {
  await db.user.updateMany({ where: { role: "admin", disabledAt: null }, data: { role: "viewer" } });
});

const activeAdmins = () => db.user.count({ where: { role: "admin", disabledAt: null } });

const demote = (actor: TestUser, target: TestUser) =>
  changeRole(apiRequest(`/api/users/${target.id}/role`, { cookie: actor.cookie, body: { role: "operator" } }), {
    params: Promise.resolve({ userId: target.id }),
  });

const disable = (actor: TestUser, target: TestUser) =>
  disablePerson(apiRequest(`/api/users/${target.id}/disable`, { method: "POST", cookie: actor.cookie }), {
    params: Promise.resolve({ userId: target.id }),
  });

describe("the last active admin", () => {
  it("can't be demoted (a 409 saying what to do) and nothing is changed or audited as done", async () => {
    const only = await createTestUser(url, "admin");
    const response = await demote(only, only);
    expect(response.status).toBe(409);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain("last active admin");
    expect(body.error.message).toContain("Make someone else an admin first");
    expect(await db.user.findUniqueOrThrow({ where: { id: only.id } })).toMatchObject({ role: "admin", sessionVersion: 0 });
    expect(await db.auditEvent.count({ where: { action: "user.role_change", subjectId: only.id } })).toBe(0);
  });

  it("can't be disabled, even by the CLI's system actor", async () => {
    const only = await createTestUser(url, "admin");
    await expect(disableUser({ ctx: systemCtx(db), input: { userId: only.id } })).rejects.toThrow(ConflictError);
    expect(await activeAdmins()).toBe(1);
  });

  it("a disabled admin does not count: with one other admin disabled, the active one is still the last", async () => {
    const active = await createTestUser(url, "admin");
    const inactive = await createTestUser(url, "admin");
    expect((await disable(active, inactive)).status).toBe(200);
    expect((await demote(active, active)).status).toBe(409);
    expect(await activeAdmins()).toBe(1);
  });

  it("may step down once someone else is an admin", async () => {
    const first = await createTestUser(url, "admin");
    await createTestUser(url, "admin");
    expect((await demote(first, first)).status).toBe(200);
    expect(await activeAdmins()).toBe(1);
  });
});

describe("two admins acting on each other at the same moment", () => {
  it("never leaves no admin: demoting each other, through the API (10 rounds)", async () => {
    for (let round = 0; round < 10; round++) {
      await db.user.updateMany({ where: { role: "admin", disabledAt: null }, data: { role: "viewer" } });
      const a = await createTestUser(url, "admin");
      const b = await createTestUser(url, "admin");
      const statuses = (await Promise.all([demote(a, b), demote(b, a)])).map((r) => r.status).sort();
      // One wins; the other is refused: as the last admin (409), as no longer an admin (403), or
      // because its session ended with the demotion before its request was checked (401).
      expect(
        statuses.filter((s) => s === 200),
        `round ${round}: ${statuses.join(",")}`,
      ).toHaveLength(1);
      expect(
        statuses.filter((s) => [401, 403, 409].includes(s)),
        `round ${round}: ${statuses.join(",")}`,
      ).toHaveLength(1);
      expect(await activeAdmins()).toBe(1);
    }
  });

  it("never leaves no admin: one disabling while the other demotes (10 rounds)", async () => {
    for (let round = 0; round < 10; round++) {
      await db.user.updateMany({ where: { role: "admin", disabledAt: null }, data: { role: "viewer" } });
      const a = await createTestUser(url, "admin");
      const b = await createTestUser(url, "admin");
      const statuses = (await Promise.all([disable(a, b), demote(b, a)])).map((r) => r.status);
      expect(
        statuses.filter((s) => s === 200),
        `round ${round}: ${statuses.join(",")}`,
      ).toHaveLength(1);
      expect(await activeAdmins()).toBe(1);
    }
  });

  it("the lock alone decides, without the actor check: two concurrent demotions by the system actor (10 rounds)", async () => {
    for (let round = 0; round < 10; round++) {
      await db.user.updateMany({ where: { role: "admin", disabledAt: null }, data: { role: "viewer" } });
      const a = await createTestUser(url, "admin");
      const b = await createTestUser(url, "admin");
      const ctx = () => systemCtx(db);
      const results = await Promise.allSettled([
        changeUserRole({ ctx: ctx(), input: { userId: a.id, role: "viewer" } }),
        changeUserRole({ ctx: ctx(), input: { userId: b.id, role: "operator" } }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const rejected = results.find((r) => r.status === "rejected");
      expect(rejected?.reason).toBeInstanceOf(ConflictError);
      expect(await activeAdmins()).toBe(1);
    }
  });
});
