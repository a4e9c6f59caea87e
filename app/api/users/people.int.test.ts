import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listPeople, POST as addPerson } from "@/app/api/users/route";
import { POST as disablePerson } from "@/app/api/users/[userId]/disable/route";
import { POST as enablePerson } from "@/app/api/users/[userId]/enable/route";
import { POST as endSessions } from "@/app/api/users/[userId]/end-sessions/route";
import { POST as resetPassword } from "@/app/api/users/[userId]/reset-password/route";
import { POST as changeRole } from "@/app/api/users/[userId]/role/route";
import { POST as changeOwnPassword } from "@/app/api/users/me/password/route";
import { GET as me } from "@/app/api/me/route";
import { createDb, type Db } from "@/lib/db/client";
import type { RouteHandler } from "@/lib/http/route";
import { createTestUser, sessionCookieFor, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import type { UserView } from "@/lib/users/list-users";

let db: Db;
let admin: TestUser;

beforeAll(async () => {
  const url = await createMigratedDatabase();
  useTestEnv(url);
  db = createDb(url);
  admin = await createTestUser(url, "admin");
  // A second admin, so demoting and disabling admins here never meets the last-admin guard.
  await createTestUser(url, "admin");
});

afterAll(async () => {
  await db.$disconnect();
});

function call(
  handler: RouteHandler,
  path: string,
  init: { cookie: string; body?: unknown; method?: string },
  params: Record<string, string> = {},
) {
  return handler(apiRequest(path, { method: init.method ?? "POST", cookie: init.cookie, body: init.body }), {
    params: Promise.resolve(params),
  });
}

const post = (handler: RouteHandler, userId: string, action: string, cookie: string, body?: unknown) =>
  call(handler, `/api/users/${userId}/${action}`, { cookie, body }, { userId });

const meStatus = async (cookie: string) => (await call(me, "/api/me", { cookie, method: "GET" })).status;

/** The cookie a fresh sign-in would give the person now (their current session version). */
async function signInAgain(userId: string): Promise<string> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  return sessionCookieFor({ id: user.id, email: user.email, role: user.role, sessionVersion: user.sessionVersion });
}

async function auditFor(response: Response) {
  const requestId = response.headers.get("x-request-id") ?? "";
  return db.auditEvent.findMany({ where: { requestId } });
}

const json = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));

describe("adding a person", () => {
  it("creates them with a one-time password shown once, audited without it", async () => {
    const response = await call(addPerson, "/api/users", {
      cookie: admin.cookie,
      body: { email: "Grace@Example.com", name: "Grace", role: "operator" },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { user: UserView; oneTimePassword: string };
    expect(body.user).toMatchObject({
      email: "grace@example.com",
      role: "operator",
      authProvider: "credentials",
      disabled: false,
      passwordChangeRequired: true,
    });
    expect(body.oneTimePassword).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const events = await auditFor(response);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "user.create", actorEmail: admin.email, subjectId: body.user.id, outcome: "ok" });
    expect(json(events)).not.toContain(body.oneTimePassword);
    const stored = await db.user.findUniqueOrThrow({ where: { id: body.user.id } });
    expect(stored.passwordHash).not.toContain(body.oneTimePassword);

    const list = (await (await call(listPeople, "/api/users", { cookie: admin.cookie, method: "GET" })).json()) as UserView[];
    expect(list.find((u) => u.email === "grace@example.com")).toMatchObject({
      role: "operator",
      lastSignInAt: null,
      passwordChangeRequired: true,
    });
  });

  it("refuses an email that is taken, and unknown fields", async () => {
    const taken = await call(addPerson, "/api/users", { cookie: admin.cookie, body: { email: admin.email, role: "viewer" } });
    expect(taken.status).toBe(409);
    const extra = await call(addPerson, "/api/users", {
      cookie: admin.cookie,
      body: { email: "x@example.com", role: "viewer", password: "chosen-by-the-admin" },
    });
    expect(extra.status).toBe(400);
  });

  it("a one-time password opens nothing but the password change, which ends that session", async () => {
    const added = (await (
      await call(addPerson, "/api/users", { cookie: admin.cookie, body: { email: "otp@example.com", role: "operator" } })
    ).json()) as {
      user: UserView;
      oneTimePassword: string;
    };
    const cookie = await signInAgain(added.user.id);
    expect(await meStatus(cookie)).toBe(401);

    const wrong = await call(changeOwnPassword, "/api/users/me/password", {
      cookie,
      body: { currentPassword: "not-it-at-all", newPassword: "a brand new password" },
    });
    expect(wrong.status).toBe(400);
    expect(await auditFor(wrong)).toEqual([expect.objectContaining({ action: "user.password_change", outcome: "denied" })]);

    const short = await call(changeOwnPassword, "/api/users/me/password", {
      cookie,
      body: { currentPassword: added.oneTimePassword, newPassword: "short" },
    });
    expect(short.status).toBe(400);

    const changed = await call(changeOwnPassword, "/api/users/me/password", {
      cookie,
      body: { currentPassword: added.oneTimePassword, newPassword: "a brand new password" },
    });
    expect(changed.status).toBe(200);
    const events = await auditFor(changed);
    expect(events).toEqual([expect.objectContaining({ action: "user.password_change", outcome: "ok", actorId: added.user.id })]);
    expect(json(events)).not.toContain("a brand new password");

    // The session that changed it is over; a new sign-in works everywhere.
    expect(await meStatus(cookie)).toBe(401);
    const fresh = await signInAgain(added.user.id);
    expect(await meStatus(fresh)).toBe(200);
    expect(await db.user.findUniqueOrThrow({ where: { id: added.user.id } })).toMatchObject({ passwordChangeRequired: false });
  });
});

