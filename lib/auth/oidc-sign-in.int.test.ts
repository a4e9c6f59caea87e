import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/db/client";
import { systemCtx, type Ctx } from "@/lib/db/ctx";
import { ConflictError } from "@/lib/errors";
import { createMigratedDatabase } from "@/lib/testing/databases";
import { linkSsoIdentity } from "./oidc-link-identity";
import { parseRoleMap, type OidcSettings } from "./oidc-policy";
import { signInWithOidc } from "./oidc-sign-in";
import { unlinkSsoIdentity } from "./oidc-unlink-identity";
import type { SessionUser } from "./roles";

const ISSUER = "https://sso.example.com";
const settings: OidcSettings = {
  issuer: ISSUER,
  clientId: "restore-console",
  clientSecret: "x",
  name: "Okta",
  scopes: "openid email profile groups",
  allowedDomains: ["example.com"],
  allowedGroups: [],
  groupsClaim: "groups",
  roleClaim: "groups",
  roleMap: parseRoleMap("sre-admins=admin,sre=operator,staff=viewer").mappings,
  defaultRole: undefined,
};

let db: Db;
const claims = (over: Record<string, unknown>) => ({
  iss: `${ISSUER}/`,
  sub: randomUUID(),
  email_verified: true,
  groups: ["staff"],
  ...over,
});
const signIn = (c: Record<string, unknown>, s: OidcSettings = settings) =>
  signInWithOidc({ ctx: systemCtx(db), input: { claims: c, settings: s } });
/** A person acting, as the API hands them to a verb. */
const ctxAs = ({ id, email, name, role }: SessionUser): Ctx => ({ db, user: { id, email, name, role }, requestId: randomUUID() });

beforeAll(async () => {
  const url = await createMigratedDatabase();
  db = createDb(url);
  // The link verb reads the configured issuer when none is given, as the API does.
  process.env.DATABASE_URL = url;
  process.env.NEXTAUTH_SECRET ??= "test-secret-for-integration-tests-only-0123456789";
  Object.assign(process.env, { OIDC_ISSUER: `${ISSUER}/`, OIDC_CLIENT_ID: "restore-console", OIDC_CLIENT_SECRET: "x" });
});
afterAll(async () => {
  await db.$disconnect();
});

describe("signInWithOidc", () => {
  it("creates a person bound to (issuer, subject) with the mapped role, and finds them again by subject", async () => {
    const c = claims({ email: "new.person@example.com", groups: ["sre"] });
    const first = await signIn(c);
    expect(first).toMatchObject({ ok: true, created: true, user: { email: "new.person@example.com", role: "operator" } });
    const account = await db.oidcAccount.findFirstOrThrow({ where: { subject: c.sub } });
    expect(account).toMatchObject({ issuer: ISSUER, linkedByEmail: null });

    // The same identity with another email claim is still the same person.
    const again = await signIn({ ...c, email: "renamed@example.com" });
    expect(again).toMatchObject({ ok: true, created: false, user: { id: first.ok ? first.user.id : "", email: "new.person@example.com" } });
  });

  it("never joins an existing password account by email: the takeover attempt is refused and audited", async () => {
    const admin = await db.user.create({ data: { email: "boss@example.com", role: "admin", passwordHash: "x" } });
    const c = claims({ email: "BOSS@example.com", groups: ["sre-admins"] });
    expect(await signIn(c)).toEqual({ ok: false, reason: "email_in_use" });
    expect(await db.oidcAccount.count({ where: { subject: c.sub } })).toBe(0);
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { action: "auth.sign_in", outcome: "denied", actorEmail: "boss@example.com" },
    });
    expect(audit.actorId).toBeNull();
    expect(audit.payload).toMatchObject({ reason: "email_in_use", subject: c.sub, issuer: ISSUER, existingUserId: admin.id });
  });

  it("refuses unverified email, foreign domain and no mapped group, each audited with its reason", async () => {
    for (const [over, reason] of [
      [{ email: "u@example.com", email_verified: false }, "email_unverified"],
      [{ email: "u@evil.test" }, "domain_not_allowed"],
      [{ email: "u2@example.com", groups: ["marketing"] }, "no_role"],
    ] as const) {
      const c = claims(over);
      expect(await signIn(c)).toEqual({ ok: false, reason });
      const audit = await db.auditEvent.findFirstOrThrow({
        where: { action: "auth.sign_in", outcome: "denied", payload: { path: ["subject"], equals: c.sub } },
      });
      expect(audit.payload).toMatchObject({ reason });
    }
    expect(await db.user.count({ where: { email: { in: ["u@example.com", "u@evil.test", "u2@example.com"] } } })).toBe(0);
  });

  it("re-evaluates the role at each sign-in: a removed group demotes, then refuses", async () => {
    const c = claims({ email: "ops@example.com", groups: ["sre", "staff"] });
    const first = await signIn(c);
    expect(first).toMatchObject({ ok: true, user: { role: "operator" } });
    const id = first.ok ? first.user.id : "";
    const before = await db.user.findUniqueOrThrow({ where: { id } });

    expect(await signIn({ ...c, groups: ["staff"] })).toMatchObject({ ok: true, user: { role: "viewer" } });
    const after = await db.user.findUniqueOrThrow({ where: { id } });
    expect(after.role).toBe("viewer");
    expect(after.sessionVersion).toBe(before.sessionVersion + 1); // older sessions end with the change

    expect(await signIn({ ...c, groups: [] })).toEqual({ ok: false, reason: "no_role" });
  });

  it("never demotes the last active admin through the mapping", async () => {
    const fresh = createDb(await createMigratedDatabase());
    try {
      const c = claims({ email: "only.admin@example.com", groups: ["sre-admins"] });
      const first = await signInWithOidc({ ctx: systemCtx(fresh), input: { claims: c, settings } });
      expect(first).toMatchObject({ ok: true, user: { role: "admin" } });
      const second = await signInWithOidc({ ctx: systemCtx(fresh), input: { claims: { ...c, groups: ["staff"] }, settings } });
      expect(second).toMatchObject({ ok: true, user: { role: "admin" } });
    } finally {
      await fresh.$disconnect();
    }
  });

  it("refuses a disabled person", async () => {
    const c = claims({ email: "gone@example.com" });
    const first = await signIn(c);
    await db.user.update({ where: { id: first.ok ? first.user.id : "" }, data: { disabledAt: new Date() } });
    expect(await signIn(c)).toEqual({ ok: false, reason: "disabled" });
  });

  it("without a role map, leaves roles to the app: new people get the default role, existing ones keep theirs", async () => {
    const s = { ...settings, roleMap: [], defaultRole: undefined };
    const c = claims({ email: "plain@example.com", groups: [] });
    const first = await signIn(c, s);
    expect(first).toMatchObject({ ok: true, user: { role: "viewer" } });
    await db.user.update({ where: { id: first.ok ? first.user.id : "" }, data: { role: "operator" } });
    expect(await signIn(c, s)).toMatchObject({ ok: true, user: { role: "operator" } });
  });
});

