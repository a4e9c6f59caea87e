import { z } from "zod";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { BadRequestError } from "@/lib/errors";
import type { UserWithOneTimePassword } from "./add-user";
import { toUserView } from "./list-users";
import { generatePassword, hashPassword } from "./passwords";
import { lockActiveAdmins, lockUser } from "./people-context";

export const ResetUserPasswordInput = z.strictObject({ userId: z.uuid() });
export type ResetUserPasswordInput = z.infer<typeof ResetUserPasswordInput>;

/**
 * Replaces a person's password with a new one-time password (shown to the admin once; the person
 * must choose their own at next sign-in) and ends every session they hold.
 */
export async function resetUserPassword({
  ctx,
  input,
}: {
  ctx: Ctx<SessionUser | null>;
  input: ResetUserPasswordInput;
}): Promise<UserWithOneTimePassword> {
  const { userId } = ResetUserPasswordInput.parse(input);
  const oneTimePassword = generatePassword();
  // Hashing is slow on purpose: done before the transaction, so no row lock waits on it.
  const passwordHash = await hashPassword(oneTimePassword);
  const user = await withTransaction(ctx, async ({ db: tx }) => {
    await lockActiveAdmins(tx, actorOf(ctx));
    const target = await lockUser(tx, userId);
    if (target.authProvider !== "credentials") {
      throw new BadRequestError(
        `${target.email} signs in with single sign-on and has no password here; manage it at the identity provider.`,
      );
    }
    const updated = await tx.user.update({
      where: { id: userId },
      data: { passwordHash, passwordChangeRequired: true, sessionVersion: { increment: 1 } },
    });
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: "user.password_reset",
      subject: { type: "user", id: userId },
      payload: { email: target.email, mustChangeAtNextSignIn: true, sessionsEnded: true },
      requestId: ctx.requestId,
    });
    return updated;
  });
  return { user: toUserView(user), oneTimePassword };
}