describe("changing a role", () => {
  it("is audited, ends the person's sessions, and their next sign-in carries the new role", async () => {
    const other = await createTestUser(process.env.DATABASE_URL ?? "", "admin");
    expect((await call(listPeople, "/api/users", { cookie: other.cookie, method: "GET" })).status).toBe(200);

    const response = await post(changeRole, other.id, "role", admin.cookie, { role: "viewer" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: other.id, role: "viewer" });
    expect(await auditFor(response)).toEqual([
      expect.objectContaining({
        action: "user.role_change",
        subjectId: other.id,
        payload: expect.objectContaining({ from: "admin", to: "viewer" }),
      }),
    ]);

    // The old token is refused outright: it never acts with the old role again.
    expect((await call(listPeople, "/api/users", { cookie: other.cookie, method: "GET" })).status).toBe(401);
    expect(await meStatus(other.cookie)).toBe(401);
    const fresh = await signInAgain(other.id);
    expect(await (await call(me, "/api/me", { cookie: fresh, method: "GET" })).json()).toMatchObject({ role: "viewer" });
    expect((await call(listPeople, "/api/users", { cookie: fresh, method: "GET" })).status).toBe(403);
  });

  it("to the same role changes nothing and ends no session", async () => {
    const viewer = await createTestUser(process.env.DATABASE_URL ?? "", "viewer");
    const response = await post(changeRole, viewer.id, "role", admin.cookie, { role: "viewer" });
    expect(response.status).toBe(200);
    expect(await auditFor(response)).toEqual([]);
    expect(await meStatus(viewer.cookie)).toBe(200);
  });

  it("answers 404 for an unknown person and 400 for a bad role", async () => {
    expect((await post(changeRole, "00000000-0000-4000-8000-000000000000", "role", admin.cookie, { role: "viewer" })).status).toBe(404);
    expect((await post(changeRole, admin.id, "role", admin.cookie, { role: "root" })).status).toBe(400);
  });
});

