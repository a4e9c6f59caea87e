import { z } from "zod";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import type { SessionUser } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { BadRequestError } from "@/lib/errors";
import { toUserView, type UserView } from "./list-users";
import { assertNotLastAdmin, lockActiveAdmins, lockUser } from "./people-context";

export const DisableUserInput = z.strictObject({ userId: z.uuid() });
export type DisableUserInput = z.infer<typeof DisableUserInput>;

/**
 * Disables a person: they can't sign in and every session they hold ends at its next request.
 * Not yourself (another admin must), and never the last active admin (checked under the admin
 * rows' locks, in the same transaction as the change).
 */
export async function disableUser({ ctx, input }: { ctx: Ctx<SessionUser | null>; input: DisableUserInput }): Promise<UserView> {
  const { userId } = DisableUserInput.parse(input);
  if (ctx.user?.id === userId) throw new BadRequestError("You can't disable your own account; ask another admin.");
  return withTransaction(ctx, async ({ db: tx }) => {
    const admins = await lockActiveAdmins(tx, actorOf(ctx));
    const target = await lockUser(tx, userId);
    if (target.disabledAt) return toUserView(target);
    assertNotLastAdmin(target, admins, "disabled");
    const updated = await tx.user.update({ where: { id: userId }, data: { disabledAt: new Date(), sessionVersion: { increment: 1 } } });
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: "user.disable",
      subject: { type: "user", id: userId },
      payload: { email: target.email, role: target.role, sessionsEnded: true },
      requestId: ctx.requestId,
    });
    return toUserView(updated);
  });
}
