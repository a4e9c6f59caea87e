import { z } from "zod";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { getEnv, oidcSettings } from "@/lib/env";
import { BadRequestError, ConflictError } from "@/lib/errors";
import { lockActiveAdmins, lockUser } from "@/lib/users/people-context";
import { normalizeIssuer } from "./oidc-policy";
import type { SessionUser } from "./roles";

export const LinkSsoIdentityInput = z.strictObject({
  userId: z.uuid("is not a person's id"),
  /** The identity provider's `sub` for the person: the refused sign-in's audit event shows it. */
  subject: z.string().trim().min(1, "is required").max(255),
  /** Defaults to the configured OIDC_ISSUER. */
  issuer: z.url().max(500).optional(),
});
export type LinkSsoIdentityInput = z.infer<typeof LinkSsoIdentityInput>;

export interface SsoIdentityView {
  userId: string;
  issuer: string;
  subject: string;
  linkedByEmail: string | null;
  createdAt: string;
}

/** The issuer an admin means: the one given, else the configured one. */
export function issuerFor(given: string | undefined): string {
  const issuer = given ?? oidcSettings(getEnv())?.issuer;
  if (!issuer) throw new BadRequestError("Single sign-on is not configured (OIDC_ISSUER), so there is no identity to link.");
  return normalizeIssuer(issuer);
}

/**
 * An admin binds a single sign-on identity (issuer, subject) to an existing person, who can then
 * sign in with it. The only way an SSO login reaches an account it did not create: sign-in never
 * joins accounts by email. A one-time password the person never replaced is withdrawn (SSO is how
 * they sign in now). Audited as `user.sso_link`.
 */
export async function linkSsoIdentity({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: LinkSsoIdentityInput;
}): Promise<SsoIdentityView> {
  const data = LinkSsoIdentityInput.parse(input);
  const issuer = issuerFor(data.issuer);
  return withTransaction(ctx, async ({ db: tx }) => {
    await lockActiveAdmins(tx, actorOf(ctx));
    const person = await lockUser(tx, data.userId);
    const bound = await tx.oidcAccount.findUnique({
      where: { issuer_subject: { issuer, subject: data.subject } },
      include: { user: true },
    });
    if (bound && bound.userId !== person.id) {
      throw new ConflictError(`This identity is already linked to ${bound.user.email}. Unlink it there first.`);
    }
    const existing = bound ?? (await tx.oidcAccount.findUnique({ where: { userId_issuer: { userId: person.id, issuer } } }));
    if (existing && existing.subject !== data.subject) {
      throw new ConflictError(`${person.email} is already linked to another identity of this provider. Unlink it first.`);
    }
    const account =
      existing ??
      (await tx.oidcAccount.create({ data: { userId: person.id, issuer, subject: data.subject, linkedByEmail: actorOf(ctx).email } }));
    if (!existing) {
      // A one-time password never replaced means the person has not chosen one: from now on they
      // sign in with SSO, and an unused one-time password would only block that (and linger).
      const withdrawOneTimePassword = person.passwordChangeRequired;
      if (withdrawOneTimePassword) {
        await tx.user.update({ where: { id: person.id }, data: { passwordHash: null, passwordChangeRequired: false } });
      }
      await recordAuditEvent(tx, {
        actor: actorOf(ctx),
        action: "user.sso_link",
        subject: { type: "user", id: person.id },
        payload: {
          email: person.email,
          issuer,
          subject: data.subject,
          ...(withdrawOneTimePassword ? { oneTimePasswordWithdrawn: true } : {}),
        },
        requestId: ctx.requestId,
      });
    }
    return {
      userId: account.userId,
      issuer: account.issuer,
      subject: account.subject,
      linkedByEmail: account.linkedByEmail,
      createdAt: account.createdAt.toISOString(),
    };
  });
}