describe("disabling and enabling", () => {
  it("refuses the disabled person's token at once, and enabling does not bring it back", async () => {
    const operator = await createTestUser(process.env.DATABASE_URL ?? "", "operator");
    expect(await meStatus(operator.cookie)).toBe(200);

    const disabled = await post(disablePerson, operator.id, "disable", admin.cookie);
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ disabled: true });
    expect(await auditFor(disabled)).toEqual([expect.objectContaining({ action: "user.disable", subjectId: operator.id })]);
    expect(await meStatus(operator.cookie)).toBe(401);

    const enabled = await post(enablePerson, operator.id, "enable", admin.cookie);
    expect(enabled.status).toBe(200);
    expect(await auditFor(enabled)).toEqual([expect.objectContaining({ action: "user.enable", subjectId: operator.id })]);
    expect(await meStatus(operator.cookie)).toBe(401);
    expect(await meStatus(await signInAgain(operator.id))).toBe(200);
  });

  it("an admin can't disable themselves", async () => {
    const response = await post(disablePerson, admin.id, "disable", admin.cookie);
    expect(response.status).toBe(400);
    expect(await meStatus(admin.cookie)).toBe(200);
  });
});

describe("resetting a password", () => {
  it("gives a new one-time password once, audited without it, and ends the person's sessions", async () => {
    const operator = await createTestUser(process.env.DATABASE_URL ?? "", "operator");
    const before = await db.user.findUniqueOrThrow({ where: { id: operator.id } });
    const response = await post(resetPassword, operator.id, "reset-password", admin.cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { user: UserView; oneTimePassword: string };
    expect(body.user.passwordChangeRequired).toBe(true);
    const events = await auditFor(response);
    expect(events).toEqual([expect.objectContaining({ action: "user.password_reset", subjectId: operator.id })]);
    expect(json(events)).not.toContain(body.oneTimePassword);
    const after = await db.user.findUniqueOrThrow({ where: { id: operator.id } });
    expect(after.passwordHash).not.toBe(before.passwordHash);

    expect(await meStatus(operator.cookie)).toBe(401);
    // Signed in again with it, they may only replace it.
    const fresh = await signInAgain(operator.id);
    expect(await meStatus(fresh)).toBe(401);
    const changed = await call(changeOwnPassword, "/api/users/me/password", {
      cookie: fresh,
      body: { currentPassword: body.oneTimePassword, newPassword: "mine and nobody else's" },
    });
    expect(changed.status).toBe(200);
  });

  it("refuses for a single sign-on account", async () => {
    const sso = await db.user.create({ data: { email: "sso-person@example.com", role: "viewer", authProvider: "oidc" } });
    const response = await post(resetPassword, sso.id, "reset-password", admin.cookie);
    expect(response.status).toBe(400);
    expect(await auditFor(response)).toEqual([]);
  });
});

describe("ending all of someone's sessions", () => {
  it("refuses every token they held, audited, and leaves other people's sessions alone", async () => {
    const operator = await createTestUser(process.env.DATABASE_URL ?? "", "operator");
    const secondDevice = await signInAgain(operator.id);
    const bystander = await createTestUser(process.env.DATABASE_URL ?? "", "viewer");

    const response = await post(endSessions, operator.id, "end-sessions", admin.cookie);
    expect(response.status).toBe(200);
    expect(await auditFor(response)).toEqual([
      expect.objectContaining({ action: "user.sessions_end", subjectId: operator.id, actorEmail: admin.email }),
    ]);
    expect(await meStatus(operator.cookie)).toBe(401);
    expect(await meStatus(secondDevice)).toBe(401);
    expect(await meStatus(bystander.cookie)).toBe(200);
    expect(await meStatus(await signInAgain(operator.id))).toBe(200);
  });
});

describe("who may manage people", () => {
  it("an operator is refused every people action", async () => {
    const operator = await createTestUser(process.env.DATABASE_URL ?? "", "operator");
    const viewer = await createTestUser(process.env.DATABASE_URL ?? "", "viewer");
    for (const [handler, action, body] of [
      [changeRole, "role", { role: "admin" }],
      [disablePerson, "disable", undefined],
      [enablePerson, "enable", undefined],
      [resetPassword, "reset-password", undefined],
      [endSessions, "end-sessions", undefined],
    ] as const) {
      expect((await post(handler, viewer.id, action, operator.cookie, body)).status, action).toBe(403);
    }
    expect((await call(addPerson, "/api/users", { cookie: operator.cookie, body: { email: "y@example.com", role: "admin" } })).status).toBe(
      403,
    );
  });
});
