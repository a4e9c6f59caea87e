import { recordAuditEvent, SYSTEM, type AuditActor } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { decideOidcSignIn, type OidcRefusal, type OidcSettings } from "./oidc-policy";
import type { SessionUser } from "./roles";
import { lockActiveAdmins } from "@/lib/users/people-context";

export type OidcSignInResult = { ok: true; user: SessionUser; created: boolean } | { ok: false; reason: OidcRefusal };

/**
 * An SSO sign-in, after next-auth validated the ID token. The account is found by (issuer,
 * subject) only. The email never finds an account: when it belongs to a person this identity is
 * not linked to, the sign-in is refused (an admin links them explicitly), so an identity-provider
 * account claiming `admin@…` never becomes that admin. With a role map, the role is set from the
 * claims at every sign-in, so a removed group demotes (or refuses) at the next one.
 * Every outcome is audited as `auth.sign_in`, refusals with their reason.
 */
export async function signInWithOidc({
  ctx,
  input,
}: {
  /** Nobody is signed in yet. */
  ctx: Ctx<null>;
  input: { claims: Record<string, unknown>; settings: OidcSettings };
}): Promise<OidcSignInResult> {
  const decision = decideOidcSignIn(input.claims, input.settings);
  const now = new Date();
  return withTransaction(ctx, async ({ db: tx }) => {
    const account =
      decision.issuer && decision.subject
        ? await tx.oidcAccount.findUnique({
            where: { issuer_subject: { issuer: decision.issuer, subject: decision.subject } },
            include: { user: true },
          })
        : null;
    const seen = {
      provider: "oidc",
      issuer: decision.issuer,
      subject: decision.subject,
      claimedEmail: decision.email,
      groups: decision.groups,
    };

    const refuse = async (reason: OidcRefusal, actor: AuditActor, extra: Record<string, unknown> = {}) => {
      await recordAuditEvent(tx, {
        actor,
        action: "auth.sign_in",
        outcome: "denied",
        subject: account ? { type: "user", id: account.userId } : undefined,
        payload: { ...seen, reason, ...extra },
        requestId: ctx.requestId,
      });
      return { ok: false as const, reason };
    };
    const claimedActor: AuditActor = { id: null, email: decision.email ?? "anonymous" };

    if (!decision.ok) {
      return refuse(decision.reason, account ? { id: account.user.id, email: account.user.email } : claimedActor);
    }

    if (account) {
      const person = account.user;
      const actor = { id: person.id, email: person.email };
      if (person.disabledAt) return refuse("disabled", actor);
      // No role map: roles are managed in the app, and the IdP does not change them.
      let role = decision.role ?? person.role;
      let roleKept: string | undefined;
      if (person.role === "admin" && role !== "admin") {
        // The People page's rule holds here too: the last active admin is never demoted.
        const admins = await lockActiveAdmins(tx, SYSTEM);
        if (admins.length <= 1 && admins.includes(person.id)) {
          roleKept = `stays admin: the last active admin is not demoted (the claims map to ${role})`;
          role = "admin";
        }
      }
      const roleChanged = role !== person.role;
      await tx.user.update({
        where: { id: person.id },
        // A role change ends the person's other sessions, as a change on the People page does.
        data: { role, lastSignInAt: now, ...(roleChanged ? { sessionVersion: { increment: 1 } } : {}) },
      });
      await tx.oidcAccount.update({ where: { id: account.id }, data: { email: decision.email, lastSignInAt: now } });
      await recordAuditEvent(tx, {
        actor,
        action: "auth.sign_in",
        subject: { type: "user", id: person.id },
        payload: { ...seen, role, ...(roleChanged ? { roleChangedFrom: person.role } : {}), ...(roleKept ? { roleKept } : {}) },
        requestId: ctx.requestId,
      });
      return { ok: true as const, created: false, user: { id: person.id, email: person.email, name: person.name, role } };
    }

    // A new identity. An existing person with this email is never joined automatically.
    const holder = await tx.user.findUnique({ where: { email: decision.email } });
    if (holder) return refuse("email_in_use", claimedActor, { existingUserId: holder.id });

    const role = decision.role ?? input.settings.defaultRole ?? "viewer";
    const person = await tx.user.create({
      data: { email: decision.email, name: decision.name, role, authProvider: "oidc", passwordHash: null, lastSignInAt: now },
    });
    await tx.oidcAccount.create({
      data: { userId: person.id, issuer: decision.issuer, subject: decision.subject, email: decision.email, lastSignInAt: now },
    });
    await recordAuditEvent(tx, {
      actor: { id: person.id, email: person.email },
      action: "auth.sign_in",
      subject: { type: "user", id: person.id },
      payload: { ...seen, role, created: true },
      requestId: ctx.requestId,
    });
    return { ok: true as const, created: true, user: { id: person.id, email: person.email, name: person.name, role } };
  });
}
