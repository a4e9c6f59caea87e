import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { sessionExpiresAt, UUID_PATTERN as UUID, type SessionClaims } from "@/lib/auth/session-claims";
import { withTransaction, type Ctx } from "@/lib/db/ctx";

/**
 * Sign-out ends this one session for good: its id is revoked until the token would have expired
 * anyway (so a copied cookie stops working too), while the person's other sessions, on other
 * devices, go on. Expired revocations are swept on the way.
 */
export async function signOutSession({ ctx, input }: { ctx: Ctx; input: { claims: SessionClaims } }): Promise<{ revoked: boolean }> {
  const { sub, sid, authTime } = input.claims;
  const revocable = typeof sub === "string" && UUID.test(sub) && typeof sid === "string" && UUID.test(sid) && typeof authTime === "number";
  const now = new Date();
  return withTransaction(ctx, async ({ db: tx }) => {
    let revoked = false;
    if (revocable) {
      const expiresAt = sessionExpiresAt(authTime);
      if (expiresAt > now && (await tx.user.count({ where: { id: sub } })) === 1) {
        await tx.revokedSession.upsert({ where: { sessionId: sid }, create: { sessionId: sid, userId: sub, expiresAt }, update: {} });
        revoked = true;
      }
      await tx.revokedSession.deleteMany({ where: { expiresAt: { lte: now } } });
    }
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: "auth.sign_out",
      payload: { sessionRevoked: revoked },
      requestId: ctx.requestId,
    });
    return { revoked };
  });
}