describe("linkSsoIdentity", () => {
  it("an admin links an identity to a password account; the next sign-in is that person, with the mapped role", async () => {
    const admin = await db.user.create({ data: { email: "linker@example.com", role: "admin", passwordHash: "x" } });
    const person = await db.user.create({ data: { email: "grace@example.com", role: "viewer", passwordHash: "x" } });
    const c = claims({ email: "grace@example.com", groups: ["sre"] });
    expect(await signIn(c)).toEqual({ ok: false, reason: "email_in_use" });

    const ctx = ctxAs(admin);
    const linked = await linkSsoIdentity({ ctx, input: { userId: person.id, subject: c.sub, issuer: `${ISSUER}/` } });
    expect(linked).toMatchObject({ userId: person.id, issuer: ISSUER, subject: c.sub, linkedByEmail: "linker@example.com" });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "user.sso_link", subjectId: person.id } });
    expect(audit).toMatchObject({ actorEmail: "linker@example.com", outcome: "ok" });

    expect(await signIn(c)).toMatchObject({ ok: true, created: false, user: { id: person.id, role: "operator" } });

    // Linking the same identity again is a no-op; to someone else, or a second identity, a conflict.
    await expect(linkSsoIdentity({ ctx, input: { userId: person.id, subject: c.sub, issuer: ISSUER } })).resolves.toMatchObject({
      userId: person.id,
    });
    await expect(linkSsoIdentity({ ctx, input: { userId: admin.id, subject: c.sub, issuer: ISSUER } })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(linkSsoIdentity({ ctx, input: { userId: person.id, subject: "other", issuer: ISSUER } })).rejects.toBeInstanceOf(
      ConflictError,
    );

    // Unlinked: the identity no longer reaches the person.
    await unlinkSsoIdentity({ ctx, input: { userId: person.id, issuer: ISSUER } });
    expect(await signIn(c)).toEqual({ ok: false, reason: "email_in_use" });
    expect(await db.auditEvent.count({ where: { action: "user.sso_unlink", subjectId: person.id } })).toBe(1);
  });

  it("withdraws a one-time password the person never replaced: SSO is how they sign in now", async () => {
    const admin = await db.user.create({ data: { email: "linker2@example.com", role: "admin", passwordHash: "x" } });
    const person = await db.user.create({ data: { email: "newbie@example.com", passwordHash: "one-time", passwordChangeRequired: true } });
    await linkSsoIdentity({ ctx: ctxAs(admin), input: { userId: person.id, subject: "newbie" } });
    expect(await db.user.findUniqueOrThrow({ where: { id: person.id } })).toMatchObject({
      passwordHash: null,
      passwordChangeRequired: false,
    });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { action: "user.sso_link", subjectId: person.id } });
    expect(audit.payload).toMatchObject({ oneTimePasswordWithdrawn: true, issuer: ISSUER });
  });

  it("only an active admin links (someone demoted a moment ago is refused)", async () => {
    const person = await db.user.create({ data: { email: "someone@example.com", passwordHash: "x" } });
    const ctx = ctxAs(person);
    await expect(linkSsoIdentity({ ctx, input: { userId: person.id, subject: "s", issuer: ISSUER } })).rejects.toThrow(
      /no longer an active admin/,
    );
    // The CLI acts as the system (no user).
    await expect(
      linkSsoIdentity({ ctx: systemCtx(db), input: { userId: person.id, subject: "s", issuer: ISSUER } }),
    ).resolves.toMatchObject({
      userId: person.id,
    });
  });
});
