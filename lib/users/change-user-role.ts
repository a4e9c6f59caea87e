import { z } from "zod";
import { actorOf, recordAuditEvent } from "@/lib/audit/record-audit-event";
import { ROLES, type SessionUser } from "@/lib/auth/roles";
import { withTransaction, type Ctx } from "@/lib/db/ctx";
import { toUserView, type UserView } from "./list-users";
import { assertNotLastAdmin, lockActiveAdmins, lockUser } from "./people-context";

export const ChangeUserRoleInput = z.strictObject({ userId: z.uuid(), role: z.enum(ROLES) });
export type ChangeUserRoleInput = z.infer<typeof ChangeUserRoleInput>;

/**
 * Changes a person's role and ends their sessions (their next request needs a new sign-in, which
 * carries the new role). The last active admin can't be demoted; the check holds the admin rows'
 * locks in the same transaction as the change.
 */
export async function changeUserRole({ ctx, input }: { ctx: Ctx<SessionUser | null>; input: ChangeUserRoleInput }): Promise<UserView> {
  const { userId, role } = ChangeUserRoleInput.parse(input);
  return withTransaction(ctx, async ({ db: tx }) => {
    const admins = await lockActiveAdmins(tx, actorOf(ctx));
    const target = await lockUser(tx, userId);
    if (target.role === role) return toUserView(target);
    if (role !== "admin") assertNotLastAdmin(target, admins, "demoted");
    const updated = await tx.user.update({ where: { id: userId }, data: { role, sessionVersion: { increment: 1 } } });
    await recordAuditEvent(tx, {
      actor: actorOf(ctx),
      action: "user.role_change",
      subject: { type: "user", id: userId },
      payload: { email: target.email, from: target.role, to: role, sessionsEnded: true },
      requestId: ctx.requestId,
    });
    return toUserView(updated);
  });
}
