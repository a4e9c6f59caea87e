import { randomUUID } from "node:crypto";
import { decode, encode } from "next-auth/jwt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as me } from "@/app/api/me/route";
import { createDb, type Db } from "@/lib/db/client";
import { createTestUser, sessionCookieFor, TEST_SECRET, useTestEnv, type TestUser } from "@/lib/testing/auth";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { apiRequest } from "@/lib/testing/requests";
import { buildAuthOptions } from "./options";
import { checkSession, userFromRequest } from "./session";

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

afterEach(() => {
  delete process.env.SESSION_LIFETIME_HOURS;
});

const HOUR = 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);

const meStatus = async (cookie: string) => (await me(apiRequest("/api/me", { cookie }), { params: Promise.resolve({}) })).status;

/** A cookie for `user` signed in `ageSeconds` ago. */
async function cookieAged(user: TestUser, ageSeconds: number, sessionId?: string): Promise<string> {
  const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
  return sessionCookieFor({ ...user, sessionVersion: row.sessionVersion, authTime: nowSeconds() - ageSeconds, sessionId });
}

async function claimsOf(cookie: string) {
  const token = await decode({ token: cookie.slice(cookie.indexOf("=") + 1), secret: TEST_SECRET });
  if (!token) throw new Error("undecodable test cookie");
  return token;
}

describe("absolute session lifetime", () => {
  it("defaults to 12 hours from sign-in", async () => {
    const user = await createTestUser(url, "viewer");
    expect(await meStatus(await cookieAged(user, 11 * HOUR + 59 * 60))).toBe(200);
    expect(await meStatus(await cookieAged(user, 12 * HOUR + 1))).toBe(401);
  });

  it("follows SESSION_LIFETIME_HOURS", async () => {
    process.env.SESSION_LIFETIME_HOURS = "1";
    const user = await createTestUser(url, "viewer");
    expect(await meStatus(await cookieAged(user, 30 * 60))).toBe(200);
    expect(await meStatus(await cookieAged(user, 61 * 60))).toBe(401);
  });

  it("is counted from sign-in, not from the last request: rolling the cookie keeps the sign-in time", async () => {
    const user = await createTestUser(url, "viewer");
    const claims = await claimsOf(user.cookie);
    const options = buildAuthOptions();
    // What next-auth does on every session poll: the jwt callback without a sign-in, then a new cookie.
    const rolled = await options.callbacks?.jwt?.({ token: claims, user: undefined as never, account: null });
    expect(rolled).toMatchObject({ sid: claims.sid, sv: claims.sv, authTime: claims.authTime });
    // A clock 12 hours ahead refuses the same (rolled) token.
    expect(await checkSession(db, rolled, new Date(Date.now() + 12 * HOUR * 1000 + 1000))).toEqual({ ok: false, reason: "expired" });
    expect((await checkSession(db, rolled, new Date(Date.now() + 11 * HOUR * 1000))).ok).toBe(true);
    // The session next-auth reports ends at sign-in + lifetime, not 12 hours after this poll.
    const session = await options.callbacks?.session?.({ session: { user: {}, expires: "" }, token: claims } as never);
    expect(new Date((session as { expires: string }).expires).getTime()).toBe(((claims.authTime as number) + 12 * HOUR) * 1000);
    expect(options.session?.maxAge).toBe(12 * HOUR);
  });

  it("a token without our claims (issued before they existed) is refused", async () => {
    const user = await createTestUser(url, "viewer");
    const legacy = await encode({ token: { sub: user.id, email: user.email, name: null, role: "viewer" }, secret: TEST_SECRET });
    expect(await meStatus(`next-auth.session-token=${legacy}`)).toBe(401);
  });
});

describe("signing in", () => {
  it("puts a new session id, the person's session version and the sign-in time in the token", async () => {
    const user = await createTestUser(url, "operator");
    await db.user.update({ where: { id: user.id }, data: { sessionVersion: 7 } });
    const token = await buildAuthOptions().callbacks?.jwt?.({
      token: { sub: "ignored", email: user.email },
      user: { id: user.id, email: user.email, name: null, role: "operator" },
      account: { provider: "credentials", type: "credentials", providerAccountId: user.id },
    });
    expect(token).toMatchObject({ sub: user.id, role: "operator", sv: 7 });
    expect(token?.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs((token?.authTime as number) - nowSeconds())).toBeLessThanOrEqual(2);
    expect((await checkSession(db, token)).ok).toBe(true);
  });
});

describe("signing out", () => {
  it("revokes that session (a kept copy of the cookie stops working) and leaves the person's other sessions", async () => {
    const user = await createTestUser(url, "operator");
    const otherDevice = await cookieAged(user, 60);
    expect(await meStatus(user.cookie)).toBe(200);

    const claims = await claimsOf(user.cookie);
    await buildAuthOptions().events?.signOut?.({ token: claims, session: undefined as never });

    expect(await meStatus(user.cookie)).toBe(401);
    expect(await meStatus(otherDevice)).toBe(200);
    const revoked = await db.revokedSession.findUniqueOrThrow({ where: { sessionId: claims.sid as string } });
    expect(revoked).toMatchObject({ userId: user.id });
    // Kept only as long as the token could have lived.
    expect(revoked.expiresAt.getTime()).toBe(((claims.authTime as number) + 12 * HOUR) * 1000);
    const audit = await db.auditEvent.findFirst({ where: { action: "auth.sign_out", actorId: user.id } });
    expect(audit?.payload).toMatchObject({ sessionRevoked: true });
  });

  it("sweeps revocations whose tokens have expired anyway", async () => {
    const user = await createTestUser(url, "viewer");
    const stale = randomUUID();
    await db.revokedSession.create({ data: { sessionId: stale, userId: user.id, expiresAt: new Date(Date.now() - 1000) } });
    await buildAuthOptions().events?.signOut?.({ token: await claimsOf(user.cookie), session: undefined as never });
    expect(await db.revokedSession.findUnique({ where: { sessionId: stale } })).toBeNull();
  });
});

describe("a one-time password", () => {
  it("signs the person in only for the endpoint that replaces it", async () => {
    const user = await createTestUser(url, "admin");
    await db.user.update({ where: { id: user.id }, data: { passwordChangeRequired: true } });
    const check = await checkSession(db, await claimsOf(user.cookie));
    expect(check).toMatchObject({ ok: true, passwordChangeRequired: true });
    expect(await userFromRequest(db, apiRequest("/api/users", { cookie: user.cookie }))).toBeNull();
    expect(await userFromRequest(db, apiRequest("/api/users/me/password", { cookie: user.cookie, body: {} }))).toMatchObject({
      id: user.id,
    });
  });
});
