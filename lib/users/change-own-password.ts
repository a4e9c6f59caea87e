import { z } from "zod";
import { recordAuditEvent } from "@/lib/audit/record-audit-event";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { isPerson } from "@/lib/auth/roles";
import { BadRequestError, ForbiddenError } from "@/lib/errors";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "./passwords";

export const ChangeOwnPasswordInput = z.strictObject({
  currentPassword: z.string().min(1, "is required").max(1024),
  newPassword: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024, "must be at most 1024 characters"),
});
export type ChangeOwnPasswordInput = z.infer<typeof ChangeOwnPasswordInput>;

/**
 * A signed-in person replaces their password (the one-time password an admin gave them, or their
 * own). Every session they hold ends, this one included, so they sign in again with the new one.
 */
export async function changeOwnPassword({ ctx, input }: { ctx: Ctx; input: ChangeOwnPasswordInput }): Promise<{ signInAgain: true }> {
  const data = ChangeOwnPasswordInput.parse(input);
  if (!isPerson(ctx.user)) throw new ForbiddenError("An API token has no password of its own; an admin revokes it and creates another.");
  if (data.newPassword === data.currentPassword) throw new BadRequestError("Choose a new password that differs from the current one.");
  const current = await ctx.db.user.findUnique({ where: { id: ctx.user.id } });
  if (!current?.passwordHash || current.authProvider !== "credentials") {
    throw new BadRequestError("You sign in with single sign-on; change your password at the identity provider.");
  }
  if (!(await verifyPassword(data.currentPassword, current.passwordHash))) {
    await recordAuditEvent(ctx.db, {
      actor: ctx.user,
      action: "user.password_change",
      outcome: "denied",
      subject: { type: "user", id: ctx.user.id },
      payload: { reason: "current password incorrect" },
      requestId: ctx.requestId,
    });
    throw new BadRequestError("The current password is not correct.");
  }
  const passwordHash = await hashPassword(data.newPassword);
  await withTransaction(ctx, async ({ db: tx }) => {
    // Guarded on the hash that was checked: a reset by an admin in between wins, and this fails.
    const { count } = await tx.user.updateMany({
      where: { id: ctx.user.id, passwordHash: current.passwordHash, disabledAt: null },
      data: { passwordHash, passwordChangeRequired: false, sessionVersion: { increment: 1 } },
    });
    if (count !== 1) throw new BadRequestError("Your password was changed elsewhere meanwhile. Sign in again and retry.");
    await recordAuditEvent(tx, {
      actor: ctx.user,
      action: "user.password_change",
      subject: { type: "user", id: ctx.user.id },
      payload: { replacedOneTimePassword: current.passwordChangeRequired, sessionsEnded: true },
      requestId: ctx.requestId,
    });
  });
  return { signInAgain: true };
}
