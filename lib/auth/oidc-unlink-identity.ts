import { z } from "zod";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { NotFoundError } from "@/lib/errors";
import { lockActiveAdmins, lockUser } from "@/lib/users/people-context";
import { issuerFor } from "./oidc-link-identity";
import type { SessionUser } from "./roles";

export const UnlinkSsoIdentityInput = z.strictObject({
  userId: z.uuid("is not a person's id"),
  /** Defaults to the configured OIDC_ISSUER. */
  issuer: z.url().max(500).optional(),
});
export type UnlinkSsoIdentityInput = z.infer<typeof UnlinkSsoIdentityInput>;

/**
 * An admin removes a person's single sign-on identity: that identity can no longer sign in as
 * them (its next sign-in is refused, their email being in use). Sessions already open are ended.
 * Audited as `user.sso_unlink`.
 */
export async function unlinkSsoIdentity({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: UnlinkSsoIdentityInput;
}): Promise<{ unlinked: true }> {
  const data = UnlinkSsoIdentityInput.parse(input);
  const issuer = issuerFor(data.issuer);
  return withTransaction(ctx, async ({ db: tx }) => {
    await lockActiveAdmins(tx, actorOf(ctx));
    const person = await lockUser(tx, data.userId);
    const account = await tx.oidcAccount.findUnique({ where: { userId_issuer: { userId: person.id, issuer } } });
    if (!account) throw new NotFoundError(`${person.email} has no single sign-on identity to unlink.`);
    await tx.oidcAccount.delete({ where: { id: account.id } });
    await tx.user.update({ where: { id: person.id }, data: { sessionVersion: { increment: 1 } } });
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: "user.sso_unlink",
      subject: { type: "user", id: person.id },
      payload: { email: person.email, issuer, subject: account.subject, sessionsEnded: true },
      requestId: ctx.requestId,
    });
    return { unlinked: true as const };
  });
}
